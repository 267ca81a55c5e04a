/**
 * Rego terms written the way `opa fmt` writes them, so that the emitted modules come out of
 * `opa fmt` unchanged: strings as JSON strings (fmt keeps a string's text as written),
 * composite values on one line with `, ` and `: `, refs with `.key` where fmt would use it.
 */
import type { JsonValue } from '../../policy/types.js';

/** Rego v1 keywords: fmt keeps `["in"]` in brackets because `.in` would not parse. */
const KEYWORDS = new Set([
  'as',
  'contains',
  'default',
  'else',
  'every',
  'false',
  'if',
  'import',
  'in',
  'not',
  'null',
  'package',
  'some',
  'true',
  'with',
]);

/** A name that fmt writes after a dot in a ref and that may name a rule or a variable. */
export function isRegoName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name);
}

/** A string literal. JSON's escapes are Rego's; the text is what fmt keeps. */
export function regoString(value: string): string {
  return JSON.stringify(value);
}

/**
 * A regex as a raw string (`...`), which reads like the source pattern, unless it contains a
 * backtick, which a raw string cannot hold.
 */
export function regoPattern(regex: string): string {
  return regex.includes('`') ? regoString(regex) : `\`${regex}\``;
}

/** A JSON value as a Rego literal on one line. */
export function regoValue(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(regoValue).join(', ')}]`;
  const entries = Object.entries(value).map(([key, item]) => `${regoString(key)}: ${regoValue(item)}`);
  return `{${entries.join(', ')}}`;
}

/** `root.a["b-c"].d`: a ref from a root (`input.params`, `package aegis.policies`) by keys. */
export function regoRef(root: string, keys: readonly string[]): string {
  return root + keys.map((key) => (isRegoName(key) ? `.${key}` : `[${regoString(key)}]`)).join('');
}

/**
 * Text that is safe on one comment line: control characters (a newline would end the comment
 * and turn the rest of a policy-supplied name into code) are written as JSON escapes.
 */
export function commentText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** A name quoted for a comment: `"finance-agent"`. */
export function quoted(text: string): string {
  return commentText(JSON.stringify(text));
}
