/** Words for values and places in schema messages: what a user reads instead of ajv's text. */

/** JSON Schema type names as a policy author says them (YAML has lists and mappings). */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'an empty value',
};

/** `"number"` or ajv's `"string,number"` -> "a number", "a string or a number". */
export function expectedType(schemaType: unknown): string {
  const names = Array.isArray(schemaType) ? schemaType.map(String) : String(schemaType).split(',');
  return names.map((n) => TYPE_WORDS[n] ?? n).join(' or ');
}

/** What a value is, for "got ...". A fractional number where an integer was expected shows itself. */
export function actualType(value: unknown, expected?: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  // ajv's strictNumbers rejects YAML's .inf and .nan as numbers; say which value it was.
  if (typeof value === 'number')
    return expected === 'integer' || !Number.isFinite(value) ? String(value) : 'a number';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'true or false';
  return 'a mapping';
}

const MAX_SHOWN = 40;

/** A value short enough to quote in a one-line message (1e400 as Infinity, not JSON's null). */
export function showValue(value: unknown): string {
  const text =
    typeof value === 'string' || (typeof value === 'number' && !Number.isFinite(value))
      ? String(value)
      : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

export function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** "`rps`", or "item 2 of `actions`" for a list element; "the policy" for the whole document. */
export function subjectAt(pointer: string): string {
  const segments = decodePointer(pointer);
  const last = segments.at(-1);
  if (last === undefined) return 'the policy';
  if (/^\d+$/.test(last)) {
    const parent = segments.at(-2);
    const item = `item ${Number(last) + 1}`;
    return parent === undefined ? item : `${item} of \`${parent}\``;
  }
  return `\`${last}\``;
}

/** A hint for the two commonest type slips: a quoted number, and a scalar where a list goes. */
export function typeHint(value: unknown, expected: unknown): string | undefined {
  if (value === null || value === undefined) return 'give it a value, or remove the key';
  const wantsNumber = expected === 'number' || expected === 'integer';
  if (
    wantsNumber &&
    typeof value === 'string' &&
    value.trim() !== '' &&
    Number.isFinite(Number(value))
  ) {
    return `remove the quotes: ${value.trim()}`;
  }
  // YAML and JSON read a number too large for a 64-bit float (2e308) as Infinity; `.inf` and
  // `.nan` are YAML's own spellings.
  if (wantsNumber && typeof value === 'number' && !Number.isFinite(value)) {
    return 'numbers in a policy are finite: at most about 1.8e308 either way';
  }
  // The same number quoted.
  if (
    wantsNumber &&
    typeof value === 'string' &&
    /^[-+]?[0-9.]+[eE][-+]?[0-9]+$/.test(value) &&
    !Number.isFinite(Number(value))
  ) {
    return `${value} is beyond the largest number, about 1.8e308`;
  }
  if (expected === 'array' && (typeof value === 'string' || typeof value === 'number')) {
    return `write a list: [${showValue(value)}]`;
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `quote it: "${String(value)}"`;
  }
  return undefined;
}

/** "`a`, `b`, `c`" */
export function listCode(values: readonly unknown[]): string {
  return values.map((v) => `\`${showValue(v)}\``).join(', ');
}
