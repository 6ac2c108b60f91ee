import { describe, expect, it } from 'vitest';
import { withoutContactDetails } from '../../src/domain/contact-details';

// A published (/公开) one-to-one report reaches the group without any contact detail: not masked, gone.
describe('removing contact details from a published report', () => {
  // Attack review 2026-12-03 (F3): each spelling got a contact detail into the group notice.
  it.each([
    ['a WeChat id after V信', '路灯坏了，加我V信 zhangsan_1988 细说'],
    ['a WeChat id after VX号：', '路灯坏了，VX号：zhangsan1988'],
    ['a WeChat id after "wechat id:"', '路灯坏了 wechat id: zhangsan1988'],
    ['a WeChat id after 加微', '路灯坏了，加微 zhangsan1988'],
    ['a WeChat id after 威信号是', '路灯坏了，威信号是 zhangsan1988'],
    ['a QQ number after 扣扣', '路灯坏了，扣扣 12345678'],
    ['a QQ number after 企鹅号', '路灯坏了，企鹅号：12345678'],
    ['an e-mail with an ideographic full stop', '路灯坏了，邮件发 zhangsan@163。com'],
    ['an e-mail spelled "at … dot com"', '路灯坏了，邮件 zhangsan at 163 dot com'],
    ['an e-mail spelled (at) and [dot]', '路灯坏了，邮件 zhangsan(at)163[dot]com'],
    ['a landline after 打', '路灯坏了，打8888-6666找我'],
    ['the name before 是联系人', '路灯坏了，王建国女士是联系人'],
    ['the name before a phone label', '路灯坏了，王经理手机号码：13800138000'],
    ['a phone split by the word 转', '路灯坏了，手机138转0013转8000'],
    ['a phone split by a bracketed word', '路灯坏了，手机138（空格）0013 8888'],
    ['a phone told in two halves', '路灯坏了，手机尾号8888，前面是138 0013'],
  ])('removes %s', (_name, text) => {
    const out = withoutContactDetails(text);
    expect(out).not.toMatch(/zhangsan|1234|8888|6666|0013|138|王建国|王经理/);
    expect(out.startsWith('路灯坏了')).toBe(true);
  });

  it('removes a phone dialled after a hotline, and keeps the hotline and its menu', () => {
    expect(withoutContactDetails('拨打95598转2转1没人管，电话13800138000')).toBe('拨打95598转2转1没人管');
    expect(withoutContactDetails('拨打12345转0转8反映过，手机138转0013转8000')).toBe('拨打12345转0转8反映过');
  });

  it('leaves the words around a removed contact detail', () => {
    expect(withoutContactDetails('路灯坏了，加我V信 zhangsan_1988 细说')).toBe('路灯坏了，加我 细说');
    expect(withoutContactDetails('路灯坏了，王经理手机号码：13800138000，三天了')).toBe('路灯坏了，三天了');
    expect(withoutContactDetails('厂区门口道路塌陷，联系人王女士，电话 139 1234 5678，邮箱 wang@example.com')).toBe('厂区门口道路塌陷');
    // Only the number goes, not the date before it nor the word its last digit ran into.
    expect(withoutContactDetails('2026-11-30 13800138000 打不通')).toBe('2026-11-30 打不通');
    expect(withoutContactDetails('联系电话一三八一二三四五六七八，五天了')).toBe('五天了');
  });

  // The phone went, the name it belonged to stayed: the group learnt whom to ask for.
  it.each([
    ['联系人张三 电话13800138000', ''],
    ['路灯坏了，联系人张三 电话13800138000 已经三天了', '路灯坏了，已经三天了'],
    ['路灯坏了，联系人张三电话13800138000已经三天了', '路灯坏了，已经三天了'],
    ['路灯坏了，张经理 13800138000', '路灯坏了'],
    ['张经理 13800138000 厂门口路灯坏了', '厂门口路灯坏了'],
    ['路灯坏了，张三 电话：13800138000，三天了', '路灯坏了，三天了'],
    ['路灯坏了 张三电话13800138000', '路灯坏了'],
    ['路灯坏了，欧阳娜娜 电话 139 1234 5678', '路灯坏了'],
    ['路灯坏了，张三（电话13800138000）', '路灯坏了'],
    ['路灯坏了，张三：13800138000', '路灯坏了'],
    ['路灯坏了，王女士 手机138转0013转8000', '路灯坏了'],
    ['路灯坏了，张三 邮箱 zhang@163.com 谢谢', '路灯坏了，谢谢'],
  ])('removes the bare name with its phone: %s', (text, out) => {
    expect(withoutContactDetails(text)).toBe(out);
  });

  // A company, a road, a district or a word of time before a removed phone is the problem's, and stays.
  it.each([
    ['青山精密机械有限公司 电话13800138000', '青山精密机械有限公司'],
    ['青山精密机械有限公司张经理 13800138000', '青山精密机械有限公司'],
    ['厂门口路灯坏了，联系人张三 电话13800138000 人民路128号', '厂门口路灯坏了，人民路128号'],
    ['人民路 13800138000', '人民路'],
    ['江北区 电话13800138000', '江北区'],
    ['黄河路128号门口积水，电话13800138000', '黄河路128号门口积水'],
    ['路灯坏了，周末电话13800138000', '路灯坏了，周末'],
  ])('keeps the words before a removed phone that name no one: %s', (text, out) => {
    expect(withoutContactDetails(text)).toBe(out);
  });

  // The same words around numbers that are nobody's contact: they are the problem, and stay.
  it.each([
    '电话打不通，2026年11月30日起停电，欠款 150 万元',
    '电话 2026-11-30 打过，没人接',
    '手机信号差，工单 GZ-20261123-0001 还没处理',
    '座机在人民路128号3栋502室，邮编 31001',
    '电话通知了 3000 户，120 台设备，打款 1500000 元',
    '打款1500000，电话打了 12 次',
    '电话里说 1,500,000 元，拨打12345热线三次',
    '拨打12345转0转8反映过三次，95598按2也没人接',
    '手机 5 台、电话 8 部，邮编 310012',
    '电表号码 1234567 走字不准',
    '微信转了20000元，QQ群里说过',
    '打印机 2 台坏了，wx 的字样看不清',
    'arrive at 10.30 am, 我们 at 现场 dot 看了',
  ])('keeps %s', (text) => {
    expect(withoutContactDetails(text)).toBe(text);
  });

  it('gets through megabytes of phone words, digits and separators', () => {
    withoutContactDetails('电话'.repeat(500_000));
    withoutContactDetails('电话1 '.repeat(200_000));
    withoutContactDetails(`手机${'1 '.repeat(500_000)}`);
    withoutContactDetails('微信 a'.repeat(200_000));
    withoutContactDetails(`张三${' '.repeat(1_000_000)}好`);
    withoutContactDetails('张三 13800138000 '.repeat(60_000));
    withoutContactDetails('，张三'.repeat(300_000));
  });
});
