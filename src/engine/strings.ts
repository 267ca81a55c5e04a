/**
 * String operations with Go's (and so Rego's) meaning rather than JavaScript's: code point
 * order and length, and `strings.ToLower`'s per-character simple case mapping.
 */

/** -1, 0, 1 by Unicode code point (UTF-8 byte order), not by UTF-16 code unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) sort after U+E000..U+FFFF in code point order.
      return fixup(x) < fixup(y) ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function fixup(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Length in code points, as Rego's `count` on a string. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Go's `strings.ToLower` (Rego's `lower`): each code point through its simple lower-case
 * mapping. JavaScript's `toLowerCase` differs on U+0130 (to "i̇", two code points) and on
 * final sigma (context-dependent), hence the per-character mapping.
 */
export function goLower(s: string): string {
  // ASCII (hosts, names) is the common case, mostly lower-case already: then `s` itself.
  let upper = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return lowerEach(s);
    if (c >= 65 && c <= 90) upper = true;
  }
  return upper ? s.toLowerCase() : s;
}

function lowerEach(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '\u0130') {
      out += 'i';
      continue;
    }
    const lower = ch.toLowerCase();
    out += lower.length === ch.length ? lower : ch;
  }
  return out;
}

/** RFC 6901 JSON pointer of a path of keys and array indexes. */
export function jsonPointer(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    const text = String(segment);
    out +=
      text.includes('~') || text.includes('/')
        ? `/${text.replaceAll('~', '~0').replaceAll('/', '~1')}`
        : `/${text}`;
  }
  return out;
}
