import { expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { setConsolePassword } from '../../src/repo/console-accounts';
import { describeOnDatabases } from '../helpers/databases';
import { solveCheck, TINY_PNG } from '../helpers/report-form';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const REPORT = '我们公司在青山工业园区的厂房新装变压器报装一个多月了还没通电，影响投产';

describeOnDatabases('report page and ticket page', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  let phoneSeq = 0;

  /** Opens the form, waits like a person, answers the check and submits. */
  async function submit(group: string, fields: Record<string, string>, photos: Array<{ name: string; bytes: Uint8Array; type: string }> = [], opts: { solve?: boolean; wait?: number; origin?: string } = {}) {
    const page = await rt.app.request(`/r/${group}`);
    const check = solveCheck(await page.text());
    clock.advance(opts.wait ?? 20_000);
    const body = new FormData();
    const all: Record<string, string> = { enterprise: '青山精密机械有限公司', contact: '刘建国', phone: `1380013${String(8000 + phoneSeq++)}`, text: REPORT, publicNotice: '1', ...fields };
    for (const [k, v] of Object.entries(all)) if (v !== '') body.append(k, v);
    body.append('check', check.token);
    body.append('answer', opts.solve === false ? String(Number(check.answer) + 1) : check.answer);
    for (const p of photos) body.append('photos', new Blob([p.bytes as Uint8Array<ArrayBuffer>], { type: p.type }), p.name);
    return rt.app.request(`/r/${group}`, { method: 'POST', body, headers: { origin: opts.origin ?? 'http://localhost' } });
  }
  const linkOf = (html: string) => /data-testid="ticket-link">(http:\/\/localhost\/t\/[^<]+)</.exec(html)![1]!.replace('http://localhost', '');
  const numberOf = (html: string) => /data-testid="number">([^<]+)</.exec(html)![1]!;
  const post = (path: string, fields: Record<string, string>) =>
    rt.app.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' }, body: new URLSearchParams(fields).toString() });
  /** The report-page limits count per address (a sliding 10 minutes); tests step past them between reports. */
  const nextWindow = () => clock.advance(21 * 60_000);

  it('serves a mobile form for configured groups only', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    const page = await rt.app.request('/r/county');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('向“青山县营商环境共商共治群”反映问题');
    expect(html).toContain('width=device-width');
    expect((await rt.app.request('/r/no-such-group')).status).toBe(404);
  });

  it('turns a report with a photo into a routed ticket, announced in the group without contact details', async () => {
    nextWindow();
    const res = await submit('county', { phone: '138 0013 8000', location: '纬三路 8 号' }, [{ name: 'meter.png', bytes: TINY_PNG, type: 'image/png' }]);
    expect(res.status).toBe(200);
    const html = await res.text();
    const number = numberOf(html);
    const ticket = await rt.services.db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ group_id: 'county', origin_platform: 'web', department_id: 'power', status: 'dispatched', is_private: false, category: 'utilities' });
    expect(ticket.content).toContain('（地点：纬三路 8 号）');
    const requester = await rt.services.db.selectFrom('requesters').selectAll().where('id', '=', ticket.requester_id).executeTakeFirstOrThrow();
    expect(requester.user_id).toMatch(/^web:/);
    expect(requester).toMatchObject({ platform: 'web', phone: '13800138000', enterprise: '青山精密机械有限公司', name: '刘建国' });
    const photos = await rt.services.db.selectFrom('attachments').select(['content_type', 'bytes']).where('ticket_id', '=', ticket.id).execute();
    expect(photos).toEqual([{ content_type: 'image/png', bytes: TINY_PNG.length }]);
    const notice = await rt.services.db.selectFrom('outbox').select(['platform', 'target', 'payload']).where('ticket_id', '=', ticket.id).where('kind', '=', 'notice').executeTakeFirstOrThrow();
    expect(notice.platform).toBe('local');
    expect(JSON.stringify(notice.target)).toContain('county');
    const text = JSON.stringify(notice.payload);
    expect(text).toContain(number);
    expect(text).not.toContain('13800138000');
    expect(text).not.toContain('刘建国');

    // The requester's page: progress, the photo, and nothing for strangers.
    const link = linkOf(html);
    const follow = await rt.app.request(link);
    expect(follow.status).toBe(200);
    const fhtml = await follow.text();
    expect(fhtml).toContain('国网青山县供电公司');
    const photoId = /\/photos\/(\d+)/.exec(fhtml)![1];
    const img = await rt.app.request(`${link}/photos/${photoId}`);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await img.arrayBuffer())).toEqual(TINY_PNG);
    expect((await rt.app.request(`/t/${'x'.repeat(43)}`)).status).toBe(404);
    expect((await rt.app.request(`/t/${'x'.repeat(43)}/photos/${photoId}`)).status).toBe(404);
    // Staff see the photo on the console's ticket page; another department's staff do not.
    const consoleCookie = async (staffId: string) => {
      await setConsolePassword(rt.services.db, staffId, 'correct horse battery', clock.now());
      const res = await post('/console/login', { staffId, password: 'correct horse battery', next: '/console' });
      return res.headers.get('set-cookie')!.split(';')[0]!;
    };
    const dispatcher = await consoleCookie('wangmin');
    expect(await (await rt.app.request(`/console/tickets/${number}`, { headers: { cookie: dispatcher } })).text()).toContain(`/console/attachments/${photoId}`);
    expect((await rt.app.request(`/console/attachments/${photoId}`, { headers: { cookie: dispatcher } })).headers.get('content-type')).toBe('image/png');
    expect((await rt.app.request(`/console/attachments/${photoId}`, { headers: { cookie: await consoleCookie('caojun') } })).status).toBe(404);

    // The department answers in the chat; the requester reads it and rates on the page.
    await rt.services.pipeline.receive(localMessage('lidian', `/认领 ${number}`));
    await rt.services.pipeline.receive(localMessage('lidian', `/办结 ${number} 已完成外线接入并送电`));
    const resolved = await (await rt.app.request(link)).text();
    expect(resolved).toContain('已完成外线接入并送电');
    expect(resolved).toContain('对办理结果满意吗');
    const rated = await post(`${link}/rate`, { rating: '5', comment: '很快' });
    expect(rated.status).toBe(303);
    const after = await rt.app.request(link, { headers: { cookie: rated.headers.get('set-cookie')!.split(';')[0]! } });
    const ahtml = await after.text();
    expect(ahtml).toContain('已关闭');
    expect(ahtml).toContain('您的评价：5 分');
    expect((await rt.services.db.selectFrom('tickets').select(['status', 'rating']).where('id', '=', ticket.id).executeTakeFirstOrThrow())).toEqual({ status: 'closed', rating: 5 });
  });

  it('keeps a report private unless the requester agrees, and lets them publish it later', async () => {
    nextWindow();
    const res = await submit('county', { publicNotice: '', text: '园区东门外的路灯坏了两个月，晚上货车进出很危险' });
    const html = await res.text();
    const ticket = await rt.services.db.selectFrom('tickets').selectAll().where('number', '=', numberOf(html)).executeTakeFirstOrThrow();
    expect(ticket.is_private).toBe(true);
    const groupPosts = () => rt.services.db.selectFrom('outbox').select('id').where('ticket_id', '=', ticket.id).where('group_id', '=', 'county').execute();
    expect(await groupPosts()).toHaveLength(0);
    const link = linkOf(html);
    expect(await (await rt.app.request(link)).text()).toContain('同意在群内通报');
    await post(`${link}/publish`, {});
    expect((await rt.services.db.selectFrom('tickets').select('is_private').where('id', '=', ticket.id).executeTakeFirstOrThrow()).is_private).toBe(false);
    expect(await groupPosts()).toHaveLength(1);
  });

  it('gives no rights over a private report to someone who types its reporter’s phone', async () => {
    nextWindow();
    const text = '我们申请的高新技术企业补贴审核三个月了还没有结果，经信局一直推，联系人身份证330106199001011234';
    const victim = await (await submit('county', { publicNotice: '', phone: '13200132000', text })).text();
    nextWindow();
    const attacker = await (await submit('county', { publicNotice: '1', phone: '13200132000', contact: '李四', enterprise: '冒名公司', text })).text();
    expect(numberOf(attacker)).not.toBe(numberOf(victim));
    const victimTicket = () => rt.services.db.selectFrom('tickets').selectAll().where('number', '=', numberOf(victim)).executeTakeFirstOrThrow();
    await post(`${linkOf(attacker)}/publish`, {});
    expect((await victimTicket()).is_private).toBe(true);
    // The attacker's page is about the attacker's own report; the victim's stays out of reach.
    expect(await (await rt.app.request(linkOf(attacker))).text()).not.toContain(numberOf(victim));
  });

  it('asks again, keeping what was typed, when the check, the phone or a photo is wrong', async () => {
    const tickets = async () => Number((await rt.services.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await tickets();
    nextWindow();
    const wrong = await submit('county', {}, [], { solve: false });
    expect(wrong.status).toBe(400);
    const w = await wrong.text();
    expect(w).toContain('验证题答案不对');
    expect(w).toContain(REPORT);
    nextWindow();
    expect(await (await submit('county', {}, [], { wait: 500 })).text()).toContain('提交太快了');
    nextWindow();
    expect(await (await submit('county', { phone: '12345' })).text()).toContain('电话号码格式不对');
    nextWindow();
    const notImage = await submit('county', {}, [{ name: 'virus.jpg', bytes: new TextEncoder().encode('MZ this is not an image'), type: 'image/jpeg' }]);
    expect(notImage.status).toBe(400);
    expect(await notImage.text()).toContain('不是 JPG、PNG 或 WebP 图片');
    nextWindow();
    // A photo cut off in upload: its size cannot be read, so it is refused rather than stored undecoded.
    const cut = await submit('county', {}, [{ name: 'cut.png', bytes: TINY_PNG.slice(0, 20), type: 'image/png' }]);
    expect(cut.status).toBe(400);
    expect(await cut.text()).toContain('“cut.png”图片不完整或无法识别尺寸');
    nextWindow();
    const big = await submit('county', {}, [0, 1, 2, 3].map((i) => ({ name: `p${i}.png`, bytes: new Uint8Array(5 * 1024 * 1024), type: 'image/png' })));
    expect(big.status).toBe(413);
    // Nothing of the refused submissions was half-saved.
    expect(await tickets()).toBe(before);
  });

  it('drops characters PostgreSQL and the ledger file cannot hold instead of failing the report (second outside review)', async () => {
    nextWindow();
    const res = await submit('county', { text: '园区污水管网\u0000堵塞\uFFFF两周了，厂区门口\u0008一直冒水' });
    expect(res.status).toBe(200);
    const number = numberOf(await res.text());
    const row = await rt.services.db.selectFrom('tickets').select('content').where('number', '=', number).executeTakeFirstOrThrow();
    expect(row.content).toContain('园区污水管网堵塞两周了，厂区门口一直冒水');
  });

  it('refuses posts from other sites', async () => {
    nextWindow();
    expect((await submit('county', {}, [], { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('never @-mentions or shows a report-page user’s phone, and masks another requester’s text on the ticket page', async () => {
    nextWindow();
    // A chat report with a phone in it; a report-page user then reports the same problem.
    const chat = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '@共治助手 公司办理营业执照变更三次被退回，联系人王女士13912345678'));
    if (chat.status !== 'ticket') throw new Error(`unexpected ${JSON.stringify(chat)}`);
    const res = await submit('county', { phone: '13700137000', text: '我们公司办理营业执照变更三次被退回，联系人王先生' });
    const html = await res.text();
    expect(numberOf(html)).toBe(chat.ticketNumber);
    // The success page speaks of the page, not of chat commands the user cannot send.
    expect(html).not.toMatch(/\/进度|\/公开|\/评价/);
    const page = await (await rt.app.request(linkOf(html))).text();
    expect(page).toContain('139****5678');
    expect(page).not.toContain('13912345678');
    // What the original reporter adds later is masked for the attached newcomer too.
    await rt.services.pipeline.receive(localMessage('qs-jixie-liu', `/补充 ${chat.ticketNumber} 联系人陈经理手机13800138000，账号6222021234567890123`));
    const later = await (await rt.app.request(linkOf(html))).text();
    expect(later).toContain('138****8000');
    expect(later).not.toMatch(/13800138000|6222021234567890123/);
    // The department's resolution names whom it called: masked for the newcomer as well (second outside review).
    const chatRow = await rt.services.db.selectFrom('tickets').select('department_id').where('number', '=', chat.ticketNumber).executeTakeFirstOrThrow();
    const clerk = rt.services.config.staff.find((s) => s.department === chatRow.department_id && s.role === 'staff')!.accounts.local!;
    await rt.services.pipeline.receive(localMessage(clerk, `/办结 ${chat.ticketNumber} 已办好，已电话联系王女士13912345678确认`));
    const resolved = await (await rt.app.request(linkOf(html))).text();
    expect(resolved).toContain('已电话联系王女士139****5678确认');
    expect(resolved).not.toContain('13912345678');

    // A report-page user's own ticket, resolved in the chat: the notice @-mentions nobody by phone.
    nextWindow();
    const own = await submit('county', { phone: '13700137001' });
    const number = numberOf(await own.text());
    await rt.services.pipeline.receive(localMessage('lidian', `/认领 ${number}`));
    await rt.services.pipeline.receive(localMessage('lidian', `/办结 ${number} 已送电`));
    const ticket = await rt.services.db.selectFrom('tickets').select('id').where('number', '=', number).executeTakeFirstOrThrow();
    const posts = JSON.stringify(await rt.services.db.selectFrom('outbox').select(['payload', 'target']).where('ticket_id', '=', ticket.id).execute());
    expect(posts).not.toContain('13700137001');
    expect(posts).not.toContain('web:');
  });

  it('stops a flood from one address with a clear message', async () => {
    nextWindow();
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 7; i++) {
      const res = await submit('shangmao', { text: `第 ${i} 次：我们厂的营业执照变更登记提交了三周还没有办下来` }, [], { wait: 4000 });
      statuses.push(res.status);
      last = await res.text();
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(last).toMatch(/提交过于频繁，请 \d+ 分钟后再试/);
    // One phone gets three reports an hour.
    nextWindow();
    const phone = '13900001111';
    const byPhone: number[] = [];
    for (let i = 0; i < 4; i++) {
      if (i > 0) clock.advance(3 * 60_000);
      byPhone.push((await submit('shangmao', { phone, text: `第 ${i} 件：开发区的土地出让金返还申请半年了一直没有结果` })).status);
    }
    expect(byPhone).toEqual([200, 200, 200, 429]);
    await rt.close();
  });
});
