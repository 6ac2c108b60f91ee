import { describe, expect, it } from 'vitest';
import { templates } from '../../src/domain/templates';

// Staff type reasons and questions that are posted to the group as they wrote them: a phone,
// ID or bank number in them must be masked like the enterprise's own text.
describe('group posts carrying staff-written text', () => {
  const t = {
    id: 1, seq: 5, number: 'GZ-20261123-0005', status: 'dispatched', type: 'help', category: 'labor', urgency: 'normal', content: '稳岗补贴还没到账',
    departmentName: '县人力资源和社会保障局', departmentId: 'renshe', assigneeName: null, resolution: null, signDueAt: null, resolveDueAt: new Date('2026-11-30T02:00:00Z'),
  } as unknown as Parameters<typeof templates.closed>[0];
  const secrets = /13800138000|330106199001011234|6222021234567890123/;
  const reason = '法人张三 13800138000，身份证 330106199001011234，账号 6222021234567890123';
  const posts = {
    reassigned: templates.reassigned(t, '县财政局', reason),
    returned: templates.returned(t, reason),
    reopened: templates.reopened(t, reason),
    closed: templates.closed(t, reason),
    extensionRequested: templates.extensionRequested(t, 3, reason),
    infoRequested: templates.infoRequested(t, reason),
    infoSupplied: templates.infoSupplied(t, reason),
  };
  for (const [name, text] of Object.entries(posts)) {
    it(`masks personal numbers in ${name}`, () => {
      expect(text).not.toMatch(secrets);
      expect(text).toContain('法人张三');
      expect(text).toContain('138****8000');
    });
  }
});
