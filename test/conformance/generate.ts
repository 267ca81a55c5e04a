/**
 * A seeded generator of decision inputs aimed at the edges of a policy set: values at and
 * around every limit, wrong types, strings that look like numbers, missing paths, unicode,
 * deep objects, odd-case hosts, times across DST changes and midnight, unknown agents,
 * tenants and tools, and malformed inputs. The same seed gives the same inputs.
 */
import RandExp from 'randexp';
import type {
  ConditionIR,
  ParamCheckIR,
  PolicyIR,
  PolicySetIR,
  ToolIR,
} from '../../src/compiler/ir.js';
import { DETECTORS } from '../../src/engine/detectors.js';
import { testOperator } from '../../src/engine/operators.js';
import type { JsonValue } from '../../src/policy/types.js';

type Json = JsonValue;
type Obj = { [key: string]: Json };

export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    // xorshift32: small, fast, and the same everywhere.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[this.int(xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }
}

const ODD_STRINGS = [
  '',
  ' ',
  'é',
  'ß',
  '日本語',
  '😀',
  'a\u0301',
  'null',
  'true',
  '0',
  '-1',
  '1e3',
  '5000',
  '[REDACTED]',
];
const ODD_VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e21,
  -0.000001,
  [],
  {},
  [1, 'a'],
  { a: { b: 1 } },
];
const SECRETS = Object.values(DETECTORS).map((d) => d.example);

/** Times that sit on the edges time windows care about. */
function edgeTime(r: Random): string {
  const bases = [
    '2026-03-08T06:59:30Z', // America/New_York springs forward at 07:00Z
    '2026-03-08T07:00:00Z',
    '2026-11-01T05:59:59Z', // New York falls back at 06:00Z
    '2026-11-01T06:00:00Z',
    '2026-03-29T00:59:59Z', // Europe/Berlin springs forward at 01:00Z
    '2026-03-29T01:00:00Z',
    '2026-10-25T00:59:59Z', // Berlin falls back at 01:00Z
    '2026-11-21T23:59:59Z',
    '2026-11-22T00:00:00Z',
    '2026-11-20T21:59:59.999999999Z',
    '2026-11-20T22:00:00+02:00',
    '2026-11-23T08:59:00-05:00',
    '2026-02-28T23:30:00Z',
    '2028-02-29T12:00:00Z',
    // The ends of the range: in its first minute no window can be read (time-window.ts).
    '1677-09-21T00:12:43.145224192Z',
    '1677-09-20T19:08:59.999-05:04',
    '1677-09-21T00:13:00Z',
    '2262-04-11T23:47:16.854775807Z',
  ];
  if (r.chance(0.5)) return r.pick(bases);
  // A random instant in 2026, at a whole minute (windows are minute-granular) or not.
  const ms =
    Date.UTC(2026, 0, 1) + r.int(365 * 24 * 60) * 60_000 + (r.chance(0.3) ? r.int(60_000) : 0);
  const iso = new Date(ms).toISOString();
  return r.chance(0.7) ? iso.replace('.000Z', 'Z') : iso;
}

const BAD_TIMES = [
  '2026-02-30T10:00:00Z',
  '2026-11-21 15:04:05Z',
  '2026-11-21T15:04:05',
  '2026-11-21t15:04:05z',
  '2026-11-21T24:00:00Z',
  '2026-11-21T15:04:60Z',
  'yesterday',
  '2026-11-21T15:04:05+24:00',
];

function numberAround(r: Random, limit: number): Json {
  const choices: Json[] = [
    limit,
    limit + 1,
    limit - 1,
    limit + 0.5,
    limit - 0.01,
    limit + 1e-9,
    0,
    -limit,
    limit * 10,
  ];
  if (r.chance(0.15)) return String(limit); // a string that looks like a number
  return r.pick(choices);
}

function valueFor(r: Random, op: string, operand: Json): Json {
  if (r.chance(0.12)) return r.pick(ODD_VALUES);
  switch (op) {
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return typeof operand === 'number' ? numberAround(r, operand) : 1;
    case 'in':
    case 'not_in':
      return Array.isArray(operand) && operand.length > 0 && r.chance(0.6)
        ? r.pick(operand)
        : r.pick(ODD_STRINGS);
    case 'eq':
    case 'ne':
      return r.chance(0.6) ? operand : r.pick([...ODD_STRINGS, ...(ODD_VALUES as Json[])]);
    case 'prefix':
      return typeof operand === 'string'
        ? r.chance(0.6)
          ? `${operand}${r.pick(ODD_STRINGS)}`
          : `x${operand}`
        : 'x';
    case 'suffix':
      return typeof operand === 'string'
        ? r.chance(0.6)
          ? `${r.pick(ODD_STRINGS)}${operand}`
          : `${operand}x`
        : 'x';
    case 'contains':
      return r.chance(0.5)
        ? [operand, 'other']
        : typeof operand === 'string'
          ? `ab${operand}cd`
          : 'abc';
    case 'min_length':
    case 'max_length': {
      const n = typeof operand === 'number' ? operand : 3;
      const len = Math.max(0, n + r.pick([-1, 0, 1]));
      return r.chance(0.3)
        ? Array.from({ length: len }, () => 1)
        : '😀é'.repeat(len).slice(0, len * 2);
    }
    case 'type':
      return r.pick([1, 1.5, 1.0, 'x', true, [], {}, null]);
    case 'matches':
    case 'not_matches':
      return r.pick([
        'abc',
        'ABC 123',
        'MRN-12345678',
        'x'.repeat(141),
        'hello, world.',
        '',
        '日本',
        'a-b',
      ]);
    default:
      return r.pick(ODD_STRINGS);
  }
}

/** A string the pattern matches (JS syntax is close enough for the policies' patterns). */
function matching(r: Random, pattern: string): string | undefined {
  try {
    const gen = new RandExp(pattern);
    gen.max = 4;
    gen.randInt = (a: number, b: number) => a + r.int(b - a + 1);
    return gen.gen();
  } catch {
    return undefined;
  }
}

/**
 * A value that passes every operator of a check, found by trying candidates: without these,
 * a policy with many required parameters would deny every generated call, and the `allow` and
 * `sanitize` paths would never be compared.
 */
function satisfying(r: Random, check: ParamCheckIR): Json | undefined {
  const candidates: Json[] = [];
  for (const op of check.operators) {
    if (
      (op.op === 'matches' || op.op === 'prefix' || op.op === 'suffix') &&
      typeof op.value === 'string'
    ) {
      const m =
        op.op === 'matches'
          ? matching(r, op.value)
          : op.op === 'prefix'
            ? `${op.value}x`
            : `x${op.value}`;
      if (m !== undefined) candidates.push(m);
    }
    if (op.op === 'in' && Array.isArray(op.value)) candidates.push(...op.value);
    if (op.op === 'eq') candidates.push(op.value);
    for (let i = 0; i < 4; i++) candidates.push(valueFor(r, op.op, op.value));
  }
  candidates.push(1, 'x', 'USD', [], {});
  return candidates.find((v) =>
    check.operators.every((op) => testOperator(op.op, v, op.value) === 'holds'),
  );
}

function setPath(target: Obj, path: readonly string[], value: Json): void {
  let node: Obj = target;
  path.forEach((segment, i) => {
    if (i === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const fresh: Obj = {};
      node[segment] = fresh;
      node = fresh;
    } else {
      node = next;
    }
  });
}

function collectConditionPaths(
  c: ConditionIR,
  out: { params: [string[], string, Json][]; fields: [string[], string, Json][] },
): void {
  switch (c.kind) {
    case 'param':
      for (const t of c.tests) out.params.push([c.path, t.op, t.value]);
      break;
    case 'field':
      for (const t of c.tests) out.fields.push([c.path, t.op, t.value]);
      break;
    case 'all':
    case 'any':
      for (const x of c.of) collectConditionPaths(x, out);
      break;
    case 'not':
      collectConditionPaths(c.of, out);
      break;
    case 'time':
      break;
  }
}

function paramsFor(r: Random, tool: ToolIR | undefined): Obj {
  const params: Obj = {};
  if (!tool) return r.chance(0.5) ? { amount: 10 } : {};
  const wellBehaved = r.chance(0.35);
  for (const check of tool.params) {
    if (wellBehaved) {
      const value = satisfying(r, check);
      if (value !== undefined) setPath(params, check.path, value);
      continue;
    }
    if (r.chance(0.1)) continue; // missing
    const op = check.operators.length > 0 ? r.pick(check.operators) : undefined;
    setPath(params, check.path, op ? valueFor(r, op.op, op.value) : r.pick(ODD_STRINGS));
  }
  if (tool.amount && !r.chance(0.08)) {
    const limits = [
      tool.amount.max?.limit,
      tool.amount.min?.limit,
      tool.amount.approvalOver?.limit,
    ].filter((x): x is number => x !== undefined);
    setPath(params, tool.amount.path, numberAround(r, limits.length > 0 ? r.pick(limits) : 100));
  }
  const paths = {
    params: [] as [string[], string, Json][],
    fields: [] as [string[], string, Json][],
  };
  for (const rule of tool.rules) collectConditionPaths(rule.when, paths);
  for (const [path, op, operand] of paths.params)
    if (r.chance(0.8)) setPath(params, path, valueFor(r, op, operand));
  for (const path of [...(tool.sanitize?.redact ?? []), ...tool.rules.flatMap((x) => x.redact)]) {
    if (r.chance(0.6))
      setPath(params, path, r.chance(0.5) ? r.pick(SECRETS) : { nested: r.pick(SECRETS) });
  }
  if (tool.sanitize && r.chance(0.6)) {
    params.note = `call me at ${r.pick(SECRETS)} or ${r.pick(SECRETS)}`;
    params.list = [r.pick(SECRETS), { deep: [r.pick(SECRETS), r.pick(ODD_STRINGS)] }];
  }
  return params;
}

function hostFor(r: Random, policy: PolicyIR | undefined): Json {
  const patterns = policy?.egress ?? [];
  const p = patterns.length > 0 ? r.pick(patterns) : 'api.example.com';
  const base = p.startsWith('*.') ? p.slice(2) : p;
  const hosts = [
    p === '*' ? 'anything.example' : base,
    `a.${base}`,
    `a.b.${base}`,
    base.toUpperCase(),
    `x${base}`,
    `${base}:443`,
    'evil.com',
    `${base}.evil.com`,
  ];
  return r.pick(hosts);
}

function toolTimesAndZones(policy: PolicyIR | undefined): boolean {
  const has = (c: ConditionIR): boolean =>
    c.kind === 'time' ||
    ((c.kind === 'all' || c.kind === 'any') && c.of.some(has)) ||
    (c.kind === 'not' && has(c.of));
  return policy?.tools.some((t) => t.rules.some((x) => has(x.when))) ?? false;
}

/** One input; mostly well-formed and aimed at a real policy, some deliberately not. */
export function generateInput(r: Random, ir: PolicySetIR): Json {
  if (r.chance(0.03)) {
    return r.pick<Json>([
      null,
      'x',
      [],
      {},
      { agent: { id: 1 }, tool: { name: 'x' } },
      { agent: { id: 'a' } },
      { agent: 'a', tool: 'b' },
    ]);
  }
  const policy = ir.policies.length > 0 && !r.chance(0.08) ? r.pick(ir.policies) : undefined;
  const tool =
    policy && !r.chance(0.1) && policy.tools.length > 0 ? r.pick(policy.tools) : undefined;
  const agent: Obj = { id: policy?.agent ?? r.pick(['ghost-agent', 'FINANCE-AGENT', '']) };
  const tenants = [
    ...new Set(ir.policies.map((p) => p.tenant).filter((t): t is string => t !== undefined)),
  ];
  if (policy?.tenant !== undefined && !r.chance(0.15)) agent.tenant = policy.tenant;
  else if (r.chance(0.3))
    agent.tenant = tenants.length > 0 && r.chance(0.7) ? r.pick(tenants) : 'other-tenant';
  if (r.chance(0.5)) agent.claims = { team: r.pick(['payments', 'ops', 'sre', 'eng', '']) };

  const toolObj: Obj = { name: tool?.name ?? r.pick(['unknown-tool', 'Stripe-Payments', 'shell']) };
  if (tool && tool.actions !== '*' && tool.actions.length > 0 && !r.chance(0.1))
    toolObj.action = r.pick(tool.actions);
  else if (r.chance(0.5)) toolObj.action = r.pick(['read', 'delete', 'create_payment', 'deploy']);

  const input: Obj = { agent, tool: toolObj };
  if (!r.chance(0.05)) input.params = paramsFor(r, tool);
  if (policy && policy.egress.length >= 0 && r.chance(0.5))
    input.egress = { host: hostFor(r, policy) };

  const context: Obj = {};
  if (!(r.chance(0.05) && !toolTimesAndZones(policy)))
    context.time = r.chance(0.04) ? r.pick(BAD_TIMES) : edgeTime(r);
  if (policy?.regions && !r.chance(0.1))
    context.region = r.chance(0.8) ? r.pick(policy.regions) : 'mars-1';
  else if (r.chance(0.3)) context.region = r.pick(['eu-west-1', 'us-east-1']);
  const limits = [tool?.rateLimit, tool?.budget, policy?.rateLimit, policy?.budget].filter(
    (x) => x !== undefined,
  );
  const near = (n: number | undefined) =>
    n === undefined ? r.int(5) : (numberAround(r, n) as number);
  // A negative cost or counter is malformed (it would lower what the limits compare); -0 is not.
  if (r.chance(0.8))
    context.cost_usd = r.pick<Json>([0, 0.1, 0.2, 0.35, 1, 5, 0.30000000000000004, -0.01, -0]);
  if (r.chance(0.85)) {
    const usage: Obj = {};
    if (r.chance(0.9)) usage.tool_rps = near(tool?.rateLimit?.limit);
    if (r.chance(0.9)) usage.agent_rps = near(policy?.rateLimit?.limit);
    if (r.chance(0.9)) usage.tool_spend_today_usd = r.chance(0.3) ? 0.1 : near(tool?.budget?.limit);
    if (r.chance(0.9))
      usage.agent_spend_today_usd = r.chance(0.3) ? 0.2 : near(policy?.budget?.limit);
    context.usage = usage;
  }
  if (limits.length === 0 && r.chance(0.2)) context.usage = { tool_rps: '3' };
  if (r.chance(0.03)) {
    const key = r.pick(['tool_rps', 'agent_rps', 'tool_spend_today_usd', 'agent_spend_today_usd']);
    const usage = context.usage;
    const base = typeof usage === 'object' && usage !== null && !Array.isArray(usage) ? usage : {};
    context.usage = { ...base, [key]: r.pick([-1, -1e-9]) };
  }
  input.context = context;
  if (r.chance(0.02)) input.params = r.pick<Json>(['x', [1], null]);
  if (r.chance(0.01)) input.context = { time: 5 };
  return input;
}

export function generateInputs(ir: PolicySetIR, count: number, seed: number): Json[] {
  const r = new Random(seed);
  return Array.from({ length: count }, () => generateInput(r, ir));
}
