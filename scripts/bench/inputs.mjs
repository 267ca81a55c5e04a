// Realistic decision inputs for the `evaluate` benchmark: mostly well-formed calls that an
// agent covered by the policy set would make, some that break one parameter, and a few aimed
// at an unknown agent, tool or action, or malformed. Unlike test/conformance/generate.ts
// (which aims at edges), the mix here is meant to look like traffic. Seeded: the same seed
// gives the same inputs.
import RandExp from 'randexp';
import { DETECTORS } from '../../dist/engine/detectors.js';
import { testOperator } from '../../dist/engine/operators.js';

/** xorshift32, as in test/conformance/generate.ts. */
export class Random {
  constructor(seed) {
    this.state = seed >>> 0 || 1;
  }
  next() {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }
  int(n) {
    return Math.floor(this.next() * n);
  }
  chance(p) {
    return this.next() < p;
  }
  pick(xs) {
    return xs[this.int(xs.length)];
  }
}

const SECRETS = Object.values(DETECTORS).map((d) => d.example);
const MALFORMED = [null, {}, { agent: { id: 1 }, tool: { name: 'x' } }, { agent: 'a', tool: 'b' }];

function setPath(target, path, value) {
  let node = target;
  path.forEach((segment, i) => {
    if (i === path.length - 1) node[segment] = value;
    else {
      if (node[segment] === null || typeof node[segment] !== 'object') node[segment] = {};
      node = node[segment];
    }
  });
}

/** Values to try for one operator: the ones that pass it first, then some that do not. */
function candidates(r, op, operand) {
  switch (op) {
    case 'in':
      return Array.isArray(operand) ? [...operand, 'XX'] : ['XX'];
    case 'not_in':
      return ['US', 'DE', 'GB', ...(Array.isArray(operand) ? operand : [])];
    case 'eq':
      return [operand, 'other'];
    case 'ne':
      return ['other', operand];
    case 'prefix':
      return [`${operand}${r.pick(['a1', 'ops', 'team'])}`, `x${operand}`];
    case 'suffix':
      return [`a1${operand}`, `${operand}x`];
    case 'matches': {
      const gen = new RandExp(operand);
      gen.max = 4;
      gen.randInt = (a, b) => a + r.int(b - a + 1);
      return [gen.gen(), 'x'.repeat(300)];
    }
    case 'not_matches':
      return ['ordinary text', '<script>'];
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return [operand, operand + 1, operand - 1, Math.floor(operand / 2), operand * 2];
    case 'min_length':
    case 'max_length':
      return ['x'.repeat(Math.max(1, Math.min(operand, 16))), 'x'.repeat(operand + 1)];
    case 'type':
      return [
        { string: 'abc', integer: 7, number: 2.5, boolean: true, array: [1], object: {} }[
          operand
        ] ?? 'abc',
      ];
    case 'contains':
      return [[operand, 'other'], []];
    default:
      return ['abc'];
  }
}

/** A value of a check that passes every operator (pass) or fails at least one (!pass). */
function valueFor(r, check, pass) {
  const pool = ['pay_0123456789ab', 'abc', 7, true];
  for (const op of check.operators) pool.unshift(...candidates(r, op.op, op.value));
  const ok = (v) => check.operators.every((op) => testOperator(op.op, v, op.value) === 'holds');
  const found = pool.filter((v) => ok(v) === pass);
  return found.length > 0 ? r.pick(found) : undefined;
}

function conditionTests(c, out) {
  if (c.kind === 'param' || c.kind === 'field') out.push(c);
  else if (c.kind === 'all' || c.kind === 'any') for (const x of c.of) conditionTests(x, out);
  else if (c.kind === 'not') conditionTests(c.of, out);
}

function paramsFor(r, tool) {
  const params = {};
  const broken = r.chance(0.1) ? r.int(Math.max(1, tool.params.length)) : -1;
  tool.params.forEach((check, i) => {
    if (check.optional && r.chance(0.5)) return;
    const value = valueFor(r, check, i !== broken);
    if (value !== undefined) setPath(params, check.path, value);
  });
  if (tool.amount) {
    const top = tool.amount.max?.limit ?? tool.amount.approvalOver?.limit ?? 1000;
    setPath(params, tool.amount.path, Math.round(top * (0.05 + r.next() * 1.1) * 100) / 100);
  }
  for (const path of tool.sanitize?.redact ?? [])
    if (r.chance(0.7)) setPath(params, path, String(1e9 + r.int(1e9)));
  if (tool.sanitize?.matchers.length && r.chance(0.3))
    params.note = `contact ${r.pick(SECRETS)} about it`;
  return params;
}

function inputFor(r, ir) {
  if (r.chance(0.02)) return r.pick(MALFORMED);
  const policy = r.pick(ir.policies);
  const agent = { id: r.chance(0.03) ? 'unknown-agent' : policy.agent };
  if (policy.tenant !== undefined) agent.tenant = policy.tenant;
  const tool = r.pick(policy.tools);
  const call = { name: tool.name };
  const actions = tool.actions === '*' ? ['any'] : tool.actions;
  call.action = r.chance(0.03) ? 'not-an-action' : r.pick(actions);
  if (r.chance(0.02)) call.name = 'unknown-tool';
  const input = { agent, tool: call, params: paramsFor(r, tool) };

  const tests = [];
  for (const rule of tool.rules) conditionTests(rule.when, tests);
  for (const c of tests) {
    const test = r.pick(c.tests);
    const value = r.chance(0.6) ? test.value : 'other';
    if (c.kind === 'param' && r.chance(0.7)) setPath(input.params, c.path, value);
    if (c.kind === 'field' && r.chance(0.9)) setPath(input, c.path, value);
  }
  if (policy.egress.length > 0 && r.chance(0.5)) {
    const pattern = r.pick(policy.egress);
    const host = pattern === '*' ? 'api.example.com' : pattern.replace(/^\*\./, 'eu.');
    input.egress = { host: r.chance(0.95) ? host : 'evil.example.net' };
  }
  const minute = Date.UTC(2026, 0, 1) + r.int(365 * 24 * 60) * 60_000;
  const context = { time: new Date(minute).toISOString().replace('.000Z', 'Z') };
  if (policy.regions) context.region = r.chance(0.97) ? r.pick(policy.regions) : 'mars-1';
  const under = (limit) => (limit === undefined ? r.int(3) : r.next() * limit * 1.1);
  context.cost_usd = r.pick([0, 0.01, 0.2, 1.5]);
  context.usage = {
    tool_rps: Math.floor(under(tool.rateLimit?.limit)),
    agent_rps: Math.floor(under(policy.rateLimit?.limit)),
    tool_spend_today_usd: Math.round(under(tool.budget?.limit) * 100) / 100,
    agent_spend_today_usd: Math.round(under(policy.budget?.limit) * 100) / 100,
  };
  input.context = context;
  return input;
}

export function realisticInputs(ir, count, seed) {
  const r = new Random(seed);
  return Array.from({ length: count }, () => inputFor(r, ir));
}
