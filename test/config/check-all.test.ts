import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/parse';
import { EXAMPLE } from '../helpers/runtime';

const example = readFileSync(EXAMPLE, 'utf8');
const problems = (text: string): string[] => {
  try {
    parseConfig(text, 'county.yaml', {});
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('config check lists every problem at once', () => {
  it('reports an unknown department beside a type error, not one round later', () => {
    const text = example.replace('ticketPrefix: GZ', 'ticketPrefix: 5').replace('department: power, role: staff', 'department: nowhere, role: staff');
    expect(text).not.toBe(example);
    const found = problems(text);
    expect(found).toEqual(expect.arrayContaining([expect.stringContaining('deployment.ticketPrefix'), expect.stringContaining('未定义的部门 "nowhere"')]));
  });

  it('does not invent reference problems from the values it set aside', () => {
    const found = problems(example.replace('ticketPrefix: GZ', 'ticketPrefix: 5'));
    expect(found).toHaveLength(1);
  });
});
