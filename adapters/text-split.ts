const encoder = new TextEncoder();
export const utf8Length = (s: string) => encoder.encode(s).length;

/**
 * Splits a post into pieces under a platform's UTF-8 byte limit, at line breaks where it can,
 * and numbers the pieces so readers see nothing is missing.
 */
export function splitByBytes(text: string, maxBytes: number): string[] {
  if (utf8Length(text) <= maxBytes) return [text];
  const budget = maxBytes - 16; // room for the "(2/3)" marker
  const pieces: string[] = [];
  let current = '';
  const flush = () => {
    if (current) pieces.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (utf8Length(candidate) <= budget) {
      current = candidate;
      continue;
    }
    flush();
    if (utf8Length(line) <= budget) {
      current = line;
      continue;
    }
    let chunk = '';
    for (const ch of line) {
      if (utf8Length(chunk + ch) > budget) {
        pieces.push(chunk);
        chunk = '';
      }
      chunk += ch;
    }
    current = chunk;
  }
  flush();
  return pieces.map((p, i) => `${p}\n(${i + 1}/${pieces.length})`);
}
