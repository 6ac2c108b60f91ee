import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { EVENT_NAMES, type TicketEventKind } from '../domain/ticket';
import { when, statusName } from '../console/format';
import { MAX_PHOTOS } from './images';
import { FAVICON_PATH } from '../http/favicon';

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2329;background:#f5f6f7}
main{max-width:560px;margin:0 auto;padding:16px}h1{font-size:20px;margin:8px 0 4px}.sub{color:#646a73;margin:0 0 16px;font-size:14px}
form{display:flex;flex-direction:column;gap:14px}label{display:flex;flex-direction:column;gap:4px;font-size:14px;color:#646a73}
input,textarea,select,button{font:inherit;font-size:16px;padding:10px 12px;border:1px solid #d0d3d6;border-radius:8px;background:#fff;width:100%}
textarea{min-height:140px}button{background:#3370ff;border-color:#3370ff;color:#fff;font-weight:600}button.plain{background:#fff;color:#1f2329}
.check{flex-direction:row;align-items:flex-start;gap:8px;color:#1f2329}.check input{width:auto;margin-top:5px}
.card{background:#fff;border-radius:10px;padding:16px;margin-bottom:12px}.fields{display:flex;flex-direction:column;gap:12px;margin:0}.err{background:#fde2e2;color:#a21e1e;padding:10px 12px;border-radius:8px}
.ok{background:#d9f5d6;color:#186a11;padding:10px 12px;border-radius:8px}.hp{position:absolute;left:-9999px}
.tag{display:inline-block;padding:0 8px;border-radius:4px;background:#e1eaff;color:#245bdb;font-size:14px}.muted{color:#8f959e;font-size:14px}
ol{list-style:none;padding:0;margin:0}ol li{border-left:2px solid #dee0e3;padding:0 0 12px 12px}.pre{white-space:pre-wrap;word-break:break-all}
.link{word-break:break-all;background:#f5f6f7;padding:8px;border-radius:6px;font-size:14px}.stars{display:flex;gap:6px;flex-wrap:wrap}.stars label{flex-direction:row;gap:4px;color:#1f2329}
.stars input{width:auto}
`;

// Phones take 4000-pixel photos; shrinking them before upload saves the enterprise's data plan and our limit.
const SHRINK = `document.querySelector('input[name=photos]')?.addEventListener('change',async e=>{const input=e.target;const out=new DataTransfer();
for(const f of [...input.files].slice(0,${MAX_PHOTOS})){try{const img=await createImageBitmap(f);const s=Math.min(1,1600/Math.max(img.width,img.height));
const c=document.createElement('canvas');c.width=Math.round(img.width*s);c.height=Math.round(img.height*s);c.getContext('2d').drawImage(img,0,0,c.width,c.height);
const b=await new Promise(r=>c.toBlob(r,'image/jpeg',0.85));out.items.add(new File([b],f.name.replace(/\\.[^.]+$/,'')+'.jpg',{type:'image/jpeg'}));}catch{out.items.add(f);}}
input.files=out.files;});
document.querySelector('form[data-report]')?.addEventListener('submit',e=>{const b=e.target.querySelector('button[type=submit]');b.disabled=true;b.textContent='正在提交…';});`;

export function Shell(props: { title: string; children?: Child; script?: string }) {
  return (
    <>
    {raw('<!doctype html>')}
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <link rel="icon" type="image/svg+xml" href={FAVICON_PATH} />
        <meta name="format-detection" content="telephone=no" />
        <title>{props.title}</title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <main>{props.children}</main>
        {props.script ? <script>{raw(props.script)}</script> : null}
      </body>
    </html>
    </>
  );
}

export interface FormValues {
  enterprise?: string;
  contact?: string;
  phone?: string;
  text?: string;
  location?: string;
  publicNotice?: boolean;
}

export function ReportForm(props: { groupName: string; deployment: string; hotline: string | null; action: string; question: string; token: string; values?: FormValues; error?: string | string[] }) {
  const v = props.values ?? {};
  return (
    <Shell title={`反映问题 · ${props.groupName}`} script={SHRINK}>
      <h1>向“{props.groupName}”反映问题</h1>
      <p class="sub">
        {props.deployment}受理，按工作日时限办理并回复。{props.hotline ? `也可拨打 ${props.hotline}。` : ''}
      </p>
      {props.error && props.error.length ? (
        <div class="err" role="alert">
          {Array.isArray(props.error) && props.error.length > 1 ? (
            <ul style="margin:0;padding-left:1.2em">
              {props.error.map((e) => (
                <li>{e}</li>
              ))}
            </ul>
          ) : (
            [props.error].flat()[0]
          )}
        </div>
      ) : null}
      <form method="post" action={props.action} enctype="multipart/form-data" data-report>
        <div class="card fields">

            <label>
              企业名称
              <input name="enterprise" required maxlength={100} value={v.enterprise ?? ''} autocomplete="organization" />
            </label>
            <label>
              联系人
              <input name="contact" required maxlength={50} value={v.contact ?? ''} autocomplete="name" />
            </label>
            <label>
              手机或座机（只给承办单位看，群内不公开）
              <input name="phone" type="tel" required maxlength={20} value={v.phone ?? ''} autocomplete="tel" inputmode="tel" />
            </label>

        </div>
        <label>
          遇到了什么问题？（事情经过、已办了哪些手续、希望怎么解决）
          <textarea name="text" required minlength={10} maxlength={2000}>
            {v.text ?? ''}
          </textarea>
        </label>
        <label>
          照片（可选，最多 {MAX_PHOTOS} 张）
          <input name="photos" type="file" accept="image/jpeg,image/png,image/webp" multiple />
        </label>
        <label>
          地点（可选）
          <input name="location" maxlength={200} value={v.location ?? ''} placeholder="如：青山工业园区纬三路 8 号" />
        </label>
        <label class="check">
          <input type="checkbox" name="publicNotice" value="1" checked={v.publicNotice ?? true} />
          <span>同意在群内通报本诉求（企业名称和联系方式不公开）。不勾选则只有承办单位能看到。</span>
        </label>
        <label>
          验证：{props.question}
          <input name="answer" required inputmode="numeric" maxlength={3} autocomplete="off" />
        </label>
        <input type="hidden" name="check" value={props.token} />
        <label class="hp" aria-hidden="true">
          网址
          <input name="website" tabindex={-1} autocomplete="off" />
        </label>
        <button type="submit">提交</button>
      </form>
    </Shell>
  );
}

export function Submitted(props: { number: string; link: string; messages: string[]; attached: boolean }) {
  return (
    <Shell title={`已受理 ${props.number}`}>
      <h1>{props.attached ? '已有相同问题在办理' : '已受理'}</h1>
      <div class="card">
        <p>
          工单号 <b data-testid="number">{props.number}</b>
        </p>
        {props.messages.map((m) => (
          <p class="pre">{m}</p>
        ))}
      </div>
      <div class="card">
        <p>请保存下面的链接（或将本页加入收藏）：在该页面查看办理进度、补充材料、同意公开、评价办理结果（无需在群里发命令）。</p>
        <p class="link">
          <a href={props.link} data-testid="ticket-link">
            {props.link}
          </a>
        </p>
      </div>
    </Shell>
  );
}

export interface FollowData {
  number: string;
  status: string;
  departmentName: string | null;
  content: string;
  resolution: string | null;
  rating: number | null;
  isPrivate: boolean;
  signDueAt: Date | null;
  resolveDueAt: Date | null;
  events: Array<{ kind: string; at: Date; detail: string }>;
  photos: number[];
  canSupplement: boolean;
  canRate: boolean;
}

/** An open satisfaction survey the enterprise has not answered yet (src/jobs/survey.ts). */
export interface FollowSurvey {
  title: string;
  closesAt: Date;
  href: string;
}

export function FollowPage(props: { data: FollowData; base: string; flash: { ok: boolean; messages: string[] } | null; survey?: FollowSurvey | null }) {
  const d = props.data;
  return (
    <Shell title={`工单 ${d.number}`}>
      <h1>
        工单 {d.number} <span class="tag" data-testid="status">{statusName(d.status)}</span>
      </h1>
      {props.flash ? (
        <div class={props.flash.ok ? 'ok' : 'err'} role="status">
          {props.flash.messages.join('\n')}
        </div>
      ) : null}
      <div class="card">
        <p class="pre">{d.content}</p>
        <p class="muted">
          承办单位：{d.departmentName ?? '营商办分派中'}
          {d.resolveDueAt ? ` · 办结时限 ${when(d.resolveDueAt)}` : ''}
        </p>
        {d.photos.map((id) => (
          <img src={`${props.base}/photos/${id}`} alt="照片" style="max-width:100%;border-radius:6px;margin-top:8px" />
        ))}
      </div>
      {props.survey ? (
        <div class="card" data-testid="survey">
          <b>{props.survey.title}营商环境满意度测评</b>
          <p>请对办理贵企业诉求的部门打分，约 1 分钟；回答匿名统计，{when(props.survey.closesAt)} 截止。</p>
          <p>
            <a href={props.survey.href}>填写满意度测评</a>
          </p>
        </div>
      ) : null}
      {d.resolution ? (
        <div class="card">
          <b>办理结果</b>
          <p class="pre" data-testid="resolution">
            {d.resolution}
          </p>
        </div>
      ) : null}
      {d.canRate ? (
        <div class="card">
          <form method="post" action={`${props.base}/rate`}>
            <b>对办理结果满意吗？</b>
            <div class="stars">
              {[5, 4, 3, 2, 1].map((n) => (
                <label>
                  <input type="radio" name="rating" value={String(n)} required />
                  {['', '非常不满意', '不满意', '基本满意', '满意', '非常满意'][n]}
                </label>
              ))}
            </div>
            <label>
              意见（可选）
              <input name="comment" maxlength={500} />
            </label>
            <button type="submit">提交评价</button>
          </form>
        </div>
      ) : null}
      {d.rating !== null ? <p class="muted">您的评价：{d.rating} 分</p> : null}
      {d.canSupplement ? (
        <div class="card">
          <form method="post" action={`${props.base}/supplement`}>
            <label>
              补充说明或材料
              <textarea name="text" required maxlength={2000} style="min-height:80px"></textarea>
            </label>
            <button class="plain" type="submit">提交补充</button>
          </form>
        </div>
      ) : null}
      {d.isPrivate ? (
        <div class="card">
          <form method="post" action={`${props.base}/publish`}>
            <p class="muted">本诉求目前不在群内公开。</p>
            <button class="plain" type="submit">同意在群内通报（联系方式不公开）</button>
          </form>
        </div>
      ) : null}
      <div class="card">
        <b>办理进展</b>
        <ol data-testid="timeline">
          {d.events.map((e) => (
            <li>
              <span class="muted">{when(e.at)}</span> {EVENT_NAMES[e.kind as TicketEventKind] ?? e.kind}
              {e.detail ? <div class="pre">{e.detail}</div> : null}
            </li>
          ))}
        </ol>
      </div>
    </Shell>
  );
}
