/**
 * Values the IR's types rule out (an operator, condition kind, effect or mode aegis does not
 * have) are a bug in the native engine, never a case that holds or lets a call through:
 * irFromPolicyData refuses bundle data that holds them (test/rego/policy-data.test.ts), so only
 * an IR built wrongly in memory gets here, and the engine throws.
 */
import { describe, expect, it } from 'vitest';
import type { ConditionIR, PolicySetIR } from '../../src/compiler/ir.js';
import { testOperator } from '../../src/engine/operators.js';
import type { OperatorName } from '../../src/policy/types.js';
import { callOf, decide, irOf } from './helpers.js';

const POLICY = `
agent: a
allowed_tools:
  - name: t
    params:
      currency: { in: [USD] }
    rules:
      - { when: { param: currency, eq: XXX }, effect: deny }
`;

/** The policy, changed in a way no compile produces. */
function changed(change: (ir: PolicySetIR) => void): PolicySetIR {
  const ir = irOf(POLICY);
  change(ir);
  return ir;
}

const tool = (ir: PolicySetIR) => {
  const found = ir.policies[0]?.tools[0];
  if (!found) throw new Error('no tool');
  return found;
};

const call = callOf('a', 't', { params: { currency: 'XXX' } });

describe('native engine: values the IR cannot hold', () => {
  it('the policy as compiled denies the call', () => {
    expect(decide(irOf(POLICY), call).decision).toBe('deny');
  });

  it('testOperator throws on an operator it does not know, and on a type it does not know', () => {
    expect(() => testOperator('in_' as OperatorName, 'XXX', ['USD'])).toThrow(
      'operator "in_" is not one aegis has',
    );
    expect(() => testOperator('type', 'XXX', 'text')).toThrow(
      'value type "text" is not one aegis has',
    );
  });

  it.each<[string, (ir: PolicySetIR) => void, string]>([
    [
      'an unknown operator in params (the call was allowed)',
      (ir) => {
        const check = tool(ir).params[0];
        if (check?.operators[0]) check.operators[0].op = 'in_' as OperatorName;
      },
      'operator "in_" is not one aegis has',
    ],
    [
      'an unknown operator in a condition',
      (ir) => {
        const when = tool(ir).rules[0]?.when;
        if (when?.kind === 'param' && when.tests[0]) when.tests[0].op = 'eq_' as OperatorName;
        const check = tool(ir).params[0];
        if (check) check.operators = [];
      },
      'operator "eq_" is not one aegis has',
    ],
    [
      'an unknown condition kind',
      (ir) => {
        const rule = tool(ir).rules[0];
        if (rule) rule.when = { kind: 'none', of: [] } as unknown as ConditionIR;
      },
      'condition {"kind":"none","of":[]} is not one aegis has',
    ],
    [
      'an unknown rule effect',
      (ir) => {
        const rule = tool(ir).rules[0];
        if (rule) rule.effect = 'warn' as 'deny';
        const check = tool(ir).params[0];
        if (check) check.operators = [];
      },
      'effect "warn" is not one aegis has',
    ],
    [
      'an unknown mode',
      (ir) => {
        const policy = ir.policies[0];
        if (policy) policy.mode = 'Enforce' as 'enforce';
      },
      'mode "Enforce" is not one aegis has',
    ],
  ])('%s throws', (_, change, message) => {
    expect(() => decide(changed(change), call)).toThrow(message);
  });
});
