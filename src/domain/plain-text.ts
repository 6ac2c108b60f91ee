/**
 * Characters no text of ours may hold: C0 controls other than tab and line breaks, DEL, the
 * non-characters U+FFFE/U+FFFF and lone surrogates. PostgreSQL refuses NUL in text, and XML 1.0
 * (the xlsx ledger's sheets) refuses all of them, so one pasted character would fail a report or
 * damage the monthly ledger file.
 */
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const stripUnsafeChars = (s: string): string => s.replace(UNSAFE, '');
