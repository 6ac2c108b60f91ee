import { expect, it } from 'vitest';
import { maskPhone, normalisePhone } from '../../src/domain/phone';

it('accepts mainland mobiles and landlines as people type them, and nothing else', () => {
  expect(normalisePhone('138 0013 8000')).toBe('13800138000');
  expect(normalisePhone('+86 138-0013-8000')).toBe('13800138000');
  expect(normalisePhone('0571-8888 6666')).toBe('057188886666');
  expect(normalisePhone('（010）12345678')).toBe('01012345678');
  for (const bad of ['12345', '12800138000', '1380013800', 'abc', '', '138001380001']) expect(normalisePhone(bad)).toBeNull();
  expect(maskPhone('13800138000')).toBe('138****8000');
});
