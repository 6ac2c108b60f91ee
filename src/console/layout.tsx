import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { ROLE_NAMES } from '../domain/roles';
import type { StaffMember } from '../repo/directory';
import { FAVICON_PATH } from '../http/favicon';

const CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.6 "Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329;background:#f5f6f7}
a{color:#245bdb;text-decoration:none}a:hover{text-decoration:underline}
header{background:#fff;border-bottom:1px solid #dee0e3;display:flex;align-items:center;gap:24px;padding:0 24px;height:52px;position:sticky;top:0}
header .brand{font-weight:600;font-size:16px;white-space:nowrap}header nav{display:flex;gap:16px;flex:1;min-width:0}header nav a{white-space:nowrap}header nav a[aria-current]{font-weight:600;color:#1f2329}header .who{white-space:nowrap}
header form{margin:0}main{max-width:1200px;margin:0 auto;padding:20px 24px}
h1{font-size:20px;margin:0 0 16px}h2{font-size:16px;margin:24px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px}
.card{background:#fff;border:1px solid #dee0e3;border-radius:8px;padding:12px 16px}.card b{display:block;font-size:26px}.card.warn b{color:#d83931}
.panel{background:#fff;border:1px solid #dee0e3;border-radius:8px;padding:16px;margin-bottom:16px;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:8px;border-bottom:1px solid #eff0f1;vertical-align:top}th{color:#646a73;font-weight:500;white-space:nowrap}
.tag{display:inline-block;padding:0 6px;border-radius:4px;background:#e1eaff;color:#245bdb;font-size:12px;white-space:nowrap}.tag.red{background:#fde2e2;color:#d83931}.tag.grey{background:#eff0f1;color:#646a73}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:12px}label{display:flex;flex-direction:column;gap:2px;color:#646a73;font-size:12px}
input,select,textarea,button{font:inherit;padding:6px 10px;border:1px solid #d0d3d6;border-radius:6px;background:#fff}textarea{width:100%}
button{background:#3370ff;border-color:#3370ff;color:#fff;cursor:pointer}button.plain{background:#fff;color:#1f2329;border-color:#d0d3d6}
.actions{display:flex;flex-wrap:wrap;gap:12px}.actions form{display:flex;gap:8px;align-items:end;flex-wrap:wrap;background:#f5f6f7;padding:8px;border-radius:6px}
.flash{padding:10px 14px;border-radius:6px;margin-bottom:16px;white-space:pre-wrap}.flash.ok{background:#d9f5d6;color:#186a11}.flash.err{background:#fde2e2;color:#a21e1e}
ol.timeline{list-style:none;padding:0;margin:0}ol.timeline li{border-left:2px solid #dee0e3;padding:0 0 12px 14px;position:relative}
ol.timeline li:before{content:"";position:absolute;left:-6px;top:6px;width:10px;height:10px;border-radius:50%;background:#3370ff}
.muted{color:#8f959e}.content{white-space:pre-wrap}dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{color:#646a73}dd{margin:0}
.login{max-width:360px;margin:10vh auto;background:#fff;border:1px solid #dee0e3;border-radius:8px;padding:24px}.login form{display:flex;flex-direction:column;gap:12px}
.chart svg{max-width:100%;height:auto}
ul.tickets{list-style:none;margin:0;padding:0;display:grid;gap:10px}ul.tickets a.ticket{display:block;background:#fff;border:1px solid #dee0e3;border-radius:10px;padding:12px 14px;color:#1f2329}
ul.tickets a.ticket:hover{text-decoration:none;border-color:#3370ff}ul.tickets .top{display:flex;gap:6px;align-items:center;flex-wrap:wrap;font-weight:600}ul.tickets .sub{color:#646a73;font-size:13px;margin-top:4px}
/* Phones (the WeCom / DingTalk workbench opens the console in its webview): one column, no sideways scrolling,
   tables become stacked cards, and actions are full-width buttons a thumb can hit (≥ 48 px). */
@media (max-width:640px){
body{font-size:15px}
header{height:auto;flex-wrap:wrap;gap:2px 12px;padding:8px 12px 0;position:static}
header .brand{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis}header .who{font-size:12px}
header nav{order:3;flex:1 0 100%;gap:0;overflow-x:auto;-webkit-overflow-scrolling:touch;scrollbar-width:none}
header nav a{padding:10px 12px;display:inline-block}header nav a[aria-current]{border-bottom:2px solid #3370ff}
header form button{min-height:36px;padding:4px 10px}
main{padding:12px}h1{font-size:18px}
.panel{padding:12px;overflow-x:visible}
.panel table,.panel thead,.panel tbody,.panel tr,.panel th,.panel td{display:block;width:auto}
.panel thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.panel tr{border:1px solid #dee0e3;border-radius:8px;margin:0 0 8px;padding:6px 12px}
.panel td{border:0;padding:3px 0}.panel td[data-label]:before{content:attr(data-label) "：";color:#646a73}
.cards{grid-template-columns:repeat(2,1fr)}
dl{grid-template-columns:1fr}dt{margin-top:6px}
input,select,textarea,button{font-size:16px;min-height:44px}
form.filters label{flex:1 1 45%}form.filters button{flex:1 1 100%}
.actions{flex-direction:column}.actions form{flex-direction:column;align-items:stretch;padding:10px}
.actions label{font-size:14px}.actions input,.actions textarea,.actions select{width:100%}
.actions button{min-height:52px;font-size:17px;width:100%}
}
`;

export type Section = 'mine' | 'dashboard' | 'tickets' | 'reports' | 'posters' | 'directory' | 'topics';

export function Page(props: { title: string; user?: StaffMember; section?: Section; deployment: string; children?: Child }) {
  const nav: Array<[Section, string, string]> = [
    ['mine', '/console/mine', '我的工单'],
    ['dashboard', '/console', '工作台'],
    ['tickets', '/console/tickets', '工单'],
    ['reports', '/console/reports', '统计与台账'],
    ['posters', '/console/posters', '反映二维码'],
    ['topics', '/console/topics', '会商会办'],
    // Admins manage the directory (src/console/directory-routes.tsx).
    ...(props.user?.role === 'admin' ? [['directory', '/console/directory', '目录'] as [Section, string, string]] : []),
  ];
  return (
    <>
    {raw('<!doctype html>')}
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" type="image/svg+xml" href={FAVICON_PATH} />
        <title>{`${props.title} · ${props.deployment}`}</title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        {props.user ? (
          <header>
            <span class="brand">共治 · {props.deployment}</span>
            <nav>
              {nav.map(([key, href, label]) => (
                <a href={href} aria-current={props.section === key ? 'page' : undefined}>
                  {label}
                </a>
              ))}
            </nav>
            <span class="muted who">
              {props.user.name}（{ROLE_NAMES[props.user.role]}）
            </span>
            <form method="post" action="/console/logout">
              <button class="plain" type="submit">
                退出
              </button>
            </form>
          </header>
        ) : null}
        <main>{props.children}</main>
      </body>
    </html>
    </>
  );
}

export function Flash(props: { flash: { ok: boolean; messages: string[] } | null }) {
  if (!props.flash) return null;
  return (
    <div class={`flash ${props.flash.ok ? 'ok' : 'err'}`} role="status">
      {props.flash.messages.join('\n\n')}
    </div>
  );
}
