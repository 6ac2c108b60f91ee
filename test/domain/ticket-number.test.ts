import { describe, expect, it } from 'vitest';
import { findTicketNumbers, formatTicketNumber, parseTicketRef } from '../../src/domain/ticket-number';

describe('ticket numbers', () => {
  it('use the China date, so a message at 23:30 Beijing time on the 22nd counts on the 22nd', () => {
    expect(formatTicketNumber('GZ', new Date('2026-11-22T15:30:00Z'), 7)).toBe('GZ-20261122-0007');
    expect(formatTicketNumber('GZ', new Date('2026-11-22T16:30:00Z'), 7)).toBe('GZ-20261123-0007');
  });

  it('accept full numbers in any case and short numbers as people type them', () => {
    expect(parseTicketRef('gz-20261123-0007')).toEqual({ kind: 'full', number: 'GZ-20261123-0007' });
    expect(parseTicketRef('GZ202611237')).toEqual({ kind: 'full', number: 'GZ-20261123-0007' });
    expect(parseTicketRef('7')).toEqual({ kind: 'short', seq: 7 });
    expect(parseTicketRef('#0007')).toEqual({ kind: 'short', seq: 7 });
    expect(parseTicketRef('0')).toBeNull();
    expect(parseTicketRef('住建局')).toBeNull();
  });

  it('find the ticket a quoted bot message is about', () => {
    expect(findTicketNumbers('GZ-20261123-0007【派单】国网青山县供电公司')).toEqual(['GZ-20261123-0007']);
  });
});
