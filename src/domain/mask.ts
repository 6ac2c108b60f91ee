// Public group posts must not leak personal data; the ticket keeps the full text.
const ID_CARD = /(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)/g;
const MOBILE = /(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g;
const LANDLINE = /(?<!\d)(0\d{2,3})-?(\d{3,4})(\d{4})(?!\d)/g;
const BANK_CARD = /(?<!\d)(\d{4})\d{8,11}(\d{4})(?!\d)/g;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

export function maskPersonalData(text: string): string {
  return text
    .replace(ID_CARD, (_m, a: string, _b: string, c: string) => `${a}${'*'.repeat(11)}${c.slice(-1).toUpperCase()}`)
    .replace(MOBILE, '$1****$3')
    .replace(LANDLINE, '$1-****$3')
    .replace(BANK_CARD, '$1********$2')
    .replace(EMAIL, '$1***$2');
}
