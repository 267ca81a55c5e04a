import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalizeJsonText, canonicalJson } from '../../src/bundle/canonical-json.js';
import { findOpa } from '../../src/engine/opa-binary.js';
import { compareCodePoints } from '../../src/engine/strings.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('canonicalJson', () => {
  it('sorts keys recursively and writes no whitespace', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: 2 }], a: { y: true, x: null } })).toBe(
      '{"a":{"x":null,"y":true},"b":[3,{"c":2,"d":1}]}',
    );
  });

  it('sorts keys by UTF-8 bytes like Go, not by UTF-16 units', () => {
    const astral = '\u{10000}';
    const high = '\uFFFF';
    // JavaScript's default sort puts the astral key (a surrogate pair, 0xD800...) first.
    expect([astral, high].sort()[0]).toBe(astral);
    expect(canonicalJson({ [astral]: 1, [high]: 2 })).toBe(`{"${high}":2,"${astral}":1}`);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('\uE000', '\u{1F600}')).toBeLessThan(0);
  });

  it('escapes strings as Go does with SetEscapeHTML(false)', () => {
    expect(canonicalJson('<&>"\\\u0001\b\f\n\r\t\u007f')).toBe(
      '"<&>\\"\\\\\\u0001\\b\\f\\n\\r\\t\u007f"',
    );
    expect(canonicalJson('a\u2028b\u2029')).toBe('"a\\u2028b\\u2029"');
    expect(canonicalJson('x\uD800y\uDC00')).toBe('"x\uFFFDy\uFFFD"');
    expect(canonicalJson('\u{1F600}')).toBe('"\u{1F600}"');
  });

  it('formats numbers as JSON.stringify (and Go float64) do, and refuses non-JSON', () => {
    expect(canonicalJson([1e21, 1e-7, 0.000001, -0, 1.5, 123456789012])).toBe(
      '[1e+21,1e-7,0.000001,0,1.5,123456789012]',
    );
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(new Date(0))).toThrow(TypeError);
    expect(() => canonicalJson([undefined])).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('canonicalizeJsonText', () => {
  it('keeps number literals verbatim, as OPA (json.Number) hashes them', () => {
    const result = canonicalizeJsonText(
      '{ "b": 1.0, "a": [1E5, -0, 100000000000000000000000, 1e-07] }',
    );
    expect(result).toEqual({
      ok: true,
      text: '{"a":[1E5,-0,100000000000000000000000,1e-07],"b":1.0}',
    });
  });

  it('decodes escapes the way Go does, surrogates included', () => {
    const text = String.raw`["\ud83d\ude00","\ud800x","\ud800\u0041","\udc00","\/","\u00e9"]`;
    expect(canonicalizeJsonText(text)).toEqual({
      ok: true,
      text: '["\u{1F600}","\uFFFDx","\uFFFDA","\uFFFD","/","é"]',
    });
  });

  it('drops a BOM, keeps the last of repeated keys, and accepts __proto__ as a key', () => {
    const bytes = new TextEncoder().encode('\uFEFF{"a":1,"__proto__":2,"a":3}');
    expect(canonicalizeJsonText(bytes)).toEqual({ ok: true, text: '{"__proto__":2,"a":3}' });
  });

  it.each([
    ['trailing text', '{} x'],
    ['a trailing comma', '[1,]'],
    ['a leading zero', '01'],
    ['a bare control character', '"a\u0001"'],
    ['a bad escape', '"\\x"'],
    ['single quotes', "{'a':1}"],
    ['an unterminated string', '"abc'],
    ['nesting past the limit', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ])('refuses %s', (_name, text) => {
    expect(canonicalizeJsonText(text).ok).toBe(false);
  });

  it('refuses invalid UTF-8 rather than guessing how Go would replace it', () => {
    expect(canonicalizeJsonText(Uint8Array.of(0x22, 0xe2, 0x82, 0x22))).toEqual({
      ok: false,
      message: 'not valid UTF-8',
    });
  });
});

describe('agreement with `opa sign`', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('hashes data.json and .manifest exactly as OPA does', async () => {
    const found = await findOpa({ env: { PATH: process.env.PATH }, cwd: process.cwd() });
    if (!found.ok) throw new Error(`${found.message}: ${found.hint}`);
    const dir = await mkdtemp(join(tmpdir(), 'aegis-canonical-'));
    dirs.push(dir);
    const bundle = join(dir, 'bundle');
    await mkdir(bundle);
    // Every subtlety at once: literal numbers, code point key order, Go-only escapes,
    // surrogate escapes and HTML characters.
    const data =
      '{"aegis": {"z": 1.0, "\uFFFF": 1, "\u{10000}": 2, "h": "<&>\\u2028\\u0001\\b\\f\\ud800x\\/",' +
      ' "n": [1E5, -0, 100000000000000000000000, 1e-7]}}';
    const manifest =
      '{"revision":"r1","roots":["aegis"],"rego_version":1,"metadata":{"aegis":{"format":1,"x":"a\\u2029"}}}';
    await writeFile(join(bundle, 'data.json'), data);
    await writeFile(join(bundle, '.manifest'), manifest);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await execa(found.path, ['sign', '--signing-key', 'key.pem', '--bundle', 'bundle', '-o', '.'], {
      cwd: dir,
    });

    const signatures = JSON.parse(await readFile(join(dir, '.signatures.json'), 'utf8')) as {
      signatures: string[];
    };
    const payload = (signatures.signatures[0] ?? '').split('.')[1] ?? '';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      files: { name: string; hash: string }[];
    };
    const hashes = Object.fromEntries(claims.files.map((file) => [file.name, file.hash]));
    const canonical = (text: string) => {
      const result = canonicalizeJsonText(text);
      if (!result.ok) throw new Error(result.message);
      return result.text;
    };
    expect(hashes['bundle/data.json']).toBe(sha256(canonical(data)));
    expect(hashes['bundle/.manifest']).toBe(sha256(canonical(manifest)));
    // The same value written by aegis from JavaScript hashes the same once OPA reads it back.
    expect(sha256(canonicalJson(JSON.parse(manifest)))).toBe(hashes['bundle/.manifest']);
  });
});
