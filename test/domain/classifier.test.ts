import { describe, expect, it } from 'vitest';
import { normaliseText, stripBotMention } from '../../src/domain/classifier/normalise';
import { createDefaultClassifier } from '../../src/domain/classifier/default';
import { createRulesClassifier } from '../../src/domain/classifier/rules';
import { maskPersonalData } from '../../src/domain/mask';
import { textSimilarity } from '../../src/domain/similarity';

describe.each([
  ['trained model (default)', createDefaultClassifier()],
  ['keyword rules', createRulesClassifier()],
])('%s on the taxonomy examples', (_name, c) => {
  it.each([
    ['我们申请的排污许可证变更，系统里一直显示待受理', 'help', 'approval', 'normal'],
    ['厂区配电室跳闸，整条线停了，供电所电话没人接', 'help', 'utilities', 'urgent'],
    ['建议园区统一建设员工公寓', 'suggestion', 'labor', 'normal'],
    ['有单位以“年度评比”名义向企业收取赞助费', 'report', 'fees', 'normal'],
    ['我们厂新建的厂房申请用电报装一个月了还没接通', 'help', 'utilities', 'normal'],
    ['我们的投标保证金半年了还没退', 'help', 'payment', 'normal'],
    ['园区路灯坏了半年了没人修', 'help', 'environment', 'normal'],
  ])('%s → issue %s/%s/%s', (text, type, category, urgency) => {
    expect(c.classify(text)).toMatchObject({ isIssue: true, type, category, urgency });
  });

  it.each(['感谢住建局，问题已经解决了', '【通知】明天上午召开政企座谈会', '收到', '好的', '已填写', '[图片]', '你好', '代理记账，低价代办执照，加微信'])(
    '%s → not an issue',
    (text) => {
      expect(c.classify(text)).toMatchObject({ isIssue: false, type: null, category: null, urgency: null });
    },
  );
});

describe('trained model', () => {
  const c = createDefaultClassifier();
  it('reads Traditional characters and voice-input style like Simplified text', () => {
    expect(c.classify('我們廠的用電報裝一個月了還沒接通')).toMatchObject({ isIssue: true, category: 'utilities' });
    expect(c.classify('那个 我们的投标保证金 就是半年了还没退 怎么办')).toMatchObject({ isIssue: true, category: 'payment' });
  });

  it('does not open tickets for an official reply quoted back or a praise story', () => {
    expect(c.classify('您好！您反映的问题已收悉。经核实，该路段路灯已于本周完成维修，现答复如下：如仍有问题请联系园区管委会。感谢您对我们工作的支持。')).toMatchObject({ isIssue: false });
    expect(c.classify('以前办个施工许可要跑好几趟，材料改来改去，这次网上提交三天就拿到了，真没想到这么快，给住建局点赞！')).toMatchObject({ isIssue: false });
  });

  it('keeps a complaint that carries a phone, an ID or a bank-card number', () => {
    const r = c.classify('我们公司的出口退税申请三个月了还没到账，联系人张先生 13912345678，对公账户 6222 0212 3456 7890 123');
    expect(r).toMatchObject({ isIssue: true, category: 'tax' });
    // The numbers themselves decide nothing: another number gives the same answer.
    expect(c.classify('我们公司的出口退税申请三个月了还没到账，联系人张先生 13698765432，对公账户 6228 4800 1111 2222 333')).toEqual(r);
  });

  it('understands English and mixed messages from foreign-invested enterprises', () => {
    expect(c.classify('Our factory has had no electricity since this morning and the production line is stopped. Please help!')).toMatchObject({ isIssue: true, category: 'utilities' });
    expect(c.classify('Our VAT invoices cannot be issued because the tax control system keeps failing, please help.')).toMatchObject({ isIssue: true, category: 'tax' });
    expect(c.classify('我们工厂从早上开始no electricity，生产线全停了，求助')).toMatchObject({ isIssue: true, category: 'utilities' });
  });

  it('treats a two-character fragment naming a problem as an issue', () => {
    expect(c.classify('停电')).toMatchObject({ isIssue: true, category: 'utilities' });
  });

  it('gives calibrated confidences: the product of P(issue) and P(category)', () => {
    const r = c.classify('厂区配电室跳闸，整条线停了，供电所电话没人接');
    expect(r.confidence).toBeCloseTo(r.issueProbability! * r.categoryProbability!, 2);
    const vague = c.classify('我们公司有个事情想找人问问，怎么办');
    expect(!vague.isIssue || vague.confidence < r.confidence).toBe(true);
  });
});

describe('text helpers', () => {
  it('normalises full-width text, placeholders and mentions', () => {
    expect(normaliseText('＠共治助手 ＡＢＣ１２３[图片]😀')).toBe('abc123');
    expect(stripBotMention('@共治助手\u2005/认领 3', '共治助手')).toBe('/认领 3');
  });

  it('masks phone, ID-card and bank numbers', () => {
    const m = maskPersonalData('电话13812345678 身份证110105199001011234 卡号6222021234567890123');
    expect(m).toBe('电话138****5678 身份证110105***********4 卡号6222***********0123');
  });

  it('scores rephrasings of one problem as similar and different problems as not', () => {
    expect(textSimilarity('开发区东区道路积水严重，下雨天货车进不来', '开发区东区道路积水很严重，下雨天货车都进不来')).toBeGreaterThan(0.6);
    expect(textSimilarity('开发区东区道路积水严重', '营业执照变更一直没办下来')).toBeLessThan(0.2);
  });
});
