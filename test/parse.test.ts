import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseYaml } from '../src/policy/fast-parse.js';
import { MAX_ALIAS_COUNT, MAX_DEPTH, parseSource } from '../src/policy/parse.js';

const POLICY = `agent: finance-agent
allowed_tools:
  - name: stripe-payments
    actions: [create_payment]
    conditions:
      max_amount: 5000
egress:
  allow: ["api.stripe.com"]
`;

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) throw new Error('expected one item');
  return item;
}

describe('parseSource: YAML positions', () => {
  const doc = only(parseSource('p.yaml', POLICY, 'yaml').documents);

  it('keeps the plain value', () => {
    expect(doc.value).toEqual({
      agent: 'finance-agent',
      allowed_tools: [
        { name: 'stripe-payments', actions: ['create_payment'], conditions: { max_amount: 5000 } },
      ],
      egress: { allow: ['api.stripe.com'] },
    });
  });

  it.each([
    ['/agent', 'value', { line: 1, column: 8, endLine: 1, endColumn: 21 }],
    ['/agent', 'key', { line: 1, column: 1, endLine: 1, endColumn: 6 }],
    ['/allowed_tools/0/name', 'value', { line: 3, column: 11, endLine: 3, endColumn: 26 }],
    ['/allowed_tools/0/actions/0', 'value', { line: 4, column: 15, endLine: 4, endColumn: 29 }],
    [
      '/allowed_tools/0/conditions/max_amount',
      'key',
      { line: 6, column: 7, endLine: 6, endColumn: 17 },
    ],
    [
      '/allowed_tools/0/conditions/max_amount',
      'value',
      { line: 6, column: 19, endLine: 6, endColumn: 23 },
    ],
    ['/egress/allow/0', 'value', { line: 8, column: 11, endLine: 8, endColumn: 27 }],
  ] as const)('locates %s (%s)', (pointer, target, expected) => {
    expect(doc.locate(pointer, target)).toEqual(expected);
  });

  it('falls back to the nearest ancestor that exists', () => {
    const map = doc.locate('/allowed_tools/0');
    expect(doc.locate('/allowed_tools/0/rate_limit/rps')).toEqual(map);
    expect(map.line).toBe(3);
    expect(map.column).toBe(5);
    expect(doc.locate('/allowed_tools/7').line).toBe(3);
    expect(doc.locate('/nope', 'key')).toEqual(doc.locate(''));
    expect(doc.locate('').line).toBe(1);
  });

  it('decodes ~0 and ~1 in pointers', () => {
    const d = only(parseSource('p.yaml', 'a/b:\n  c~d: 1\n', 'yaml').documents);
    expect(d.locate('/a~1b/c~0d')).toMatchObject({ line: 2, column: 8 });
  });
});

describe('parseSource: JSON positions', () => {
  const json = JSON.stringify(
    { agent: 'a', allowed_tools: [{ name: 't', conditions: { max_amount: 5 } }] },
    null,
    2,
  );
  const doc = only(parseSource('p.json', json, 'json').documents);

  it('locates nested keys and values', () => {
    expect(doc.locate('/allowed_tools/0/conditions/max_amount', 'key')).toMatchObject({
      line: 7,
      column: 9,
    });
    expect(doc.locate('/allowed_tools/0/conditions/max_amount', 'value')).toMatchObject({
      line: 7,
      column: 23,
      endLine: 7,
      endColumn: 24,
    });
    expect(doc.locate('/allowed_tools/0/name')).toMatchObject({ line: 5, column: 15 });
  });

  it('rejects trailing commas and comments, with a position and a hint', () => {
    const comma = only(parseSource('p.json', '{\n  "agent": "a",\n}\n', 'json').diagnostics);
    expect(comma).toMatchObject({ code: 'syntax-error', line: 3, column: 1 });
    expect(comma.hint).toMatch(/trailing comma/);
    const comment = only(
      parseSource('p.json', '{\n  // the agent\n  "agent": "a"\n}\n', 'json').diagnostics,
    );
    expect(comment).toMatchObject({ code: 'syntax-error', line: 2, column: 3 });
    expect(comment.hint).toMatch(/comments/);
  });

  it('reports duplicate keys that JSON.parse would let through', () => {
    const d = only(parseSource('p.json', '{"agent": "a",\n "agent": "b"}', 'json').diagnostics);
    expect(d).toMatchObject({
      code: 'duplicate-key',
      line: 2,
      column: 2,
      message: 'duplicate key `"agent"`',
    });
  });
});

describe('parseSource: documents and line endings', () => {
  it('splits multi-document files and locates within each', () => {
    const text = 'agent: a\nallowed_tools: []\n---\nagent: b\nallowed_tools:\n  - name: t\n';
    const { documents, diagnostics } = parseSource('m.yaml', text, 'yaml');
    expect(diagnostics).toEqual([]);
    expect(documents.map((d) => d.index)).toEqual([0, 1]);
    expect(documents[1]?.value).toEqual({ agent: 'b', allowed_tools: [{ name: 't' }] });
    expect(documents[1]?.locate('/allowed_tools/0/name')).toMatchObject({ line: 6, column: 11 });
    expect(documents[0]?.locate('/agent')).toMatchObject({ line: 1, column: 8 });
  });

  it('reports each broken document with its index', () => {
    const { documents, diagnostics } = parseSource(
      'm.yaml',
      'agent: a\n---\nagent: b\nagent: c\n',
      'yaml',
    );
    expect(documents).toHaveLength(1);
    expect(only(diagnostics)).toMatchObject({
      code: 'duplicate-key',
      document: 1,
      line: 4,
      column: 1,
      message: 'duplicate key `agent`',
    });
  });

  it('ignores a trailing separator but reports a file that is only one', () => {
    expect(parseSource('t.yaml', 'agent: a\n---\n', 'yaml')).toMatchObject({
      documents: [{ value: { agent: 'a' } }],
      diagnostics: [],
    });
    expect(only(parseSource('t.yaml', '---\n', 'yaml').diagnostics).code).toBe('empty-file');
  });

  it.each([
    ['empty', ''],
    ['blank', '\n\n  \n'],
    ['comments only', '# nothing here\n'],
    ['only ---', '---\n'],
    ['--- and ...', '---\n...\n'],
  ])('reports a file that is %s as empty-file', (_name, text) => {
    const result = parseSource('e.yaml', text, 'yaml');
    expect(result.documents).toEqual([]);
    expect(only(result.diagnostics)).toMatchObject({ code: 'empty-file', line: 1, column: 1 });
  });

  it('counts lines the same with CRLF endings', () => {
    const doc = only(parseSource('c.yaml', POLICY.replaceAll('\n', '\r\n'), 'yaml').documents);
    expect(doc.locate('/allowed_tools/0/conditions/max_amount')).toMatchObject({
      line: 6,
      column: 19,
    });
    expect(doc.value).toMatchObject({ agent: 'finance-agent' });
    const err = only(parseSource('c.yaml', 'agent: a\r\nagent: b\r\n', 'yaml').diagnostics);
    expect(err).toMatchObject({ code: 'duplicate-key', line: 2, column: 1 });
  });

  it('accepts a UTF-8 byte order mark', () => {
    const doc = only(parseSource('b.yaml', `\uFEFF${POLICY}`, 'yaml').documents);
    expect(doc.value).toMatchObject({ agent: 'finance-agent' });
    expect(doc.locate('/agent')).toMatchObject({ line: 1 });
  });

  it('reports a YAML syntax error where it is', () => {
    const d = only(
      parseSource('s.yaml', 'agent: a\nallowed_tools: [a, b\nmode: x\n', 'yaml').diagnostics,
    );
    expect(d.code).toBe('syntax-error');
    expect(d.line).toBeGreaterThanOrEqual(2);
    expect(d.message).not.toMatch(/\n/);
  });

  it('counts columns in UTF-16 code units', () => {
    const doc = only(parseSource('u.yaml', 'description: "€😀"\nagent: x\n', 'yaml').documents);
    expect(doc.locate('/description')).toMatchObject({ line: 1, column: 14, endColumn: 19 });
  });
});

describe('parseSource: caps', () => {
  const nestedFlow = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  const nestedBlock = (depth: number) =>
    `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`;

  it('accepts nesting up to the limit', () => {
    expect(parseSource('d.yaml', nestedFlow(MAX_DEPTH - 1), 'yaml').diagnostics).toEqual([]);
    expect(parseSource('d.yaml', nestedBlock(MAX_DEPTH - 1), 'yaml').diagnostics).toEqual([]);
  });

  it.each([
    ['flow YAML', 'yaml', nestedFlow(10_000)],
    ['flow JSON', 'json', nestedFlow(10_000)],
    ['flow mappings', 'yaml', `${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['compact block sequences', 'yaml', `${'- '.repeat(10_000)}x\n`],
    ['block indentation', 'yaml', nestedBlock(2_000)],
    ['just past the limit', 'yaml', nestedFlow(MAX_DEPTH + 1)],
  ] as const)('reports %s as too-deep without overflowing the stack', (_name, kind, text) => {
    // Twice: a stack overflow in the first parse once left V8 unable to survive the second.
    for (let i = 0; i < 2; i++) {
      const { documents, diagnostics } = parseSource('deep', text, kind);
      expect(documents).toEqual([]);
      expect(only(diagnostics)).toMatchObject({ code: 'too-deep', severity: 'error' });
    }
  });

  it('stops a billion laughs', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const { documents, diagnostics } = parseSource('bomb.yaml', `${levels.join('\n')}\n`, 'yaml');
    expect(documents).toEqual([]);
    expect(only(diagnostics)).toMatchObject({ code: 'alias-limit', line: 1 });
  });

  it('still expands a few aliases', () => {
    const text = 'x: &tools [a, b]\ny: *tools\n';
    expect(only(parseSource('a.yaml', text, 'yaml').documents).value).toEqual({
      x: ['a', 'b'],
      y: ['a', 'b'],
    });
    expect(MAX_ALIAS_COUNT).toBeGreaterThan(2);
  });
});

describe('parseSource: YAML tags', () => {
  const shown = (text: string, kind: 'yaml' | 'json' = 'yaml') =>
    parseSource('t.yaml', text, kind).diagnostics.map(
      (d) => `${d.code} ${d.document} ${d.line}:${d.column}-${d.endLine}:${d.endColumn}`,
    );

  // Every explicit tag is refused, where it is written: even one the library resolves to what
  // the untagged value would be (`!!str a`), and those that change a value's type (`!!int "3"`
  // is the number 3; `!!float 3` is unresolved and stays the string "3") or make something
  // that is not JSON data (`!!binary`, `!!timestamp`, `!!set`).
  it.each([
    ['an unknown global tag', 'agent: !!js/function "function(){}"\n', ['yaml-tag 0 1:8-1:21']],
    ['a local tag', 'tenant: !foo x\nagent: a\n', ['yaml-tag 0 1:9-1:13']],
    ['a core tag the value does not fit', 'agent: !!float 3\n', ['yaml-tag 0 1:8-1:15']],
    ['a core tag that turns a string into a number', 'agent: !!int "3"\n', ['yaml-tag 0 1:8-1:13']],
    ['a core tag that changes nothing', 'agent: !!str a\n', ['yaml-tag 0 1:8-1:13']],
    ['a binary', 'agent: a\ndescription: !!binary aGVsbG8=\n', ['yaml-tag 0 2:14-2:22']],
    ['a timestamp', 'agent: a\ndescription: !!timestamp 2001-12-14\n', ['yaml-tag 0 2:14-2:25']],
    ['a set', 'agent: a\nallowed_tools: !!set {x}\n', ['yaml-tag 0 2:16-2:21']],
    ['the non-specific tag', 'agent: ! a\n', ['yaml-tag 0 1:8-1:9']],
    ['a verbatim tag', 'agent: !<tag:yaml.org,2002:str> a\n', ['yaml-tag 0 1:8-1:32']],
    [
      'a %TAG handle',
      '%TAG !e! tag:example.com,2000:\n---\nagent: !e!x a\n',
      ['yaml-tag 0 3:8-3:12'],
    ],
    ['a tag on the document', '--- !!map\nagent: a\n', ['yaml-tag 0 1:5-1:10']],
    ['a tag on a key', '!!str agent: a\n', ['yaml-tag 0 1:1-1:6']],
    [
      'a tag before a block scalar',
      'agent: a\ndescription: !!str |\n  x\n',
      ['yaml-tag 0 2:14-2:19'],
    ],
    [
      'tags in flow collections, each one',
      'agent: a\nallowed_tools: [!t {name: !n x}, {!k name: y}]\n',
      ['yaml-tag 0 2:17-2:19', 'yaml-tag 0 2:27-2:29', 'yaml-tag 0 2:35-2:37'],
    ],
    [
      'a tag in a later document',
      'agent: a\nallowed_tools: []\n---\nagent: !!str b\n',
      ['yaml-tag 1 4:8-4:13'],
    ],
    [
      'a tag beside a syntax error in its document',
      'agent: a\nallowed_tools: !!seq [a, b\n',
      ['syntax-error 0 3:1-3:2', 'yaml-tag 0 2:16-2:21'],
    ],
    ['a tag the library also reports, once', 'agent: "x" !foo\n', ['syntax-error 0 1:12-1:16']],
  ])('refuses %s as yaml-tag, at the tag', (_name, text, expected) => {
    expect(fastParseYaml(text)).toBeUndefined();
    const { documents, diagnostics } = parseSource('t.yaml', text, 'yaml');
    expect(shown(text)).toEqual(expected);
    // A document with a tag in it is not read at all: nothing of it reaches the schema.
    const refused = new Set(diagnostics.map((d) => d.document));
    expect(documents.filter((d) => refused.has(d.index))).toEqual([]);
  });

  it('says what to do', () => {
    expect(
      only(parseSource('t.yaml', 'agent: !!js/function "x"\n', 'yaml').diagnostics),
    ).toMatchObject({
      code: 'yaml-tag',
      severity: 'error',
      message: 'a YAML tag (`!!js/function`) is not allowed: a policy is plain data',
      hint: 'remove the tag, and quote the value if a string is meant',
    });
  });

  // A `!` that is no tag: inside quotes or a word the fast path keeps the text; after a space
  // it sends the text to the exact path, which finds no tag there.
  it.each([
    ['in a double-quoted string', 'reason: "Hi!"\n', true, { reason: 'Hi!' }],
    ['in a regex', 'regex: "^a!b$"\n', true, { regex: '^a!b$' }],
    ['in a single-quoted string', "reason: 'no! not that'\n", true, { reason: 'no! not that' }],
    [
      'after a space in a quoted string',
      'reason: \'a !b\'\nx: "c !!d"\n',
      false,
      { reason: 'a !b', x: 'c !!d' },
    ],
    ['inside a plain word', 'reason: wait!\nid: a!b\n', true, { reason: 'wait!', id: 'a!b' }],
    ['after a space in a plain scalar', 'reason: wait !\n', false, { reason: 'wait !' }],
    ['at the start of a quoted string', 'reason: "!important"\n', true, { reason: '!important' }],
    ['in flow strings', 'deny: ["!x", "y !z"]\n', false, { deny: ['!x', 'y !z'] }],
    [
      'in a block scalar',
      'reason: |\n  !!str is not a tag here\n',
      false,
      { reason: '!!str is not a tag here\n' },
    ],
  ])('leaves a `!` %s alone', (_name, text, fast, value) => {
    expect(fastParseYaml(text) !== undefined).toBe(fast);
    expect(parseSource('t.yaml', text, 'yaml')).toMatchObject({
      documents: [{ value }],
      diagnostics: [],
    });
  });

  it('leaves a `!` in JSON strings alone', () => {
    const text = '{"reason": "!!str Hi!", "tags": ["!x"]}';
    expect(parseSource('t.json', text, 'json')).toMatchObject({
      documents: [{ value: { reason: '!!str Hi!', tags: ['!x'] } }],
      diagnostics: [],
    });
  });
});

describe('parseSource: %YAML directives', () => {
  const shown = (text: string) =>
    parseSource('t.yaml', text, 'yaml').diagnostics.map(
      (d) => `${d.code} ${d.document} ${d.line}:${d.column}-${d.endLine}:${d.endColumn}`,
    );

  // YAML 1.1 reads `010` as 8 and `yes` as true; aegis reads YAML 1.2 (10, "yes"). A file that
  // asks for 1.1 would mean one thing to its author and another to aegis: refused, like any
  // version but 1.2 (YAML 1.2 says a processor rejects a later major version).
  it.each([
    ['YAML 1.1', '%YAML 1.1\n---\nagent: a\nmax: 010\n', ['yaml-version 0 1:1-1:10']],
    ['YAML 1.0', '%YAML 1.0\n---\nagent: a\n', ['yaml-version 0 1:1-1:10']],
    ['YAML 2.0', '%YAML 2.0\n---\nagent: a\n', ['yaml-version 0 1:1-1:10']],
    ['YAML 1.3', '%YAML 1.3\n---\nagent: a\n', ['yaml-version 0 1:1-1:10']],
    // The library's own error, reported once.
    ['no version', '%YAML\n---\nagent: a\n', ['syntax-error 0 1:1-1:6']],
    [
      'the second document only',
      '%YAML 1.2\n---\nagent: a\n...\n%YAML 1.1\n---\nagent: b\n',
      ['yaml-version 1 5:1-5:10'],
    ],
  ])('refuses %s', (_name, text, expected) => {
    expect(shown(text)).toEqual(expected);
  });

  it('reads a file that asks for YAML 1.2, or for no version, alike', () => {
    const read = (text: string) => parseSource('t.yaml', text, 'yaml');
    const asked = read('%YAML 1.2\n---\nagent: a\nmax: 010\nflag: yes\n');
    const plain = read('agent: a\nmax: 010\nflag: yes\n');
    expect(asked.diagnostics).toEqual([]);
    expect(asked.documents.map((d) => d.value)).toEqual([{ agent: 'a', max: 10, flag: 'yes' }]);
    expect(plain.documents.map((d) => d.value)).toEqual(asked.documents.map((d) => d.value));
  });

  it('leaves other directives and a `%YAML` inside a value alone', () => {
    expect(shown('%TAG !e! tag:example.com,2000:\n---\nagent: a\n')).toEqual([]);
    expect(shown('agent: a\ndescription: "%YAML 1.1"\n')).toEqual([]);
  });
});

/**
 * The fast path (js-yaml) and the exact path (`yaml`) read every plain scalar alike: YAML 1.2's
 * core schema in both. Before, js-yaml read `0b101` or `-0x10` as numbers and `+.5` as a
 * string, the other way round from the exact path, so `max_amount: +.5` was valid or not
 * depending on whether an anchor elsewhere in the file sent it down the exact path.
 */
describe('parseSource: one reading of scalars on both paths', () => {
  const NUMBERISH = [...'0123456789.eE+-_xobaAfFiInNlLuUtTrRsS~ '];
  const scalar = fc
    .oneof(
      fc.string({ unit: fc.constantFrom(...NUMBERISH), minLength: 1, maxLength: 8 }),
      fc.constantFrom(
        '0b101',
        '-0x10',
        '+0o7',
        '0o17',
        '0x1F',
        '+.5',
        '-.5e3',
        '9e999',
        '-.inf',
        '.NaN',
        '1_000',
        '017',
        '+12',
        '-0',
        '1.',
        'True',
        'TRUE',
        'yes',
        'on',
        'Null',
        '~',
        'NULL',
      ),
    )
    .map((s) => s.trim())
    // A plain scalar may not begin with `- ` (a sequence entry) or be empty.
    .filter((s) => s !== '' && !/^-(?:\s|$)/.test(s));

  /** What the fast path reads (undefined when it leaves the file to the exact path). */
  const fast = (text: string): unknown => fastParseYaml(text)?.values[0];
  /** What the exact path reads: an anchor sends a file there (undefined on a YAML error). */
  const exact = (text: string): unknown => {
    const parsed = parseSource('t.yaml', text, 'yaml');
    return parsed.diagnostics.length > 0 ? undefined : parsed.documents[0]?.value;
  };

  it('as values, as keys and in flow sequences', () => {
    let compared = 0;
    fc.assert(
      fc.property(scalar, (s) => {
        for (const [plain, anchored, read] of [
          [`v: ${s}\n`, `v: &a ${s}\n`, (d: unknown) => (d as { v: unknown }).v],
          [`v: [${s}, 1]\n`, `v: &a [${s}, 1]\n`, (d: unknown) => (d as { v: unknown[] }).v[0]],
          [`${s}: 1\n`, `&a ${s}: 1\n`, (d: unknown) => Object.keys(d as object)],
        ] as const) {
          const f = fast(plain);
          const e = exact(anchored);
          if (f === undefined || e === undefined) continue;
          compared++;
          const [a, b] = [read(f), read(e)];
          if (
            !(Object.is(a, b) || (typeof a === typeof b && JSON.stringify(a) === JSON.stringify(b)))
          )
            throw new Error(
              `${JSON.stringify(plain)}: fast ${String(a)} (${typeof a}), exact ${String(b)} (${typeof b})`,
            );
        }
      }),
      { numRuns: 3000, seed: 20261126 },
    );
    expect(compared).toBeGreaterThan(3000);
  });

  it('reads the numbers YAML 1.2 has, and nothing else', () => {
    const value = (s: string) => (fast(`v: ${s}\n`) as { v: unknown }).v;
    expect([value('0o17'), value('0x1F'), value('+12'), value('+.5'), value('-.5e3')]).toEqual([
      15, 31, 12, 0.5, -500,
    ]);
    expect([value('9e999'), value('-.inf')]).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(value('.NaN')).toBeNaN();
    expect([value('0b101'), value('-0x10'), value('+0o7'), value('1_000'), value('yes')]).toEqual([
      '0b101',
      '-0x10',
      '+0o7',
      '1_000',
      'yes',
    ]);
  });
});

/**
 * Whole documents, not only scalars: where js-yaml reads a text otherwise than `yaml` (block
 * scalars, folding, flow collections, comments, keys, document markers, BOM, CR, tabs), the
 * fast path must leave it to the exact path. Each case below was a divergence once.
 */
describe('parseSource: one reading of documents on both paths', () => {
  /** The exact path's values: an anchored document first sends the text there. */
  const exact = (text: string): unknown[] | undefined => {
    const parsed = parseSource('t.yaml', `z: &z 1\n...\n${text}`, 'yaml');
    if (parsed.diagnostics.length > 0) return undefined;
    return parsed.documents.slice(1).map((d) => d.value);
  };
  const agree = (text: string): boolean => {
    const fast = fastParseYaml(text)?.values;
    if (fast === undefined || fast.some((v) => v === null)) return true;
    const e = exact(text);
    return e !== undefined && fast.length === e.length && fast.every((v, i) => deepIs(v, e[i]));
  };

  it.each([
    ['a lone CR', '{o\rn}\n'],
    ['a BOM before a sequence', '\uFEFF- a\n- b\n'],
    ['a BOM before indentation', '\uFEFF  a: 1\n  b: 2\n'],
    ['a BOM after the first line', 'a: 1\n---\n\uFEFFb: 2\n'],
    ['a flow sequence continued at the key indent', 'a: [b,\nc]\n'],
    ['a flow sequence continued under a sequence entry', 'a:\n  - [b,\n  c]\n'],
    ['a quoted scalar continued at the key indent', "a: 'x\n'\n"],
    ['a quoted scalar continued on a line of a tab', 'a: "x\n\t\n  y"\n'],
    ['a quote inside a plain scalar', '\u00a0" ":\n "b" : \'c\n d\'\n'],
    ['a sequence as a key', '[a, b]: x\n'],
    ['an explicit sequence key', '? [a, b]\n: x\n'],
    ['a mapping as a key in a flow mapping', '{{}\n}\n'],
    ['a flow mapping as a key after a plain scalar', "{a b' \t\n  ''', {c,}:d}\n"],
    ['an empty entry of a nested sequence', '- - a\n  -\n- b\n'],
    ['a comment glued to a flow sequence', 'a: [b]#c\n'],
    ['a comment glued to a quoted scalar', 'a: "b"#c\n'],
    ['a comment glued to a comma', 'a: [x,#c\n  ]\n'],
    ['a comment glued to a JSON-like key', 'a: ["b":#c\n  ]\n'],
    ['a flow sequence glued to a key', '-a: [\n]8b: 1\n'],
    ['--- glued to a scalar', '---"a"\n'],
    ['a mapping on the --- line', '--- a: b\n'],
    ['content after ...', 'a: 1\n... b\n'],
    ['a top-level block scalar with an indentation indicator', '--- |2\n   x\n'],
    ['a top-level block scalar with a blank first line', '--- |\n  \n#x\n'],
    ['a block scalar with a longer blank first line', 'a: >-\n    \n   #x\n'],
    ['a kept block scalar with a last line of spaces', 'a: |+\n  x\n  '],
    ['a tab in indentation', '? a\n\t: b\n'],
    ['an escaped line break before an empty line', 'a: "x\\\n\n  y"\n'],
    ['a \\U escape past U+10FFFF', 'a: "\\UFFFFFFFF"\n'],
    ['a key longer than 1024 characters', `${'k'.repeat(1100)}: 1\n`],
    ['a comment line between a key and its value', 'a:\n#c\n  1\nb: 2\n'],
  ])('%s', (_name, text) => {
    expect(agree(text)).toBe(true);
  });

  it('keeps the fast path for what policies are made of', () => {
    for (const text of [
      POLICY,
      'a: [\n  b,\n  "c",\n]\nd: "x\n  y"\n',
      'color: "#fff"\nre: "^[a-z]{0,1}$"\nid: a[1\n',
      'a: |\n  x\n  # y\nb: >-\n  z\n',
      '\uFEFFagent: a\n',
      POLICY.replaceAll('\n', '\r\n'),
      // Lines commented out at the start of the line, under a `key:`.
      'allowed_tools:\n#  - name: old\n  - name: new\n    conditions:\n# max_amount: 10\n      max_amount: 5\n',
    ]) {
      expect(fastParseYaml(text), JSON.stringify(text)).toBeDefined();
      expect(agree(text)).toBe(true);
    }
  });

  const word = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'a',
        'b c',
        '1',
        '0x10',
        '1.0',
        'true',
        '~',
        'é😀',
        'a#b',
        'a:b',
        "it's",
      ),
    },
    fc.constantFrom('x "y', '[a]', '-', '?', '%x'),
  );
  const dq = fc.constantFrom('"a\\x41\\u0041\\N\\_\\/\\t"', '"a\n  b"', '"a\\\n  b"', '"a\n\n  b"');
  const sq = fc.constantFrom("'a''b'", "'a\n  b'", "'a\n\n  b'");
  const scalar = fc.oneof(word, dq, sq);
  const flow = fc.oneof(
    fc.array(scalar, { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
    fc
      .array(fc.tuple(word, scalar), { maxLength: 3 })
      .map((kv) =>
        kv.length === 0 ? '{}' : `{\n  ${kv.map(([k, v]) => `${k}: ${v}`).join(',\n  ')}\n}`,
      ),
  );
  const block = fc
    .tuple(fc.constantFrom('|', '>', '|-', '>+', '| # c', '|2'), fc.array(word, { minLength: 1 }))
    .map(
      ([h, lines]) => `${h}\n${lines.map((l, i) => `${' '.repeat(2 + (i % 2))}${l}`).join('\n')}`,
    );
  const value = fc.oneof(scalar, flow, block, fc.constant(''), fc.constant('# c'));
  const entry = fc
    .tuple(fc.oneof({ weight: 6, arbitrary: word }, dq, fc.constantFrom('? a', '[a]')), value)
    .map(([k, v]) => `${k}: ${v}`);
  const document = fc.oneof(
    fc.array(entry, { minLength: 1, maxLength: 4 }).map((es) => es.join('\n')),
    fc.array(value, { minLength: 1, maxLength: 3 }).map((vs) => vs.map((v) => `- ${v}`).join('\n')),
  );
  const text = fc
    .tuple(
      fc.array(document, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('\n', '\n', '\n', '\r\n', '\r'),
      fc.constantFrom('', '', '', '\uFEFF', '%YAML 1.2\n---\n', '--- '),
    )
    .map(([docs, eol, head]) => `${head}${docs.join('\n---\n')}\n`.replaceAll('\n', eol));

  it('on generated documents', () => {
    let compared = 0;
    fc.assert(
      fc.property(text, (t) => {
        if (fastParseYaml(t) !== undefined) compared++;
        if (!agree(t)) throw new Error(`fast and exact differ on ${JSON.stringify(t)}`);
      }),
      { numRuns: 6000, seed: 20261127 },
    );
    expect(compared).toBeGreaterThan(200);
  });
});

/** Same JS values: same types, keys in the same order, numbers by Object.is (-0, NaN). */
function deepIs(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join('\0') !== kb.join('\0')) return false;
  return ka.every((k) =>
    deepIs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
