import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { REASON_CODES } from '../../src/engine/decision.js';
import { decisionShapeProblem } from '../../src/engine/decision-shape.js';
import { RFC3339_PATTERN } from '../../src/engine/rfc3339.js';
import { callOf, decide, irOf } from './helpers.js';

const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));
const decisionSchema = load('decision.schema.json');
const inputSchema = load('decision-input.schema.json');
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validDecision = ajv.compile(decisionSchema);
const validInput = ajv.compile(inputSchema);

const ir = irOf(`
agent: a
tenant: acme
mode: shadow
regions: [r]
allowed_tools:
  - name: t
    params: { x: { type: integer } }
    conditions: { max_amount: 10 }
    rules: [{ when: { param: x, gt: 5 }, effect: approval_needed }]
    sanitize: { redact: [s], detectors: [email] }
    rate_limit: { rps: 1 }
egress: { allow: ["*"] }
budget: { daily_usd: 1 }
---
agent: a
allowed_tools: [{ name: t }]
`);

const INPUTS: unknown[] = [
  42,
  { agent: {} },
  callOf('nobody', 't'),
  callOf('a', 't', { agent: { tenant: 'acme' } }),
  callOf('a', 'u', { agent: { tenant: 'acme' }, context: { region: 'r' } }),
  callOf('a', 't', {
    agent: { tenant: 'acme' },
    params: { x: 7, amount: 11, s: { deep: 1 }, mail: ['a@b.io'] },
    egress: { host: 'h' },
    context: { region: 'r', cost_usd: 2, usage: { tool_rps: 2 } },
  }),
  callOf('a', 't', { params: { y: 1 } }),
];

describe('the decision schema', () => {
  it('accepts every decision the evaluator returns', () => {
    for (const input of INPUTS) {
      const d = decide(ir, input);
      expect(validDecision(d), JSON.stringify(validDecision.errors)).toBe(true);
    }
  });

  it('rejects documents that break the contract', () => {
    const good = decide(ir, INPUTS[5]);
    expect(validDecision(good)).toBe(true);
    expect(validDecision({ ...good, extra: 1 })).toBe(false);
    expect(validDecision({ ...good, decision: 'maybe' })).toBe(false);
    expect(validDecision({ ...good, reasons: [{ ...good.reasons[0], code: 'nope' }] })).toBe(false);
    expect(validDecision({ ...good, redactions: [{ path: 'no-slash', by: 'path' }] })).toBe(false);
    const { params: _params, ...noParams } = good;
    expect(validDecision(noParams)).toBe(false);
  });

  it('lists exactly the reason codes of the Decision type', () => {
    expect(decisionSchema.$defs.reason.properties.code.enum).toEqual([...REASON_CODES]);
  });
});

describe('the decision input schema', () => {
  it('uses the evaluator\u2019s RFC 3339 pattern and accepts its own example', () => {
    expect(inputSchema.properties.context.properties.time.pattern).toBe(RFC3339_PATTERN);
    for (const example of inputSchema.examples) expect(validInput(example)).toBe(true);
  });

  it('rejects what the evaluator calls malformed (where a schema can say so)', () => {
    for (const bad of [
      { agent: { id: 1 }, tool: { name: 't' } },
      callOf('a', 't', { params: [] }),
      callOf('a', 't', { context: { time: '2026-11-21t15:04:05Z' } }),
      callOf('a', 't', { context: { usage: { tool_rps: '1' } } }),
      callOf('a', 't', { context: { cost_usd: -0.01 } }),
      callOf('a', 't', { context: { usage: { agent_spend_today_usd: -5 } } }),
    ]) {
      expect(validInput(bad)).toBe(false);
      expect(decide(ir, bad).reasons[0]?.code).toBe('invalid_input');
    }
  });
});

describe('decisionShapeProblem (what aegis checks of a decision OPA hands back)', () => {
  it('finds nothing wrong with any decision the evaluator returns', () => {
    for (const input of INPUTS) expect(decisionShapeProblem(decide(ir, input))).toBeUndefined();
    // Members beyond the document's are not its business: eval prints only the document's own.
    expect(decisionShapeProblem({ ...decide(ir, INPUTS[5]), extra: 1 })).toBeUndefined();
  });

  const good = decide(ir, INPUTS[5]);
  const reason = good.reasons[0];
  it.each([
    [null, 'it is not an object'],
    [[good], 'it is not an object'],
    [{}, '/decision is not one of allow, deny, approval_needed, sanitize'],
    [
      { ...good, decision: 'maybe' },
      '/decision is not one of allow, deny, approval_needed, sanitize',
    ],
    [{ ...good, outcome: 1 }, '/outcome is not one of allow, deny, approval_needed, sanitize'],
    [{ ...good, allow: 'true' }, '/allow is not a boolean'],
    [{ ...good, mode: 'audit' }, '/mode is not one of enforce, shadow'],
    [{ ...good, reasons: {} }, '/reasons is not a list'],
    [{ ...good, reasons: [reason, 'x'] }, '/reasons/1 is not an object'],
    [{ ...good, reasons: [{ ...reason, rule: 7 }] }, '/reasons/0/rule is not a string'],
    [
      { ...good, reasons: [{ ...reason, effect: 'allow' }] },
      '/reasons/0/effect is not one of deny, approval_needed, sanitize',
    ],
    [{ ...good, redactions: [{ path: '/s' }] }, '/redactions/0/by is not a string'],
    [{ ...good, params: [] }, '/params is not an object'],
    [{ ...good, policy: 'a' }, '/policy is not an object'],
    [{ ...good, policy: {} }, '/policy/agent is not a string'],
    [{ ...good, policy: { agent: 'a', tenant: null } }, '/policy/tenant is not a string'],
  ])('%j: %s', (value, problem) => {
    expect(decisionShapeProblem(value)).toBe(problem);
    // Never stricter than the published schema: what it refuses, the schema refuses too.
    expect(validDecision(value)).toBe(false);
  });
});
