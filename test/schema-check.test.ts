import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { describe, expect, test } from 'vitest';
import type { DiagnosticCode } from '../src/diagnostics.js';
import { parseSource, type SourceDocument } from '../src/policy/parse.js';
import { closestMatch, editDistance } from '../src/policy/schema/closest-match.js';
import { showValue } from '../src/policy/schema/describe-value.js';
import { createPolicyAjv, policySchema } from '../src/policy/schema/policy-schema.js';
import { validate as validatePrecompiled } from '../src/policy/schema/policy-validator.generated.js';
import { checkSchema } from '../src/policy/schema-check.js';
import {
  type AgentPolicy,
  type AmountConditions,
  type Budget,
  type Condition,
  type CustomPattern,
  DETECTOR_NAMES,
  OPERATOR_NAMES,
  type ParamConstraint,
  type RateLimit,
  type Rule,
  type Sanitize,
  type TimeWindow,
  type ToolEntry,
} from '../src/policy/types.js';

function parse(text: string, kind: 'yaml' | 'json' = 'yaml'): SourceDocument[] {
  const parsed = parseSource('policy.yaml', text, kind);
  expect(parsed.diagnostics).toEqual([]);
  return parsed.documents;
}

function check(text: string, kind: 'yaml' | 'json' = 'yaml') {
  return parse(text, kind).flatMap((doc) => checkSchema(doc));
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const TOOL = ['agent: a', 'allowed_tools:', '  - name: t'];

describe('valid documents', () => {
  const cases: [string, string][] = [
    ['the smallest policy', lines('agent: a', 'allowed_tools: []')],
    [
      'version 1 and every top-level key',
      lines(
        'version: 1',
        'agent: a',
        'tenant: acme',
        'mode: shadow',
        'description: d',
        'regions: [eu-west-1]',
        'allowed_tools: []',
        'egress: { allow: [api.example.com, "*.example.com"] }',
        'rate_limit: { rps: 10, on_exceed: approval_needed }',
        'budget: { daily_usd: 2000 }',
      ),
    ],
    [
      'every tool entry key',
      lines(
        ...TOOL,
        '    actions: ["*"]',
        '    conditions: { amount_param: total, max_amount: 5000, min_amount: 0, approval_needed_over: 1000 }',
        '    params:',
        '      a.b: { eq: { x: 1 }, ne: null, in: [1, "x"], not_in: [], lt: 1, lte: 1.5, gt: -1, gte: 0 }',
        '      c: { matches: "^x", not_matches: y, prefix: p, suffix: s, contains: 3 }',
        '      d: { min_length: 0, max_length: 3, type: array, optional: true }',
        '    rules:',
        '      - { id: r, when: { param: a, eq: 1 }, effect: sanitize, reason: why, redact: [a.b] }',
        '    rate_limit: { rps: 0.5 }',
        '    budget: { daily_usd: 1, on_exceed: deny }',
        '    sanitize:',
        `      detectors: [${DETECTOR_NAMES.join(', ')}]`,
        '      redact: [customer.ssn]',
        '      patterns: [{ name: mrn, regex: "MRN-[0-9]{8}" }]',
      ),
    ],
    [
      'nested conditions and time windows',
      lines(
        ...TOOL,
        '    rules:',
        '      - effect: deny',
        '        when:',
        '          all:',
        '            - any: [{ time: { hours: "22:00-06:00" } }, { time: { days: [sat, sun], tz: UTC } }]',
        '            - not: { not: { field: agent.claims.team, in: [a, b] } }',
      ),
    ],
    [
      'a JSON policy with $schema',
      JSON.stringify({ $schema: '../schemas/x.json', agent: 'a', allowed_tools: [] }),
    ],
  ];
  test.each(cases)('%s', (_name, text) => {
    const kind = text.startsWith('{') ? 'json' : 'yaml';
    expect(check(text, kind)).toEqual([]);
  });
});

interface Case {
  name: string;
  text: string;
  code: DiagnosticCode;
  pointer: string;
  at: [number, number];
  message?: string;
  hint?: string | RegExp;
}

const invalid: Case[] = [
  {
    name: 'a misspelt tool key',
    text: lines(...TOOL, '    rate_limt: { rps: 3 }'),
    code: 'unknown-key',
    pointer: '/allowed_tools/0/rate_limt',
    at: [4, 5],
    message: 'unknown key `rate_limt` in tool entry',
    hint: 'did you mean `rate_limit`?',
  },
  {
    name: 'a swapped-letter top-level key',
    text: lines('agnet: a', 'allowed_tools: []'),
    code: 'unknown-key',
    pointer: '/agnet',
    at: [1, 1],
    message: 'unknown key `agnet` in agent policy',
    hint: 'did you mean `agent`?',
  },
  {
    name: 'a tool key at the top level',
    text: lines('agent: a', 'allowed_tools: []', 'params: {}'),
    code: 'unknown-key',
    pointer: '/params',
    at: [3, 1],
    hint: '`params` belongs in a tool entry, not at the top level',
  },
  {
    name: 'a key like nothing allowed',
    text: lines('agent: a', 'allowed_tools: []', 'egress: { allow: [], zzzz: 1 }'),
    code: 'unknown-key',
    pointer: '/egress/zzzz',
    at: [3, 22],
    message: 'unknown key `zzzz` in egress allowlist',
    hint: 'allowed keys here: `allow`',
  },
  {
    name: 'a misspelt key deep in a condition',
    text: lines(
      ...TOOL,
      '    rules:',
      '      - effect: deny',
      '        when: { not: { any: [{ feild: x, eq: 1 }] } }',
    ),
    code: 'unknown-key',
    pointer: '/allowed_tools/0/rules/0/when/not/any/0/feild',
    at: [6, 32],
    hint: 'did you mean `field`?',
  },
  {
    name: 'no agent',
    text: lines('# c', 'tenant: acme', 'allowed_tools: []'),
    code: 'missing-key',
    pointer: '',
    at: [2, 1],
    message: 'missing required key `agent` in agent policy',
  },
  {
    name: 'a budget without daily_usd',
    text: lines(...TOOL, '    budget:', '      on_exceed: deny'),
    code: 'missing-key',
    pointer: '/allowed_tools/0/budget',
    at: [5, 7],
    message: 'missing required key `daily_usd` in budget',
  },
  {
    name: 'a time window with only a zone',
    text: lines(...TOOL, '    rules: [{ effect: deny, when: { time: { tz: UTC } } }]'),
    code: 'missing-key',
    pointer: '/allowed_tools/0/rules/0/when/time',
    at: [4, 43],
    message: 'time window needs `days` or `hours`',
  },
  {
    name: 'a quoted number',
    text: lines(...TOOL, '    rate_limit: { rps: "3" }'),
    code: 'invalid-type',
    pointer: '/allowed_tools/0/rate_limit/rps',
    at: [4, 24],
    message: 'expected a number, got a string for `rps`',
    hint: 'remove the quotes: 3',
  },
  {
    name: 'a number too large for a float (YAML 1.2 reads it as Infinity)',
    text: lines(...TOOL, '    rate_limit: { rps: 2e308 }'),
    code: 'invalid-type',
    pointer: '/allowed_tools/0/rate_limit/rps',
    at: [4, 24],
    message: 'expected a number, got Infinity for `rps`',
    hint: 'numbers in a policy are finite: at most about 1.8e308 either way',
  },
  {
    name: 'the same number quoted',
    text: lines(...TOOL, '    rate_limit: { rps: "2e308" }'),
    code: 'invalid-type',
    pointer: '/allowed_tools/0/rate_limit/rps',
    at: [4, 24],
    message: 'expected a number, got a string for `rps`',
    hint: '2e308 is beyond the largest number, about 1.8e308',
  },
  {
    name: "YAML's own infinity",
    text: lines(...TOOL, '    rate_limit: { rps: -.inf }'),
    code: 'invalid-type',
    pointer: '/allowed_tools/0/rate_limit/rps',
    at: [4, 24],
    message: 'expected a number, got -Infinity for `rps`',
    hint: 'numbers in a policy are finite: at most about 1.8e308 either way',
  },
  {
    name: 'an empty value',
    text: lines('agent: a', 'allowed_tools:'),
    code: 'invalid-type',
    pointer: '/allowed_tools',
    at: [2, 1],
    message: 'expected a list, got an empty value for `allowed_tools`',
  },
  {
    name: 'a number in a list of strings',
    text: lines('agent: a', 'allowed_tools: []', 'regions: [eu-west-1, 7]'),
    code: 'invalid-type',
    pointer: '/regions/1',
    at: [3, 22],
    message: 'expected a string, got a number for item 2 of `regions`',
  },
  {
    name: 'an infinite rate',
    text: lines('agent: a', 'allowed_tools: []', 'rate_limit: { rps: .inf }'),
    code: 'invalid-type',
    pointer: '/rate_limit/rps',
    at: [3, 20],
    message: 'expected a number, got Infinity for `rps`',
  },
  {
    name: 'a list document',
    text: lines('- agent: a'),
    code: 'invalid-type',
    pointer: '',
    at: [1, 1],
    message: 'a policy document must be a mapping',
  },
  {
    name: 'a scalar document',
    text: lines('just text'),
    code: 'invalid-type',
    pointer: '',
    at: [1, 1],
    message: 'a policy document must be a mapping',
  },
  {
    name: 'an unknown effect',
    text: lines(...TOOL, '    rules: [{ effect: block, when: { param: x, eq: 1 } }]'),
    code: 'invalid-value',
    pointer: '/allowed_tools/0/rules/0/effect',
    at: [4, 23],
    message: 'invalid value `block` for `effect`',
    hint: 'allowed values: `deny`, `approval_needed`, `sanitize`',
  },
  {
    name: 'a misspelt on_exceed',
    text: lines(
      'agent: a',
      'allowed_tools: []',
      'budget: { daily_usd: 5, on_exceed: aproval_needed }',
    ),
    code: 'invalid-value',
    pointer: '/budget/on_exceed',
    at: [3, 36],
    hint: 'did you mean `approval_needed`? allowed values: `deny`, `approval_needed`',
  },
  {
    name: 'an empty enum value, located at its key',
    text: lines('agent: a', 'allowed_tools: []', 'mode:'),
    code: 'invalid-value',
    pointer: '/mode',
    at: [3, 1],
    message: 'invalid value `null` for `mode`',
  },
  {
    name: 'a negative length',
    text: lines(...TOOL, '    params: { memo: { max_length: -1 } }'),
    code: 'invalid-value',
    pointer: '/allowed_tools/0/params/memo/max_length',
    at: [4, 35],
    message: '`max_length` must be at least 0, got -1',
  },
  {
    name: 'an empty agent id',
    text: lines('agent: ""', 'allowed_tools: []'),
    code: 'invalid-value',
    pointer: '/agent',
    at: [1, 8],
    message: '`agent` must not be empty',
  },
  {
    name: 'an empty `any`',
    text: lines(...TOOL, '    rules: [{ effect: deny, when: { any: [] } }]'),
    code: 'invalid-value',
    pointer: '/allowed_tools/0/rules/0/when/any',
    at: [4, 42],
    message: '`any` must list at least one item',
  },
  {
    name: 'a parameter path with an empty segment',
    text: lines(...TOOL, '    params:', '      .memo: { eq: 1 }'),
    code: 'invalid-value',
    pointer: '/allowed_tools/0/params/.memo',
    at: [5, 7],
    message: 'key `.memo` is not a dotted path such as `customer.ssn`, with no empty segment',
  },
  {
    name: 'version 2',
    text: lines('version: 2', 'agent: a', 'allowed_tools: []'),
    code: 'unsupported-version',
    pointer: '/version',
    at: [1, 10],
    message: 'unsupported policy format version `2`',
  },
  {
    name: 'an ordering test on a string',
    text: lines(...TOOL, '    rules: [{ effect: deny, when: { param: x, lt: "5" } }]'),
    code: 'operator-type-mismatch',
    pointer: '/allowed_tools/0/rules/0/when/lt',
    at: [4, 51],
    message: 'operator `lt` expects a number, got a string',
  },
  {
    name: 'an unknown detector',
    text: lines(...TOOL, '    sanitize: { detectors: [ssn, e-mail] }'),
    code: 'unknown-detector',
    pointer: '/allowed_tools/0/sanitize/detectors/1',
    at: [4, 34],
    message: 'unknown detector `e-mail`',
    hint: /^did you mean `email`\? built-in detectors: `ssn`, /,
  },
];

describe('invalid documents', () => {
  test.each(invalid)('$name -> $code', ({ text, code, pointer, at, message, hint }) => {
    const found = check(text);
    expect(found.map((d) => [d.code, d.pointer, d.line, d.column])).toEqual([
      [code, pointer, ...at],
    ]);
    const [d] = found;
    if (message !== undefined) expect(d?.message).toBe(message);
    if (typeof hint === 'string') expect(d?.hint).toBe(hint);
    if (hint instanceof RegExp) expect(d?.hint).toMatch(hint);
    expect(d?.severity).toBe('error');
    expect(d?.file).toBe('policy.yaml');
  });

  test('messages are plain: lowercase, no trailing period, no ajv wording or schema paths', () => {
    for (const { text } of invalid) {
      for (const d of check(text)) {
        expect(d.message).toMatch(/^[a-z`]/);
        expect(d.message).not.toMatch(/\.$/);
        expect(`${d.message} ${d.hint ?? ''}`).not.toMatch(
          /must NOT|must have|#\/|\$defs|additionalProperties/,
        );
      }
    }
  });

  test('every problem is reported at once, each once, and a typo of a required key is not also "missing"', () => {
    const found = check(
      lines(
        'agent: a',
        'allowed_tools:',
        '  - nmae: t',
        '    rate_limit: { rps: -1, on_exceed: nope }',
        'mode: loud',
      ),
    );
    expect(found.map((d) => `${d.code} ${d.pointer}`)).toEqual([
      'unknown-key /allowed_tools/0/nmae',
      'invalid-value /allowed_tools/0/rate_limit/rps',
      'invalid-value /allowed_tools/0/rate_limit/on_exceed',
      'invalid-value /mode',
    ]);
    expect(found[0]?.hint).toBe('did you mean `name`?');
  });

  test('a missing key that no typo explains is still reported', () => {
    const found = check(lines('agent: a', 'allowed_tools:', '  - actions: [x]'));
    expect(found.map((d) => d.message)).toEqual(['missing required key `name` in tool entry']);
  });

  test('an empty value is located at its key', () => {
    const [d] = check(lines(...TOOL, '    sanitize:'));
    expect([d?.code, d?.line, d?.column]).toEqual(['invalid-type', 4, 5]);
  });

  test('diagnostics carry the document index of a multi-document file', () => {
    const found = check(
      lines('agent: a', 'allowed_tools: []', '---', 'agent: b', 'allowed_tools: {}'),
    );
    expect(found.map((d) => [d.document, d.line])).toEqual([[1, 5]]);
  });
});

describe('did you mean', () => {
  test.each([
    ['rate_limt', 'rate_limit'],
    ['acitons', 'actions'],
    ['Agent', 'agent'],
    ['saturday', 'sat'],
    ['zzz', undefined],
    ['id', undefined],
  ])('%s -> %s', (word, suggestion) => {
    const candidates = ['rate_limit', 'actions', 'agent', 'sat', 'sun', 'name', 'if_'];
    expect(closestMatch(word, candidates)).toBe(suggestion);
  });

  test('edit distance counts a transposition as one edit', () => {
    expect(editDistance('acitons', 'actions')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('the schema', () => {
  const schema = policySchema();

  test('compiles under ajv strict mode and is valid against the 2020-12 meta-schema', () => {
    const ajv = createPolicyAjv({ strict: true, allErrors: true });
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
    expect(schema.$id).toBe('https://aegis.dev/schemas/aegis-policy.v1.schema.json');
  });

  test('every property has a description, and every object forbids unknown keys', () => {
    const problems: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (record.type === 'object' && record.additionalProperties === undefined && path !== '') {
        problems.push(`${path}: no additionalProperties`);
      }
      if (record.type === 'object' && path === '' && record.additionalProperties !== false)
        problems.push('root');
      const properties = record.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [key, property] of Object.entries(properties ?? {})) {
        if (typeof property.description !== 'string' || property.description.length < 10) {
          problems.push(`${path}/properties/${key}: no description`);
        }
      }
      for (const [key, child] of Object.entries(record)) {
        if (key !== 'examples' && key !== 'default') walk(child, `${path}/${key}`);
      }
    };
    walk(schema, '');
    expect(problems).toEqual([]);
  });

  const keysOf = (def: string) =>
    Object.keys(
      ((schema.$defs as Record<string, { properties: object }>)[def] ?? { properties: {} })
        .properties,
    ).sort();

  test('the detector enum is DETECTOR_NAMES and the operators are OPERATOR_NAMES', () => {
    const sanitize = (
      schema.$defs as Record<string, { properties: { detectors: { items: { enum: string[] } } } }>
    ).sanitize;
    expect(sanitize?.properties.detectors.items.enum).toEqual([...DETECTOR_NAMES]);
    expect(keysOf('paramConstraint')).toEqual([...OPERATOR_NAMES, 'optional'].sort());
    expect(keysOf('condition')).toEqual(
      [...OPERATOR_NAMES, 'param', 'field', 'time', 'all', 'any', 'not'].sort(),
    );
  });

  // Each list is checked against the TS type at compile time (a key missing from the list, or
  // one the type lacks, fails `tsc`) and against the schema at run time.
  type Exactly<T, K extends readonly string[]> = [Exclude<keyof T, K[number]>] extends [never]
    ? K
    : never;
  const keys =
    <T>() =>
    <const K extends readonly (keyof T & string)[]>(k: Exactly<T, K>) =>
      [...k].sort();
  type ConditionKeys = Condition extends infer C ? (C extends unknown ? keyof C : never) : never;
  test.each([
    [
      '',
      keys<AgentPolicy>()([
        '$schema',
        'version',
        'agent',
        'tenant',
        'mode',
        'description',
        'regions',
        'allowed_tools',
        'egress',
        'rate_limit',
        'budget',
      ]),
    ],
    [
      'toolEntry',
      keys<ToolEntry>()([
        'name',
        'actions',
        'conditions',
        'params',
        'rules',
        'rate_limit',
        'budget',
        'sanitize',
      ]),
    ],
    [
      'amountConditions',
      keys<AmountConditions>()([
        'amount_param',
        'max_amount',
        'min_amount',
        'approval_needed_over',
      ]),
    ],
    ['paramConstraint', keys<ParamConstraint>()([...OPERATOR_NAMES, 'optional'])],
    ['rule', keys<Rule>()(['id', 'when', 'effect', 'reason', 'redact'])],
    [
      'condition',
      keys<Record<ConditionKeys, unknown>>()([
        ...OPERATOR_NAMES,
        'param',
        'field',
        'time',
        'all',
        'any',
        'not',
      ]),
    ],
    ['timeWindow', keys<TimeWindow>()(['days', 'hours', 'tz'])],
    ['rateLimit', keys<RateLimit>()(['rps', 'on_exceed'])],
    ['budget', keys<Budget>()(['daily_usd', 'on_exceed'])],
    ['sanitize', keys<Sanitize>()(['redact', 'detectors', 'patterns'])],
    ['customPattern', keys<CustomPattern>()(['name', 'regex'])],
    ['egress', keys<NonNullable<AgentPolicy['egress']>>()(['allow'])],
  ])('the TS type of %s has exactly the schema keys', (def, typeKeys) => {
    const schemaKeys = def === '' ? Object.keys(schema.properties as object).sort() : keysOf(def);
    expect(schemaKeys).toEqual(typeKeys);
  });
});

describe('the compiled validator', () => {
  // Recompiling the schema per document would cost tens of milliseconds each; the speed itself
  // is measured by `npm run bench -- validate`, not asserted here.
  test('is reused across documents and gives the same answer each time', () => {
    const [valid] = parse(lines(...TOOL, '    params: { a: { lt: 5 } }', 'rate_limit: { rps: 1 }'));
    const [invalidDoc] = parse(
      lines(...TOOL, '    rate_limt: 3', '    params: { a: { lt: "5" } }'),
    );
    if (!valid || !invalidDoc) throw new Error('fixture did not parse');
    for (let i = 0; i < 50; i++) {
      expect(checkSchema(valid)).toHaveLength(0);
      expect(checkSchema(invalidDoc).map((d) => d.code)).toEqual([
        'unknown-key',
        'operator-type-mismatch',
      ]);
    }
  });
});

describe('the precompiled validator', () => {
  test('is generated from the current schema', () => {
    const run = spawnSync(process.execPath, ['scripts/build-policy-validator.mjs', '--check'], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  test('accepts exactly what the full validator accepts', () => {
    const full = createPolicyAjv({ allErrors: true, validateSchema: false }).compile(
      policySchema(),
    );
    const documents = [
      ...readdirSync(new URL('../fixtures/policies/', import.meta.url)).map((name) =>
        readFileSync(new URL(`../fixtures/policies/${name}`, import.meta.url), 'utf8'),
      ),
      ...readdirSync(new URL('../fixtures/invalid/', import.meta.url))
        .filter((name) => name.endsWith('.yaml'))
        .map((name) =>
          readFileSync(new URL(`../fixtures/invalid/${name}`, import.meta.url), 'utf8'),
        ),
    ].flatMap((text) => {
      try {
        return loadAll(text, undefined, { schema: CORE_SCHEMA });
      } catch {
        return [];
      }
    });
    expect(documents.length).toBeGreaterThan(20);
    const verdicts = documents.map((d) => [validatePrecompiled(d), full(d)]);
    expect(verdicts.filter(([a, b]) => a !== b)).toEqual([]);
    expect(verdicts.some(([a]) => a)).toBe(true);
    expect(verdicts.some(([a]) => !a)).toBe(true);
  });
});

describe('showValue', () => {
  test('shows a number too large for a double as Infinity, not as JSON null', () => {
    // JSON.parse('1e400') is Infinity, which JSON.stringify writes as null.
    expect(showValue(JSON.parse('1e400'))).toBe('Infinity');
    expect(showValue(JSON.parse('-1e400'))).toBe('-Infinity');
    expect(showValue(2)).toBe('2');
    expect(showValue({ a: 1 })).toBe('{"a":1}');
  });
});

describe('numbers past 2^53', () => {
  // Doubles hold every integer up to 2^53 - 1, not all beyond: `9007199254740993` is read as
  // ...992, and a bundle built from it would let the written account through a `not_in`.
  test.each([
    ['an integer one past 2^53', '9007199254740993', '9007199254740992'],
    ['exactly 2^53', '9007199254740992', '9007199254740992'],
    ['a negative one', '-12345678901234567891', '-12345678901234567000'],
    ['a float that large', '1.5e300', '1.5e+300'],
  ])('refuses %s wherever it is', (_name, written, read) => {
    const found = check(
      lines(...TOOL, '    params:', `      to_account: { not_in: [${written}, 12] }`),
    );
    expect(found).toEqual([
      expect.objectContaining({
        code: 'invalid-value',
        pointer: '/allowed_tools/0/params/to_account/not_in/0',
        line: 5,
        message: `a number beyond ±(2^53 - 1) is not exact: it is read as ${read}, and the bundle would hold that`,
      }),
    ]);
  });

  test('takes 2^53 - 1 and everything smaller, in YAML and in JSON', () => {
    expect(
      check(
        lines(...TOOL, '    params:', '      n: { not_in: [9007199254740991, -9007199254740991] }'),
      ),
    ).toEqual([]);
    expect(
      check(
        '{"agent":"a","allowed_tools":[{"name":"t","conditions":{"max_amount":9007199254740991}}]}',
        'json',
      ),
    ).toEqual([]);
    expect(
      check(
        '{"agent":"a","allowed_tools":[{"name":"t","conditions":{"max_amount":9007199254740993}}]}',
        'json',
      ),
    ).toEqual([
      expect.objectContaining({
        code: 'invalid-value',
        pointer: '/allowed_tools/0/conditions/max_amount',
      }),
    ]);
  });
});
