// The playground is one static page: plain DOM and fetch, no build step, so `npm start` is all it takes.
export const PLAYGROUND_HTML = /* html */ `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<title>共治 · 本地演练</title>
<style>
  :root { --bg:#f4f5f7; --card:#fff; --line:#e3e6ea; --ink:#1f2329; --mute:#646a73; --brand:#1664ff; --bot:#eef4ff; --me:#d9f7d4; --warn:#d83931; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.55 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif; color:var(--ink); background:var(--bg); }
  header { padding:10px 16px; background:var(--card); border-bottom:1px solid var(--line); display:flex; gap:12px; align-items:center; }
  header h1 { font-size:16px; margin:0; }
  header .sub { color:var(--mute); font-size:12px; }
  main { display:grid; grid-template-columns: 230px 1fr 340px; height: calc(100vh - 49px); }
  aside, section { overflow:auto; }
  aside { background:var(--card); border-right:1px solid var(--line); padding:12px; }
  aside h2, #tickets h2 { font-size:12px; color:var(--mute); margin:12px 0 6px; font-weight:600; }
  .pick { display:block; width:100%; text-align:left; border:1px solid var(--line); background:#fff; border-radius:6px; padding:6px 8px; margin:4px 0; cursor:pointer; font:inherit; }
  .pick.on { border-color:var(--brand); background:#f0f5ff; }
  .pick small { color:var(--mute); display:block; font-size:11px; }
  #chat { display:flex; flex-direction:column; }
  #log { flex:1; overflow:auto; padding:16px; }
  .msg { max-width:78%; margin:8px 0; }
  .msg .who { font-size:12px; color:var(--mute); }
  .msg .bubble { white-space:pre-wrap; padding:8px 10px; border-radius:8px; background:#fff; border:1px solid var(--line); }
  .msg.bot .bubble { background:var(--bot); border-color:#c9dbff; }
  .msg.me { margin-left:auto; }
  .msg.me .bubble { background:var(--me); border-color:#b7e8ae; }
  .msg .at { color:var(--brand); }
  .tn { color:var(--brand); cursor:pointer; text-decoration:underline dotted; }
  form { display:flex; gap:8px; padding:10px; border-top:1px solid var(--line); background:var(--card); align-items:center; }
  form input[type=text] { flex:1; padding:9px 10px; border:1px solid var(--line); border-radius:6px; font:inherit; }
  form button { padding:9px 16px; border:0; border-radius:6px; background:var(--brand); color:#fff; font:inherit; cursor:pointer; }
  #quote { font-size:12px; color:var(--mute); }
  #tickets { background:var(--card); border-left:1px solid var(--line); padding:12px; }
  .card { border:1px solid var(--line); border-radius:8px; padding:8px 10px; margin:8px 0; }
  .card .no { font-weight:600; cursor:pointer; }
  .card .st { float:right; font-size:12px; padding:0 6px; border-radius:10px; background:#f2f3f5; }
  .card .st.dispatched,.card .st.received,.card .st.returned { background:#fff3e0; }
  .card .st.claimed { background:#e8f3ff; } .card .st.resolved,.card .st.awaiting_confirmation { background:#e8ffea; }
  .card .meta { color:var(--mute); font-size:12px; }
  .card .sup { color:var(--warn); font-size:12px; font-weight:600; }
  .samples { display:flex; flex-wrap:wrap; gap:6px; padding:6px 10px; border-top:1px solid var(--line); background:var(--card); }
  .samples button { font-size:12px; border:1px dashed var(--line); background:#fafbfc; border-radius:12px; padding:3px 10px; cursor:pointer; max-width:100%; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
  .hint { color:var(--mute); font-size:12px; }
</style>
</head>
<body>
<header><h1 id="title">共治 · 本地演练</h1><span class="sub">选择身份，在群里 @共治助手 反映问题，或用 /认领、/办结、/评价 等命令办理工单。</span></header>
<main>
  <aside>
    <h2>群聊</h2><div id="groups"></div>
    <h2>一对一</h2><div id="direct"></div>
    <h2>企业身份</h2><div id="enterprises"></div>
    <h2>工作人员身份</h2><div id="staff"></div>
  </aside>
  <section id="chat">
    <div id="log" aria-live="polite"></div>
    <div class="samples" id="samples"></div>
    <form id="send">
      <span id="quote"></span>
      <input type="text" id="text" autocomplete="off" placeholder="@共治助手 描述问题，或输入 /帮助">
      <button type="submit">发送</button>
    </form>
  </section>
  <section id="tickets"><h2>本会话可见的工单</h2><div id="list"><p class="hint">还没有工单。</p></div></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const state = { setup: null, group: null, persona: null, after: 0, quote: null };
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;' }[c]));
const SAMPLES = {
  enterprise: ['@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通', '@共治助手 园区路灯坏了半年了没人修', '@共治助手 我们的投标保证金半年了还没退', '收到，谢谢', '/我的'],
  staff: ['/待办', '/帮助'],
  dispatcher: ['/待办', '/帮助'],
};
function pick(kind, list, el, onPick) {
  el.innerHTML = '';
  for (const item of list) {
    const b = document.createElement('button');
    b.type = 'button'; b.className = 'pick'; b.dataset.id = item.id;
    b.innerHTML = esc(item.name) + (item.sub ? '<small>' + esc(item.sub) + '</small>' : '');
    b.onclick = () => onPick(item, b);
    el.appendChild(b);
  }
}
function setPersona(p, btn) {
  state.persona = p;
  for (const b of document.querySelectorAll('#enterprises .pick, #staff .pick')) b.classList.remove('on');
  btn.classList.add('on');
  // The one-to-one chat is the current persona's own: switching persona switches it.
  if (state.group && state.group.direct) openDirect();
  const kind = p.role === 'enterprise' ? 'enterprise' : p.role === 'dispatcher' || p.role === 'admin' ? 'dispatcher' : 'staff';
  $('samples').innerHTML = SAMPLES[kind].map((s) => '<button type="button">' + esc(s) + '</button>').join('');
  for (const b of $('samples').querySelectorAll('button')) b.onclick = () => { $('text').value = b.textContent; $('text').focus(); };
}
// One-to-one with the bot as the current persona: surveys, private reports, 营商办's lists.
function openDirect() {
  if (!state.persona) return;
  state.group = { id: 'direct', name: '一对一', chatId: 'direct:' + state.persona.id, direct: true };
  state.after = 0; $('log').innerHTML = '';
  for (const x of $('groups').children) x.classList.remove('on');
  $('direct').firstChild.classList.add('on');
  poll();
}
function linkify(text) {
  return esc(text).replace(/(https?:[/][/][^\\s]+|[/][st][/][A-Za-z0-9_-]{20,})/g, '<a href="$1" target="_blank" rel="noopener">$1</a>').replace(/([A-Z]{1,8}-\\d{8}-\\d{4,6})/g, '<span class="tn" data-n="$1">$1</span>').replace(/(@\\S+)/g, '<span class="at">$1</span>');
}
function render(e) {
  const mine = state.persona && e.from.kind === 'user' && e.from.id === state.persona.id;
  const div = document.createElement('div');
  div.className = 'msg ' + (e.from.kind === 'bot' ? 'bot' : mine ? 'me' : '');
  // Mentions carry platform user ids: show the person's name, as the chat client would.
  const mentions = e.mentions && e.mentions.length ? ' → @' + e.mentions.map(nameOf).join(' @') : '';
  div.innerHTML = '<div class="who">' + esc(e.from.name) + esc(mentions) + ' · ' + new Date(e.at).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai' }) + '</div><div class="bubble">' + linkify(e.text) + '</div>';
  $('log').appendChild(div);
  $('log').scrollTop = $('log').scrollHeight;
}
function nameOf(id) {
  const s = state.setup;
  const p = s && (s.staff.find((x) => x.id === id) || s.enterprises.find((x) => x.id === id));
  return p ? p.name : id;
}
// One poll at a time: the timer and a send both poll, and two overlapping polls with the same
// 'after' would each render the new entries (a message shown twice).
let polling = null;
let pollAgain = false;
function poll() {
  if (polling) { pollAgain = true; return polling; }
  polling = (async () => {
    try {
      do { pollAgain = false; await pollOnce(); } while (pollAgain);
    } finally { polling = null; }
  })();
  return polling;
}
async function pollOnce() {
  if (!state.group) return;
  const group = state.group;
  const r = await fetch('/playground/api/transcript?chat=' + encodeURIComponent(group.chatId) + '&after=' + state.after);
  const { entries } = await r.json();
  if (state.group !== group) return; // switched groups meanwhile
  for (const e of entries) { if (e.seq <= state.after) continue; render(e); state.after = e.seq; }
  // The panel shows what this chat would see: a group its own tickets, masked; one-to-one the persona's own reports.
  const scope = group.direct ? 'direct=' + encodeURIComponent(state.persona.id) : 'group=' + encodeURIComponent(group.id);
  const t = await (await fetch('/playground/api/tickets?' + scope)).json();
  if (state.group !== group) return;
  const none = group.direct ? '<p class="hint">一对一：机器人发给' + esc(state.persona.name) + '的消息（满意度测评、一对一反映等）；这里列出' + esc(state.persona.name) + '本人反映的工单。</p>' : '<p class="hint">还没有工单。</p>';
  $('list').innerHTML = t.tickets.length ? t.tickets.map((k) =>
    '<div class="card"><span class="st ' + k.status + '">' + esc(k.statusName) + '</span><div class="no" data-n="' + k.number + '">' + k.number + '</div>' +
    (k.supervised ? '<div class="sup">挂牌督办</div>' : '') +
    '<div>' + esc(k.content.slice(0, 60)) + '</div><div class="meta">' + esc(k.categoryName) + '·' + esc(k.typeName) + (k.urgency === 'urgent' ? '·紧急' : '') +
    '<br>承办：' + esc(k.department || '待分派') + (k.assignee ? '·' + esc(k.assignee) : '') + (k.rating ? '<br>评价：' + k.rating + ' 分' : '') +
    (k.resolve_due_at ? '<br>办结时限：' + new Date(k.resolve_due_at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }) : '') + '</div></div>').join('') : none;
}
document.addEventListener('click', (ev) => {
  const n = ev.target && ev.target.dataset && ev.target.dataset.n;
  if (n) { state.quote = n; $('quote').textContent = '引用 ' + n + ' ✕'; $('text').focus(); }
  else if (ev.target === $('quote')) { state.quote = null; $('quote').textContent = ''; }
});
$('send').onsubmit = async (ev) => {
  ev.preventDefault();
  const text = $('text').value.trim();
  if (!text || !state.persona || !state.group) return;
  $('text').value = '';
  const body = state.group.direct ? { chat: 'direct', userId: state.persona.id, name: state.persona.name, text } : { chat: 'group', groupId: state.group.id, userId: state.persona.id, name: state.persona.name, text };
  if (state.quote) body.quote = state.quote;
  state.quote = null; $('quote').textContent = '';
  const r = await fetch('/playground/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) alert((await r.json()).issues?.join('\\n') || '发送失败');
  await poll();
};
(async () => {
  const setup = await (await fetch('/playground/api/setup')).json();
  state.setup = setup;
  $('title').textContent = setup.deployment.name + ' · 本地演练';
  pick('groups', setup.groups, $('groups'), (g, b) => { state.group = g; state.after = 0; $('log').innerHTML = ''; for (const x of $('groups').children) x.classList.remove('on'); $('direct').firstChild.classList.remove('on'); b.classList.add('on'); poll(); });
  pick('direct', [{ id: 'direct', name: '与共治助手一对一', sub: '当前身份的私聊' }], $('direct'), () => openDirect());
  pick('enterprises', setup.enterprises.map((e) => ({ ...e, role: 'enterprise' })), $('enterprises'), setPersona);
  pick('staff', setup.staff.map((s) => ({ ...s, sub: s.roleName + (s.department ? ' · ' + s.department : '') })), $('staff'), setPersona);
  $('groups').firstChild?.click();
  $('enterprises').firstChild?.click();
  setInterval(poll, 1500);
})();
</script>
</body>
</html>`;
