/**
 * Mainland phone numbers as enterprises type them: mobiles (138 0013 8000, +86 138…) and
 * landlines with area code (0571-8888 6666). Returns the canonical digits, or null.
 */
export function normalisePhone(input: string): string | null {
  const digits = input.replace(/[\s\-()（）]/g, '').replace(/^(\+?86)(?=1[3-9]\d{9}$)/, '');
  if (/^1[3-9]\d{9}$/.test(digits)) return digits;
  if (/^0\d{2,3}\d{7,8}$/.test(digits)) return digits;
  return null;
}

/** 138****8000 — for anything shown outside the ticket itself. */
export function maskPhone(phone: string): string {
  return phone.length >= 8 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}
