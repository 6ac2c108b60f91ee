import { describe, expect, it } from 'vitest';
import { createLinearClassifier } from '../../src/domain/classifier/linear-classifier';
import { createLearner } from '../../src/domain/classifier/learner';
import model from '../../src/domain/classifier/model-data.json';
import type { LinearModelData } from '../../src/domain/classifier/linear';

// A fresh decode per test: learners never share a delta.
const base = () => createLinearClassifier(model as unknown as LinearModelData);

describe('learning from staff corrections', () => {
  it('one correction changes the next classification of a similar message', () => {
    const learner = createLearner(base());
    const before = learner.classify('鑫隆牌滤芯罐又坏了');
    const target = before.category === 'legal' ? 'labor' : 'legal';
    learner.learn({ text: '鑫隆牌滤芯罐坏了，谁来管一下', isIssue: true, category: target, type: 'help' });
    expect(learner.classify('鑫隆牌滤芯罐又坏了')).toMatchObject({ isIssue: true, category: target });
  });

  it('a "not an issue" correction silences the same kind of message', () => {
    const learner = createLearner(base());
    learner.learn({ text: '本周五园区篮球赛报名截止，请各企业抓紧报名', isIssue: false, category: null, type: null });
    expect(learner.classify('本周五园区篮球赛报名截止，请抓紧报名').isIssue).toBe(false);
  });

  it('twenty hostile corrections cannot flip an unrelated clear message', () => {
    const learner = createLearner(base());
    const clear = '厂区配电室跳闸，整条生产线停了，供电所电话没人接';
    expect(learner.classify(clear)).toMatchObject({ isIssue: true, category: 'utilities' });
    const hostile = ['营业执照变更', '出口退税', '投标保证金没退', '路灯坏了', '招不到工人', '贷款续贷', '补贴没到账', '检查太多', '乱收费', '合同纠纷'];
    for (let i = 0; i < 20; i++) {
      const text = `${hostile[i % hostile.length]}的问题第${i}次反映了`;
      learner.learn(i % 2 ? { text, isIssue: false, category: null, type: null } : { text, isIssue: true, category: 'other', type: 'consult' });
    }
    expect(learner.corrections).toBe(20);
    expect(learner.classify(clear)).toMatchObject({ isIssue: true, category: 'utilities' });
  });

  it('bounds the total change whatever the number of corrections', () => {
    const learner = createLearner(base(), { steps: 6, rate: 1.5, perCorrection: 4, total: 10 });
    for (let i = 0; i < 200; i++) learner.learn({ text: `随便写的第${i}条消息，内容各不相同${String.fromCharCode(0x4e00 + i * 37)}`, isIssue: false, category: null, type: null });
    expect(learner.norm()).toBeLessThanOrEqual(10 + 1e-9);
  });
});
