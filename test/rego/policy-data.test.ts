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

/** The message of irFromPolicyData's refusal; throws when it reads the data. */
function refusal(data: unknown): string {
  const read = irFromPolicyData(data);
  if (read.ok) throw new Error('the data was read');
  return read.message;
}

function toolDocs(yamlTools: string[]): Doc[] {
  const ir = irFromYaml('t.yaml', ['agent: a', 'allowed_tools:', ...yamlTools].join('\n'));
  return entryList(policyDoc(ir));
}

/** A policy's allowed_tools entries, which its data keys by position ("0", "1", ...), in order. */
function entryList(doc: Doc | undefined): Doc[] {
  const tools = get(doc, 'tools') as Record<string, Doc>;
  const keys = Object.keys(tools);
  expect(keys).toEqual(keys.map((_, i) => String(i)));
  return keys.map((key) => tools[key] as Doc);
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
      const [tool] = entryList(policyDoc(ir));
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
    expect(entries.t).toEqual({ actions: { read: '0', '*': '0', write: '1' }, any_action: '2' });
    expect(Object.getOwnPropertyDescriptor(entries, '__proto__')?.value).toEqual({
      actions: JSON.parse('{"__proto__": "4"}'),
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
    expect(refusal({})).toMatch(/no aegis policies/);
    expect(refusal({ aegis: { format: 1 } })).toMatch(
      /format 1; this aegis reads formats 2 and 3 \(recompile the bundle\)$/,
    );
    for (const format of [2, 3]) {
      expect(refusal({ aegis: { format } })).toBe(
        'data.json is not aegis policy data: /aegis/denials is missing, not an object (recompile the bundle)',
      );
    }
  });

  it('reads format 2 (tools as a list, positions as numbers) into the same IR', () => {
    // The bundles a registry serves from before format 3: every fixture, written as format 2.
    for (const file of readdirSync(join(ROOT, 'fixtures/policies'))) {
      const ir = irFromFile(join(ROOT, 'fixtures/policies', file));
      const data = JSON.parse(JSON.stringify(policyData(ir).data));
      const { tenants, global } = data.aegis.policies;
      const policies = [
        ...Object.values(global),
        ...Object.values(tenants).flatMap((agents) => Object.values(agents as object)),
      ] as { tools: unknown; tool_entries: unknown }[];
      expect(policies.length).toBeGreaterThan(0);
      data.aegis.format = 2;
      for (const policy of policies) {
        policy.tools = Object.values(policy.tools as object);
        policy.tool_entries = JSON.parse(JSON.stringify(policy.tool_entries), (_k, v) =>
          typeof v === 'string' ? Number(v) : v,
        );
      }
      expect(irFromPolicyData(data)).toStrictEqual({ ok: true, ir });
      // Each format in full: format 2's positions or tools in format 3's data are refused.
      data.aegis.format = 3;
      expect(irFromPolicyData(data).ok).toBe(false);
    }
  });
});

/**
 * Data that policy-data.ts would not write, each member the engines branch on changed in a
 * compiled fixture: refused, naming the member. Read as it was, an operator the native engine
 * does not know held, and it allowed what OPA, reading the same data, denied; where the Rego
 * reads a member the IR does not keep, the two must agree too.
 */
describe('irFromPolicyData refuses data aegis does not write', () => {
  const FINTECH = policyData(irFromFile(join(ROOT, 'fixtures/policies/fintech.yaml'))).data;
  const RULES = policyData(
    irFromYaml(
      'rules.yaml',
      [
        'agent: a',
        'allowed_tools:',
        '  - name: t',
        '    rules:',
        '      - { when: { param: n, gte: 1, lte: 9 }, effect: deny }',
        '      - { when: { time: { days: [sat], hours: "09:00-17:00", tz: UTC } }, effect: deny }',
        '      - { when: { field: agent.claims.team, matches: "^ops" }, effect: deny }',
      ].join('\n'),
    ),
  ).data;
  const AT_FINTECH = '/aegis/policies/tenants/acme/finance-agent';
  const AT_RULES = '/aegis/policies/global/a';

  /** The policy's first entry (finance-agent's: stripe-payments create_payment). */
  const payments = (policy: Doc): Doc => (policy.tools as Record<string, Doc>)['0'] as Doc;
  /** The entry's test with this operator, in whichever list it is. */
  const test = (tool: Doc, op: string): Doc => {
    const tests = Object.values(tool.tests as Record<string, Doc[]>).flat();
    const found = tests.find((t) => t.op === op);
    if (!found) throw new Error(`no ${op} test`);
    return found;
  };
  const conditions = (tool: Doc) => tool.conditions as { leaves: Doc[]; combined: Doc[][] };
  const leaf = (tool: Doc, kind: string, op?: string): Doc => {
    const leaves = conditions(tool).leaves;
    const found = leaves.find((l) => l.kind === kind && (op === undefined || l.op === op));
    if (!found) throw new Error(`no ${kind} leaf`);
    return found;
  };
  const node = (tool: Doc, kind: string): Doc => {
    const found = conditions(tool)
      .combined.flat()
      .find((n) => n.kind === kind);
    if (!found) throw new Error(`no ${kind} node`);
    return found;
  };
  const limits = (doc: Doc) => doc.limits as { over: Doc[]; under: Doc[] };
  const overLimit = (doc: Doc, code: string): Doc => {
    const found = limits(doc).over.find((l) => l.code === code);
    if (!found) throw new Error(`no ${code} limit`);
    return found;
  };

  type Case = {
    /** What is changed. */
    name: string;
    data: Record<string, unknown>;
    change: (policy: Doc) => void;
    /** The member's pointer below the policy's, its value shown, and what aegis writes there. */
    at: string;
    is: string;
    not: string;
  };

  const cases: Case[] = [
    // The auditor's case: an operator that does not exist.
    {
      name: 'an operator aegis does not have, in params tests',
      data: FINTECH,
      change: (p) => (test(payments(p), 'in').op = 'in_'),
      at: '/tools/0/tests/one_of/0/op',
      is: '"in_"',
      not: 'an operator',
    },
    {
      name: 'an operator in the list of another group',
      data: FINTECH,
      change: (p) => (test(payments(p), 'in').op = 'not_in'),
      at: '/tools/0/tests/one_of/0/op',
      is: '"not_in"',
      not: 'an operator of one_of',
    },
    {
      name: 'an operator aegis does not have, in a condition leaf',
      data: FINTECH,
      change: (p) => (leaf(payments(p), 'other').op = 'greater'),
      at: '/tools/0/conditions/leaves/2/op',
      is: '"greater"',
      not: 'an operator',
    },
    {
      name: 'a regex operand that is not a string',
      data: FINTECH,
      change: (p) => (test(payments(p), 'not_matches').value = ['(?i)<script']),
      at: '/tools/0/tests/other/4/value',
      is: '["(?i)<script"]',
      not: 'a string',
    },
    {
      name: 'a regex operand that is not a string, in a condition leaf',
      data: RULES,
      change: (p) => (leaf(payments(p), 'other', 'matches').value = 7),
      at: '/tools/0/conditions/leaves/4/value',
      is: '7',
      not: 'a string',
    },
    {
      name: 'an in operand that is not a list',
      data: FINTECH,
      change: (p) => (test(payments(p), 'in').value = 'USD'),
      at: '/tools/0/tests/one_of/0/value',
      is: '"USD"',
      not: 'a list',
    },
    {
      name: 'an eq operand that is not a list of one',
      data: FINTECH,
      change: (p) => (test(payments(p), 'eq').value = [true, false]),
      at: '/tools/0/tests/one_of/1/value',
      is: '[true,false]',
      not: 'a list of one value',
    },
    {
      name: 'a bound that is not a number',
      data: FINTECH,
      change: (p) => (test(payments(p), 'min_length').value = '12'),
      at: '/tools/0/tests/other/1/value',
      is: '"12"',
      not: 'a number',
    },
    {
      name: 'a value type aegis does not have',
      data: FINTECH,
      change: (p) => (test(payments(p), 'type').value = 'text'),
      at: '/tools/0/tests/other/3/value',
      is: '"text"',
      not: 'one of string, number, integer, boolean, array, object',
    },
    {
      name: "a test's path other than its check's",
      data: FINTECH,
      change: (p) => (test(payments(p), 'in').path = ['params', 'amount']),
      at: '/tools/0/tests/one_of/0/path',
      is: '["params","amount"]',
      not: "its check's path from the input's root",
    },
    {
      name: "a test at another test's position",
      data: FINTECH,
      change: (p) => (test(payments(p), 'min_length').at = [3, 0]),
      at: '/tools/0/tests/other/1/at/1',
      is: '0',
      not: "a position no other of the check's tests has",
    },
    {
      name: 'a test past the positions of its check',
      data: FINTECH,
      change: (p) => (test(payments(p), 'in').at = [0, 1]),
      at: '/tools/0/tests/one_of/0/at/1',
      is: '1',
      not: "a position below the number of the check's tests",
    },
    {
      name: 'optional that is not a boolean',
      data: FINTECH,
      change: (p) => (((payments(p).params as Doc[])[0] as Doc).optional = 'false'),
      at: '/tools/0/params/0/optional',
      is: '"false"',
      not: 'true or false',
    },
    {
      name: 'required params other than the checks not optional',
      data: FINTECH,
      change: (p) => (payments(p).required = [0, 1, 2]),
      at: '/tools/0/required',
      is: '[0,1,2]',
      not: 'the positions of the params that are not optional',
    },
    // Conditions.
    {
      name: 'a leaf kind aegis does not have',
      data: FINTECH,
      change: (p) => (leaf(payments(p), 'other').kind = 'some_of'),
      at: '/tools/0/conditions/leaves/2/kind',
      is: '"some_of"',
      not: 'one of one_of, none_of, other, present, days, hours',
    },
    {
      name: 'a leaf subject aegis does not have',
      data: FINTECH,
      change: (p) => (leaf(payments(p), 'other').subject = 'input'),
      at: '/tools/0/conditions/leaves/2/subject',
      is: '"input"',
      not: 'one of param, field',
    },
    {
      name: 'a param leaf whose path does not go through params',
      data: FINTECH,
      change: (p) => (leaf(payments(p), 'other').path = ['context', 'amount']),
      at: '/tools/0/conditions/leaves/2/path',
      is: '["context","amount"]',
      not: 'a path through params',
    },
    {
      name: 'a node kind aegis does not have',
      data: FINTECH,
      change: (p) => (node(payments(p), 'not').kind = 'nor'),
      at: '/tools/0/conditions/combined/0/1/kind',
      is: '"nor"',
      not: 'one of all, any, not',
    },
    {
      name: 'a not of two conditions',
      data: FINTECH,
      change: (p) => {
        const tool = payments(p);
        conditions(tool).leaves.push({ id: 6, kind: 'present', subject: 'field', path: ['x'] });
        node(tool, 'not').of = [4, 6];
      },
      at: '/tools/0/conditions/combined/0/1/of',
      is: '[4,6]',
      not: 'a list of one id',
    },
    {
      name: 'a node combining a node of its own height, which the Rego has not decided yet',
      data: FINTECH,
      change: (p) => {
        // Rule 1 refers to its amount test alone, leaving node 3 to the not.
        ((payments(p).rules as Doc[])[1] as Doc).when = 2;
        node(payments(p), 'not').of = [3];
      },
      at: '/tools/0/conditions/combined/0/1/of/0',
      is: '3',
      not: 'the id of a leaf or of a node below this one',
    },
    {
      name: 'a rule whose condition is not there',
      data: FINTECH,
      change: (p) => (((payments(p).rules as Doc[])[0] as Doc).when = 99),
      at: '/tools/0/rules/0/when',
      is: '99',
      not: 'the id of a leaf or node',
    },
    {
      name: 'a condition two rules refer to',
      data: FINTECH,
      change: (p) => (((payments(p).rules as Doc[])[1] as Doc).when = 0),
      at: '/tools/0/rules/1/when',
      is: '0',
      not: 'the id of a leaf or node nothing else refers to',
    },
    {
      name: 'two leaves with one id',
      data: FINTECH,
      change: (p) => (leaf(payments(p), 'hours').id = 0),
      at: '/tools/0/conditions/leaves/1/id',
      is: '0',
      not: 'an id no other leaf or node has',
    },
    {
      name: 'an hours span other than from start to end',
      data: FINTECH,
      change: (p) => (leaf(payments(p), 'hours').span = 1440),
      at: '/tools/0/conditions/leaves/1/span',
      is: '1440',
      not: '720, the minutes from start to end',
    },
    {
      name: 'an hour past midnight',
      data: FINTECH,
      change: (p) => (leaf(payments(p), 'hours').start = 1500),
      at: '/tools/0/conditions/leaves/1/start',
      is: '1500',
      not: 'minutes from 0 to 1440',
    },
    {
      name: 'a weekday Go does not name',
      data: FINTECH,
      change: (p) => (leaf(payments(p), 'days').days = ['Saturday', 'Caturday']),
      at: '/tools/0/conditions/leaves/0/days/1',
      is: '"Caturday"',
      not: 'a weekday as Go names it',
    },
    {
      name: 'days not given but not all seven',
      data: FINTECH,
      change: (p) => (leaf(payments(p), 'days').given = false),
      at: '/tools/0/conditions/leaves/0/days',
      is: '["Saturday","Sunday"]',
      not: 'all seven days, as given is false',
    },
    {
      name: 'a test mark that is not true',
      data: RULES,
      change: (p) => (node(payments(p), 'all').test = 'yes'),
      at: '/tools/0/conditions/combined/0/0/test',
      is: '"yes"',
      not: 'true or absent',
    },
    {
      name: 'a test marked on a node that is not all',
      data: RULES,
      change: (p) => (node(payments(p), 'all').kind = 'any'),
      at: '/tools/0/conditions/combined/0/0/kind',
      is: '"any"',
      not: '"all", and only test or window',
    },
    {
      name: 'a test node over leaves of different values',
      data: RULES,
      change: (p) => (leaf(payments(p), 'other').path = ['params', 'm']),
      at: '/tools/0/conditions/combined/0/0/of',
      is: '[0,1]',
      not: 'the ids of two or more tests of one value',
    },
    {
      name: 'a window node over leaves of different zones',
      data: RULES,
      change: (p) => (leaf(payments(p), 'hours').tz = 'Europe/Berlin'),
      at: '/tools/0/conditions/combined/0/1/of',
      is: '[3,4]',
      not: 'the ids of a days leaf and an hours leaf of one zone',
    },
    // Effects, modes and limits.
    {
      name: 'a rule effect aegis does not have',
      data: FINTECH,
      change: (p) => (((payments(p).rules as Doc[])[0] as Doc).effect = 'warn'),
      at: '/tools/0/rules/0/effect',
      is: '"warn"',
      not: 'one of deny, approval_needed, sanitize',
    },
    {
      name: 'a mode aegis does not have',
      data: FINTECH,
      change: (p) => (p.mode = 'Enforce'),
      at: '/mode',
      is: '"Enforce"',
      not: 'one of enforce, shadow',
    },
    {
      name: 'a limit code aegis does not have',
      data: FINTECH,
      change: (p) => (overLimit(p, 'agent_rate_limited').code = 'agent_rate_limit'),
      at: '/limits/over/0/code',
      is: '"agent_rate_limit"',
      not: 'the code of a limit',
    },
    {
      name: "an entry's limit code among the agent's",
      data: FINTECH,
      change: (p) => (overLimit(p, 'agent_rate_limited').code = 'rate_limited'),
      at: '/limits/over/0/code',
      is: '"rate_limited"',
      not: 'one of agent_rate_limited, agent_budget_exceeded',
    },
    {
      name: 'a limit in the other list',
      data: FINTECH,
      change: (p) => {
        const tool = limits(payments(p));
        tool.over.push(...tool.under.splice(0));
      },
      at: '/tools/0/limits/over/4/code',
      is: '"amount_under_min"',
      not: 'one of amount_over_max, amount_needs_approval, rate_limited, budget_exceeded',
    },
    {
      name: 'a limit code twice',
      data: FINTECH,
      change: (p) => limits(p).over.push({ ...overLimit(p, 'agent_budget_exceeded') }),
      at: '/limits/over/2/code',
      is: '"agent_budget_exceeded"',
      not: 'a code no other limit of the list has',
    },
    {
      name: 'a limit measure other than its code compares',
      data: FINTECH,
      change: (p) => (overLimit(p, 'agent_rate_limited').measure = 'tool_rps'),
      at: '/limits/over/0/measure',
      is: '"tool_rps"',
      not: '"agent_rps"',
    },
    {
      name: 'a limit effect aegis does not have',
      data: FINTECH,
      change: (p) => (overLimit(p, 'agent_budget_exceeded').effect = 'warn'),
      at: '/limits/over/1/effect',
      is: '"warn"',
      not: 'one of deny, approval_needed',
    },
    {
      name: 'a fixed limit effect changed',
      data: FINTECH,
      change: (p) => (overLimit(payments(p), 'amount_over_max').effect = 'approval_needed'),
      at: '/tools/0/limits/over/0/effect',
      is: '"approval_needed"',
      not: '"deny"',
    },
    {
      name: 'a limit that is not a number',
      data: FINTECH,
      change: (p) => (overLimit(payments(p), 'amount_over_max').limit = '5000'),
      at: '/tools/0/limits/over/0/limit',
      is: '"5000"',
      not: 'a number',
    },
    {
      name: 'amount limits without the amount',
      data: FINTECH,
      change: (p) => delete payments(p).amount,
      at: '/tools/0/amount',
      is: 'missing',
      not: 'present, as the entry has amount limits',
    },
    // The policy's names, reasons, sources and the lookups the Rego matches by.
    {
      name: 'a policy filed under another agent',
      data: FINTECH,
      change: (p) => ((p.policy as Doc).agent = 'payroll-agent'),
      at: '/policy/agent',
      is: '"payroll-agent"',
      not: '"finance-agent", its key',
    },
    {
      name: 'a policy filed under another tenant',
      data: FINTECH,
      change: (p) => ((p.policy as Doc).tenant = 'globex'),
      at: '/policy/tenant',
      is: '"globex"',
      not: '"acme", its key',
    },
    {
      name: "a prefix other than the policy's",
      data: FINTECH,
      change: (p) => (p.prefix = 'other/agent'),
      at: '/prefix',
      is: '"other/agent"',
      not: '"acme/finance-agent"',
    },
    {
      name: 'a message that is not there',
      data: FINTECH,
      change: (p) => (p.messages = ['only one']),
      at: '/tools/0/params/0/missing/message',
      is: '4',
      not: "the position of a policy's message",
    },
    {
      name: 'a source without a line',
      data: FINTECH,
      change: (p) => (p.source = 'fintech.yaml'),
      at: '/source',
      is: '"fintech.yaml"',
      not: 'file:line',
    },
    {
      name: 'regions that are not a list',
      data: FINTECH,
      change: (p) => (p.regions = 'us-east-1'),
      at: '/regions',
      is: '"us-east-1"',
      not: 'a list',
    },
    {
      name: 'an egress host that no pattern names',
      data: FINTECH,
      change: (p) =>
        ((p.egress as { hosts: Doc }).hosts = { 'api.stripe.com': true, 'x.io': true }),
      at: '/egress/hosts',
      is: '{"api.stripe.com":true,"x.io":true}',
      not: 'the exact hosts of its patterns',
    },
    {
      name: 'an egress suffix that no pattern names',
      data: FINTECH,
      change: (p) => ((p.egress as { suffixes: string[] }).suffixes = ['']),
      at: '/egress/suffixes',
      is: '[""]',
      not: 'the suffixes of its patterns',
    },
    {
      name: 'a tool lookup that finds another entry',
      data: FINTECH,
      change: (p) => {
        const entries = p.tool_entries as Record<string, { actions: Record<string, string> }>;
        (entries['slack-notify'] as { actions: Record<string, string> }).actions.post_message = '0';
      },
      at: '/tool_entries',
      is: '{"stripe-payments":{"actions":{"create_…',
      not: 'the lookup of its tools by name and action',
    },
    {
      name: 'a tool lookup by a number, as format 2 wrote it',
      data: FINTECH,
      change: (p) => {
        const entries = p.tool_entries as Record<string, { actions: Record<string, unknown> }>;
        (entries['slack-notify'] as { actions: Record<string, unknown> }).actions.post_message = 1;
      },
      at: '/tool_entries',
      is: '{"stripe-payments":{"actions":{"create_…',
      not: 'the lookup of its tools by name and action',
    },
    {
      name: 'the entries as a list, as format 2 wrote them',
      data: FINTECH,
      change: (p) => (p.tools = Object.values(p.tools as Doc)),
      at: '/tools',
      is: '[{"name":"stripe-payments","actions":["…',
      not: 'an object',
    },
    {
      name: 'the entries keyed by something other than their positions',
      data: FINTECH,
      change: (p) => {
        const tools = p.tools as Doc;
        tools['2'] = tools['1'];
        delete tools['1'];
      },
      at: '/tools',
      is: '{"0":{"name":"stripe-payments","actions…',
      not: 'an object keyed by the positions "0", "1", ...',
    },
    {
      name: "a sanitize scan other than its matchers'",
      data: FINTECH,
      change: (p) => ((payments(p).sanitize as Doc).scan = { each: [] }),
      at: '/tools/0/sanitize/scan',
      is: '{"each":[]}',
      not: 'the scan of its matchers',
    },
  ];

  it.each(cases)('$name', ({ data, change, at, is, not }) => {
    const copy = JSON.parse(JSON.stringify(data));
    const policies = copy.aegis.policies;
    const policy = data === FINTECH ? policies.tenants.acme['finance-agent'] : policies.global.a;
    change(policy);
    const root = data === FINTECH ? AT_FINTECH : AT_RULES;
    expect(refusal(copy)).toBe(
      `data.json is not aegis policy data: ${root}${at} is ${is}, not ${not} (recompile the bundle)`,
    );
  });

  it('reads every fixture it refuses a change of, unchanged', () => {
    for (const data of [FINTECH, RULES]) {
      expect(irFromPolicyData(JSON.parse(JSON.stringify(data))).ok).toBe(true);
    }
  });

  it('names a member of the set, and keeps control characters off the terminal', () => {
    const copy = JSON.parse(JSON.stringify(FINTECH));
    copy.aegis.denials.no_policy.rule = 1;
    expect(refusal(copy)).toBe(
      'data.json is not aegis policy data: /aegis/denials/no_policy/rule is 1, not a string (recompile the bundle)',
    );
    const tenants = JSON.parse(JSON.stringify(FINTECH)).aegis.policies.tenants;
    const hostile = { aegis: { ...copy.aegis, policies: { global: {}, tenants } } };
    hostile.aegis.denials = JSON.parse(JSON.stringify(FINTECH)).aegis.denials;
    tenants['\u001b[2J/a~b'] = tenants.acme;
    delete tenants.acme;
    expect(refusal(hostile)).toMatch(
      /^data\.json is not aegis policy data: \/aegis\/policies\/tenants\/\\u001b\[2J~1a~0b\/finance-agent\/policy\/tenant is "acme", not "\\u001b\[2J\/a~b", its key/,
    );
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
    const [pay, refund] = entryList(doc);
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
