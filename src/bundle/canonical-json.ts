/**
 * Canonical JSON: object keys sorted, no whitespace, strings escaped the way Go's
 * encoding/json escapes them with SetEscapeHTML(false). It is the text of data.json and
 * .manifest in aegis bundles, and it is byte for byte what OPA feeds to SHA-256 when it signs
 * or verifies a structured bundle file (bundle/hash.go `walk` + `encodePrimitive`), so that
 * sha256(canonical form) is the digest `opa sign` lists in .signatures.json.
 *
 * Subtleties, all forced by matching OPA:
 * - Keys sort by UTF-8 bytes (Go's sort.Strings), which is code point order, not JavaScript's
 *   UTF-16 order: they differ for characters above U+FFFF against U+E000..U+FFFF.
 * - U+2028 and U+2029 are written as \u2028 and \u2029 (Go always escapes them; JSON.stringify
 *   does not). Lone surrogates become U+FFFD, which is what Go's decoder turns them into.
 * - Numbers. OPA decodes bundle JSON with UseNumber, so it hashes each number's literal text
 *   verbatim: `1.0`, `1e2` and `100` hash differently. JavaScript numbers lose that text, so
 *   `canonicalJson(JSON.parse(text))` is NOT OPA's canonical form of `text`; use
 *   `canonicalizeJsonText` for JSON written by someone else. For values aegis builds in
 *   JavaScript, `canonicalJson` formats numbers as JSON.stringify does (which is also how Go
 *   formats a float64: exponent form below 1e-6 and from 1e21, e.g. `1e+21`, `1e-7`); the file
 *   then carries that text, so OPA's hash of the file equals sha256 of our output.
 * - Go before 1.22 escaped \b and \f as \u0008 and \u000c; an OPA built with Go 1.22 or
 *   later (the pinned v1.22.3 is built with Go 1.26) writes \b and \f as JSON.stringify does.
 */

import { compareCodePoints } from '../engine/strings.js';

/** A number kept as its literal text, as Go's json.Number keeps it. */
export class JsonNumberLiteral {
  constructor(readonly text: string) {}
}

/** Serializes a JSON-compatible value canonically. Throws TypeError for anything that is not
 * JSON (a bug in the caller: every value aegis serializes is built by aegis). Object properties
 * whose value is `undefined` are left out, as JSON.stringify leaves them out. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, 0);
  return out.join('');
}

export type CanonicalizeResult = { ok: true; text: string } | { ok: false; message: string };

/**
 * The canonical form of a JSON document as OPA hashes it: a leading UTF-8 BOM is dropped (as
 * util.Unmarshal drops it), number literals are kept verbatim, a repeated key keeps its last
 * value (Go's behaviour). Invalid UTF-8 is refused rather than replaced, because Go and the
 * WHATWG decoder replace malformed sequences with different numbers of U+FFFD.
 */
export function canonicalizeJsonText(input: string | Uint8Array): CanonicalizeResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      return { ok: false, message: 'not valid UTF-8' };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed = parseJsonPreservingNumbers(text);
  if (!parsed.ok) return parsed;
  return { ok: true, text: canonicalJson(parsed.value) };
}

const MAX_DEPTH = 1000;

function write(value: unknown, out: string[], depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError(`canonicalJson: nesting deeper than ${MAX_DEPTH}`);
  if (value === null) {
    out.push('null');
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not JSON`);
    out.push(JSON.stringify(value));
  } else if (typeof value === 'string') {
    out.push(encodeString(value));
  } else if (value instanceof JsonNumberLiteral) {
    out.push(value.text);
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      if (item === undefined) throw new TypeError('canonicalJson: undefined in an array');
      write(item, out, depth + 1);
    });
    out.push(']');
  } else if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort(compareCodePoints);
    out.push('{');
    keys.forEach((key, i) => {
      if (i > 0) out.push(',');
      out.push(encodeString(key), ':');
      write(value[key], out, depth + 1);
    });
    out.push('}');
  } else {
    throw new TypeError(`canonicalJson: a ${typeof value} is not JSON`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function encodeString(value: string): string {
  // JSON.stringify already escapes ", \ and control characters exactly as Go 1.22+ does.
  return JSON.stringify(value.replace(LONE_SURROGATE, '\uFFFD'))
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

type ParseResult = { ok: true; value: unknown } | { ok: false; message: string };

/** A strict RFC 8259 parser that keeps number literals (JSON.parse would round them). */
function parseJsonPreservingNumbers(text: string): ParseResult {
  let pos = 0;
  const fail = (message: string): never => {
    throw new JsonTextError(`${message} at offset ${pos}`);
  };
  const skipSpace = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else return;
    }
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipSpace();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const object: Record<string, unknown> = Object.create(null);
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return object;
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail('expected a string key');
        const key = string();
        skipSpace();
        if (text[pos] !== ':') fail("expected ':'");
        pos++;
        object[key] = value(depth + 1);
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return object;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      pos++;
      const array: unknown[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return array;
      }
      for (;;) {
        array.push(value(depth + 1));
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return array;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    for (const [word, result] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return result;
      }
    }
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = pos;
    const match = number.exec(text);
    if (!match) return fail('unexpected character');
    pos += match[0].length;
    return new JsonNumberLiteral(match[0]);
  };
  const string = (): string => {
    pos++; // the opening quote
    let result = '';
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === 0x22) {
        pos++;
        return result;
      }
      if (c < 0x20) fail('control character in string');
      if (c !== 0x5c) {
        PLAIN_RUN.lastIndex = pos;
        const run = PLAIN_RUN.exec(text)?.[0] ?? '';
        result += run;
        pos += run.length;
        continue;
      }
      const escaped = text[pos + 1];
      const simple = escaped === undefined ? undefined : SIMPLE_ESCAPES[escaped];
      if (simple !== undefined) {
        result += simple;
        pos += 2;
        continue;
      }
      if (escaped !== 'u') fail('invalid escape');
      const unit = hex4(pos + 2);
      if (unit >= 0xd800 && unit <= 0xdfff) {
        // Go pairs a surrogate escape with the next escape only when they form a valid pair;
        // otherwise it yields U+FFFD and reads the next escape on its own.
        const low = text.startsWith('\\u', pos + 6) ? hex4(pos + 8) : -1;
        if (unit < 0xdc00 && low >= 0xdc00 && low <= 0xdfff) {
          result += String.fromCharCode(unit, low);
          pos += 12;
        } else {
          result += '\uFFFD';
          pos += 6;
        }
        continue;
      }
      result += String.fromCharCode(unit);
      pos += 6;
    }
  };
  const hex4 = (at: number): number => {
    const digits = text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) fail('invalid \\u escape');
    return Number.parseInt(digits, 16);
  };

  try {
    const result = value(0);
    skipSpace();
    if (pos !== text.length) fail('unexpected text after the JSON value');
    return { ok: true, value: result };
  } catch (error) {
    if (error instanceof JsonTextError) return { ok: false, message: error.message };
    throw error;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: a run ends at a control character, which JSON forbids raw
const PLAIN_RUN = /[^"\\\u0000-\u001f]+/y;

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class JsonTextError extends Error {}
