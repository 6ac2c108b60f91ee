import { expect, it } from 'vitest';
import { publishSurveyFigures, surveyFigures } from '../../src/domain/survey';

// Review finding: "不显示哪家企业打了几分" does not hold. Results are live while the campaign is
// open (console 会商会办 page) and per department AND per region: two figures that differ by one
// enterprise give that enterprise's exact score.
const Q = [{ id: 'q1', text: '总体满意度' }];
const name = (k: string) => k;

it('one enterprise’s score cannot be recovered from two published figures', () => {
  // Four enterprises served by 住建局; three also by 供电公司 (the fourth only by 住建局).
  const inv = [
    { keys: ['zhujian', 'power'], answered: true },
    { keys: ['zhujian', 'power'], answered: true },
    { keys: ['zhujian', 'power'], answered: true },
    { keys: ['zhujian'], answered: true },
  ];
  const res = [
    { keys: ['zhujian', 'power'], scores: { q1: 5 } },
    { keys: ['zhujian', 'power'], scores: { q1: 5 } },
    { keys: ['zhujian', 'power'], scores: { q1: 4 } },
    { keys: ['zhujian'], scores: { q1: 1 } },
  ];
  const f = surveyFigures(Q as never, inv, res, name);
  const z = f.find((x) => x.key === 'zhujian')!;
  const p = f.find((x) => x.key === 'power')!;
  // 住建局 knows the one enterprise it served alone; its score is 4·avg(住建) − 3·avg(供电).
  const recovered = z.overall !== null && p.overall !== null ? Math.round(z.answered * z.overall - p.answered * p.overall) : null;
  expect(recovered).toBeNull(); // fails: recovered === 1
});

it('withholds the nested figure at the minimum the deployment chose (3), and publishes the broader one', () => {
  const inv = [
    { keys: ['zhujian', 'power'], answered: true },
    { keys: ['zhujian', 'power'], answered: true },
    { keys: ['zhujian', 'power'], answered: true },
    { keys: ['zhujian'], answered: true },
  ];
  const res = [
    { keys: ['zhujian', 'power'], scores: { q1: 5 } },
    { keys: ['zhujian', 'power'], scores: { q1: 5 } },
    { keys: ['zhujian', 'power'], scores: { q1: 4 } },
    { keys: ['zhujian'], scores: { q1: 1 } },
  ];
  const f = surveyFigures(Q as never, inv, res, name, { minAnswers: 3 });
  const z = f.find((x) => x.key === 'zhujian')!;
  const p = f.find((x) => x.key === 'power')!;
  expect(z.overall).toBe(3.75);
  expect(p.overall).toBeNull();
  expect(p.withheld).toBe('overlap');
  expect(p.answered).toBe(3); // counts stay; only the average is withheld
  // A minimum below 3 is raised to 3: two answers never make a figure.
  const two = surveyFigures(Q as never, inv.slice(0, 2), res.slice(0, 2), name, { minAnswers: 1 });
  expect(two.every((x) => x.overall === null && x.withheld === 'few')).toBe(true);
});

it('publishes sets that differ by at least the minimum, across departments and regions', () => {
  // 10 answers: 住建局 all 10, 供电 the first 5 (differs from 住建局 by 5 ≥ 5), 青山县 the first 9 (differs by 1: withheld).
  const scores = Array.from({ length: 10 }, (_, i) => ({ q1: (i % 5) + 1 }));
  const dept = scores.map((_, i) => (i < 5 ? ['zhujian', 'power'] : ['zhujian']));
  const region = scores.map((_, i) => (i < 9 ? ['qingshan'] : ['hexi']));
  const [byDept, byRegion] = publishSurveyFigures(
    Q as never,
    scores,
    [
      { invitations: dept.map((keys) => ({ keys, answered: true })), responseKeys: dept, name },
      { invitations: region.map((keys) => ({ keys, answered: true })), responseKeys: region, name },
    ],
    5,
  );
  expect(byDept!.find((x) => x.key === 'zhujian')!.overall).not.toBeNull();
  expect(byDept!.find((x) => x.key === 'power')!.overall).not.toBeNull();
  const qs = byRegion!.find((x) => x.key === 'qingshan')!;
  expect(qs.overall).toBeNull(); // 10·avg(住建) − 9·avg(青山) would be the one 河西县 answer
  expect(qs.withheld).toBe('overlap');
  expect(byRegion!.find((x) => x.key === 'hexi')!.withheld).toBe('few');
});
