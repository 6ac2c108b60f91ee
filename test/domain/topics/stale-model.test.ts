import { describe, expect, it } from 'vitest';
import { checkPairModel, LEARNED_PAIR_MODEL, PAIR_FEATURES, type PairModel } from '../../../src/domain/topics/pair-model';

describe('topics: a stale pair model file', () => {
  const model = LEARNED_PAIR_MODEL!;
  const retrain = 'npm run train:topics -- --write';

  it('is refused with the command that rewrites it when the features changed', () => {
    const stale: PairModel = { ...model, features: [...PAIR_FEATURES.slice(0, -1)] };
    expect(() => checkPairModel(stale)).toThrow(retrain);
  });

  it('is refused with the command that rewrites it when the interactions changed', () => {
    const stale: PairModel = { ...model, weights: model.weights.slice(0, -1) };
    expect(() => checkPairModel(stale)).toThrow(retrain);
    expect(() => checkPairModel(stale)).toThrow(/pair-model-trained\.ts/);
  });

  it('passes as shipped', () => {
    expect(checkPairModel(model)).toBe(model);
  });
});
