import { Page } from '../layout';

export function LoginPage(props: { deployment: string; next: string; error?: string; staffId?: string; logins?: Array<{ platform: string; label: string }> }) {
  return (
    <Page title="登录" deployment={props.deployment}>
      <div class="login">
        <h1>共治工作台</h1>
        <p class="muted">{props.deployment}</p>
        {props.error ? (
          <div class="flash err" role="alert">
            {props.error}
          </div>
        ) : null}
        <form method="post" action="/console/login">
          <input type="hidden" name="next" value={props.next} />
          <label>
            账号（工作人员编号）
            <input name="staffId" autocomplete="username" required value={props.staffId ?? ''} />
          </label>
          <label>
            密码
            <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <button type="submit">登录</button>
        </form>
        {props.logins?.length ? (
          <div class="actions" style="margin-top:16px">
            {props.logins.map((l) => (
              <a href={`/console/login/${l.platform}?next=${encodeURIComponent(props.next)}`} data-login={l.platform}>
                用{l.label}登录
              </a>
            ))}
          </div>
        ) : null}
        <p class="muted">账号由管理员用 <code>npm run cli -- account create 工作人员编号</code> 开通。</p>
      </div>
    </Page>
  );
}
