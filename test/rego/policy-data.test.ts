/**
 * The lookups policy-data.ts derives for the Rego (the decisions themselves are checked by
 * decisions.test.ts and the conformance suite): which scan a sanitize block gets, how time
 * windows and multi-operator tests are rewritten, and step 5's entry table; and that the IR
 * comes back from data.json exactly (a bundle carries the policies only there).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConditionIR, PolicySetIR } from '../../src/compiler/ir.js';
import { irFromPolicyData } from '../../src/compiler/rego/ir-from-policy-data.js';
import { policyData } from '../../src/compiler/rego/policy-data.js';
import { irFromFile, irFromYaml, ROOT } from './rego-helpers.js';

type Doc = Record<string, unknown>;

/** The single global policy of a one-policy set, as data.json holds it. */
function policyDoc(ir: PolicySetIR): Doc {
  const data = policyData(ir).data as { aegis: { policies: { global: Record<string, Doc> } } };
  const doc = Object.values(data.aegis.policies.global)[0];
  if (!doc) throw new Error('no policy');
  return doc;
}

/** A member of a data document; throws when the document is not there. */
function get(doc: Doc | undefined, key: string): unknown {
  if (doc === undefined) throw new Error(`no document for ${key}`);
  return doc[key];
}

function toolDocs(yamlTools: string[]): Doc[] {
  const ir = irFromYaml('t.yaml', ['agent: a', 'allowed_tools:', ...yamlTools].join('\n'));
  return policyDoc(ir).tools as Doc[];
}

function sanitizeScan(patterns: string[], detectors: string[] = []): unknown {
  const [tool] = toolDocs([
    '  - name: t',
    '    sanitize:',
    `      detectors: [${detectors.join(', ')}]`,
    '      patterns:',
    ...patterns.map((p, i) => `        - { name: p${i}, regex: ${JSON.stringify(p)} }`),
  ]);
  return get(get(tool, 'sanitize') as Doc, 'scan');
}

describe('sanitize scan', () => {
  it('joins the matchers into one alternation run over all the strings at once', () => {
    expect(sanitizeScan(['MRN-[0-9]{8}'], ['ssn'])).toEqual({
      joined: String.raw`(?:\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b)|(?:MRN-[0-9]{8})`,
    });
    expect(sanitizeScan(['(?i)bearer x'])).toEqual({ joined: '(?i)bearer x' });
  });

  it('runs string by string when a matcher asks where it is in the text', () => {
    for (const anchored of ['^a', 'a$', String.raw`\Aa`, String.raw`a\z`]) {
      expect(sanitizeScan([anchored, 'b'])).toEqual({ each: [`(?:${anchored})|(?:b)`] });
    }
  });

  it('keeps the matchers apart when a named group could clash', () => {
    expect(sanitizeScan(['(?P<n>a)', '(?P<n>b)'])).toEqual({ each: ['(?P<n>a)', '(?P<n>b)'] });
  });

  it('has nothing to scan without matchers', () => {
    const [tool] = toolDocs(['  - name: t', '    sanitize:', '      redact: [x]']);
    expect(get(get(tool, 'sanitize') as Doc, 'scan')).toEqual({ each: [] });
  });
});

describe('conditions', () => {
  function leaves(when: string): { leaves: Doc[]; combined: Doc[][]; when: unknown } {
    const [tool] = toolDocs([
      '  - name: t',
      '    rules:',
      `      - when: ${when}`,
      '        effect: deny',
    ]);
    const conditions = get(tool, 'conditions') as { leaves: Doc[]; combined: Doc[][] };
    return { ...conditions, when: get((get(tool, 'rules') as Doc[])[0], 'when') };
  }

  it('splits a test with several operators into all of one test each, paths from the root', () => {
    expect(leaves('{ param: n, gte: 1, in: [1, 2] }')).toEqual({
      leaves: [
        { id: 0, kind: 'one_of', subject: 'param', path: ['params', 'n'], op: 'in', value: [1, 2] },
        { id: 1, kind: 'other', subject: 'param', path: ['params', 'n'], op: 'gte', value: 1 },
      ],
      combined: [[{ id: 2, kind: 'all', of: [0, 1], test: true }]],
      when: 2,
    });
    expect(leaves('{ field: agent.claims.team, ne: ops }').leaves).toEqual([
      {
        id: 0,
        kind: 'none_of',
        subject: 'field',
        path: ['agent', 'claims', 'team'],
        op: 'ne',
        value: ['ops'],
      },
    ]);
  });

  it('writes time windows as Go weekday names and hours as start and span', () => {
    expect(leaves('{ time: { days: [sat, sun], hours: "22:00-06:00", tz: UTC } }')).toEqual({
      leaves: [
        { id: 0, kind: 'days', tz: 'UTC', days: ['Saturday', 'Sunday'], given: true },
        { id: 1, kind: 'hours', tz: 'UTC', start: 1320, end: 360, span: 480 },
      ],
      combined: [[{ id: 2, kind: 'all', of: [0, 1], window: true }]],
      when: 2,
    });
    // An end equal to the start (validate refuses it) spans the whole day, as in the engines.
    const spans = [
      [540, 1020],
      [600, 600],
      [0, 1440],
      [1440, 0],
    ].map(([start, end]) => {
      const ir = irFromYaml(
        't.yaml',
        'agent: a\nallowed_tools:\n  - name: t\n    rules:\n      - { when: { time: { hours: "01:00-02:00" } }, effect: deny }\n',
      );
      const when = ir.policies[0]?.tools[0]?.rules[0]?.when;
      if (when?.kind !== 'time' || start === undefined || end === undefined)
        throw new Error('no window');
      when.hours = { start, end };
      const [tool] = policyDoc(ir).tools as Doc[];
      return get((get(tool, 'conditions') as { leaves: Doc[] }).leaves[0], 'span');
    });
    expect(spans).toEqual([480, 1440, 1440, 0]);
  });
});

describe('step 4 and step 5 lookups', () => {
  it('sorts egress patterns into exact hosts and suffixes, "*" as the empty suffix', () => {
    const ir = irFromYaml(
      't.yaml',
      'agent: a\nallowed_tools: []\negress:\n  allow: [api.x.com, "*.Y.com", "*"]\n',
    );
    expect(policyDoc(ir).egress).toEqual({
      patterns: ['api.x.com', '*.y.com', '*'],
      hosts: { 'api.x.com': true },
      suffixes: ['.y.com', ''],
    });
  });

  it('keeps the first entry listing each action, and a literal * apart from the wildcard', () => {
    // Entries validate refuses (an action allowed twice, two wildcards): still the first.
    const ir = irFromYaml(
      't.yaml',
      [
        'agent: a',
        'allowed_tools:',
        '  - { name: t, actions: [read, "*"] }',
        '  - { name: t, actions: [write] }',
        '  - { name: t }',
        '  - { name: __proto__, actions: [__proto__] }',
      ].join('\n'),
    );
    const tools = ir.policies[0]?.tools ?? [];
    const [readStar, write, wildcard, proto] = tools;
    if (!readStar || !write || !wildcard || !proto) throw new Error('missing tools');
    write.actions = ['read', 'write'];
    ir.policies[0] = {
      ...(ir.policies[0] as PolicySetIR['policies'][number]),
      tools: [readStar, write, wildcard, { ...wildcard }, proto],
    };
    const entries = policyDoc(ir).tool_entries as Record<string, unknown>;
    expect(entries.t).toEqual({ actions: { read: 0, '*': 0, write: 1 }, any_action: 2 });
    expect(Object.getOwnPropertyDescriptor(entries, '__proto__')?.value).toEqual({
      actions: JSON.parse('{"__proto__": 4}'),
    });
  });
});

describe('irFromPolicyData', () => {
  /** Through JSON text, as a bundle carries it. */
  const roundTrip = (ir: PolicySetIR) =>
    irFromPolicyData(JSON.parse(JSON.stringify(policyData(ir).data)));

  const files = [
    ...readdirSync(join(ROOT, 'fixtures/policies'))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(ROOT, 'fixtures/policies', f)),
    join(ROOT, 'test/rego/policies/cases.yaml'),
  ];

  it.each(files)('gives back the IR of %s', (file) => {
    const ir = irFromFile(file);
    expect(roundTrip(ir)).toStrictEqual({ ok: true, ir });
  });

  it('gives back conditions of every shape, also ones validate refuses', () => {
    const ir = irFromYaml(
      't.yaml',
      [
        'agent: a',
        'tenant: "__proto__"',
        'allowed_tools:',
        '  - name: t',
        '    rules:',
        '      - { when: { param: x, eq: 1 }, effect: deny }',
        '    sanitize: { patterns: [{ name: p, regex: "^x" }] }',
      ].join('\n'),
    );
    const tool = ir.policies[0]?.tools[0];
    const rule = tool?.rules[0];
    if (!tool || !rule) throw new Error('no rule');
    const shapes: ConditionIR[] = [
      {
        kind: 'param',
        path: ['a', 'b'],
        tests: [
          { op: 'gte', value: 1 },
          { op: 'ne', value: [2] },
        ],
      },
      { kind: 'field', path: ['params', 'x'], tests: [{ op: 'eq', value: { k: [1] } }] },
      { kind: 'param', path: ['y'], tests: [] },
      { kind: 'time', tz: 'UTC' },
      { kind: 'time', tz: 'Europe/Berlin', days: [] },
      { kind: 'time', tz: 'UTC', days: ['sun', 'mon'], hours: { start: 600, end: 600 } },
      { kind: 'time', tz: 'UTC', hours: { start: 1320, end: 360 } },
      {
        kind: 'not',
        of: {
          kind: 'any',
          of: [
            { kind: 'all', of: [{ kind: 'not', of: { kind: 'field', path: ['z'], tests: [] } }] },
            { kind: 'all', of: [] },
            { kind: 'any', of: [] },
          ],
        },
      },
    ];
    tool.rules = shapes.map((when) => ({ ...rule, when }));
    expect(roundTrip(ir)).toStrictEqual({ ok: true, ir });
  });

  it('refuses data that is not aegis policy data, or of another format', () => {
    expect(irFromPolicyData({})).toMatchObject({ ok: false, message: /no aegis policies/ });
    expect(irFromPolicyData({ aegis: { format: 1 } })).toMatchObject({
      ok: false,
      message: /format 1; this aegis reads format 2 \(recompile the bundle\)/,
    });
    expect(irFromPolicyData({ aegis: { format: 2 } })).toMatchObject({
      ok: false,
      message: /not aegis policy data/,
    });
  });

  it('refuses a policy whose reasons do not resolve, saying which', () => {
    const data = policyData(irFromFile(join(ROOT, 'fixtures/policies/saas.yaml'))).data;
    const broken = (change: (doc: Doc) => void) => {
      const copy = JSON.parse(JSON.stringify(data));
      change(Object.values(copy.aegis.policies.global)[0] as Doc);
      return irFromPolicyData(copy);
    };
    expect(broken((doc) => (doc.messages = ['only one']))).toMatchObject({
      ok: false,
      message: /not aegis policy data \(message 1\)/,
    });
    expect(broken((doc) => (doc.prefix = 'other/agent'))).toMatchObject({
      ok: false,
      message: /not aegis policy data \(prefix "other\/agent"\)/,
    });
  });
});

describe('reasons', () => {
  it('writes rule ids after the policy prefix, and each message once per policy', () => {
    const ir = irFromYaml(
      't.yaml',
      [
        'agent: a',
        'tenant: acme',
        'allowed_tools:',
        '  - name: pay',
        '    params: { currency: { in: [EUR] } }',
        '  - name: refund',
        '    params: { currency: { in: [EUR] } }',
      ].join('\n'),
    );
    const data = policyData(ir).data as {
      aegis: { policies: { tenants: Record<string, Record<string, Doc>> } };
    };
    const doc = data.aegis.policies.tenants.acme?.a;
    expect(get(doc, 'prefix')).toBe('acme/a');
    const [pay, refund] = get(doc, 'tools') as Doc[];
    const missing = (tool: Doc | undefined) => (get(tool, 'params') as Doc[])[0]?.missing;
    expect(missing(pay)).toEqual({ rule: 'pay/params/currency', message: 4 });
    expect(missing(refund)).toEqual({ rule: 'refund/params/currency', message: 4 });
    const messages = get(doc, 'messages') as string[];
    expect(messages[4]).toBe('parameter `currency` is required');
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('refuses a rule id outside its policy (a compiler bug, not data to write)', () => {
    const ir = irFromYaml('t.yaml', 'agent: a\nallowed_tools: [{ name: t }]');
    const policy = ir.policies[0];
    if (!policy) throw new Error('no policy');
    policy.denials.tool = { rule: 'elsewhere/tools', message: 'x' };
    expect(() => policyData(ir)).toThrow(/rule elsewhere\/tools is outside _\/a\//);
  });
});
