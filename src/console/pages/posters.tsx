import type { StaffMember } from '../../repo/directory';
import { Page } from '../layout';

export function PostersPage(props: { deployment: string; user: StaffMember; groups: Array<{ id: string; name: string; url: string }>; png: boolean }) {
  return (
    <Page title="反映二维码" user={props.user} section="posters" deployment={props.deployment}>
      <h1>反映二维码</h1>
      <p class="muted">张贴或转发到群里：企业扫码即可在手机上反映问题，不需要 @ 机器人，也适用于装不了机器人的微信群。</p>
      <div class="panel">
        <table data-testid="posters">
          <thead>
            <tr>
              <th>群</th>
              <th>反映页面</th>
              <th>海报</th>
            </tr>
          </thead>
          <tbody>
            {props.groups.map((g) => (
              <tr>
                <td>{g.name}</td>
                <td>
                  <a href={g.url}>{g.url}</a>
                </td>
                <td>
                  <a href={`/console/posters/${g.id}.html`}>打印版（A4 / PDF）</a>
                  {props.png ? (
                    <>
                      {' · '}
                      <a href={`/console/posters/${g.id}.png`}>图片（PNG）</a>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}
