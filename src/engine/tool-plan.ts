/**
 * A tool entry of the IR prepared for evaluation, once per entry (a WeakMap keyed by the IR
 * object): operators become test functions with their regexes compiled and their lists turned
 * into sets, conditions become predicates, and the reasons the entry can give are made once
 * (policy-index.ts `fixedReason`). What each one decides is exactly what testOperator and the
 * condition table of POLICY-LANGUAGE.md section 2 say; only the looking up is done ahead.
 */
import type { ConditionIR, ParamCheckIR, RuleIR, ToolIR } from '../compiler/ir.js';
import { unreachable } from '../errors.js';
import type { Effect, JsonValue, OperatorName } from '../policy/types.js';
import type { Reason } from './decision.js';
import { type DecisionInput, fieldRoot } from './decision-input.js';
import { getPath, type Json } from './json.js';
import { type TestResult, testOperator } from './operators.js';
import { fixedReason, type LimitPlan, limitPlan } from './policy-index.js';
import { regexTester } from './regex.js';
import { inTimeWindow } from './time-window.js';

export type ValueTest = (value: Json) => TestResult;

/** The call's time in ms since the epoch, read at most once and only when a rule asks. */
export interface Clock {
  ms(): number;
}

export type Predicate = (call: DecisionInput, clock: Clock) => boolean;

export interface ParamPlan {
  path: readonly string[];
  optional: boolean;
  /** param_missing. */
  missing: Reason;
  /** param_invalid and param_violation of each operator. */
  operators: readonly { test: ValueTest; invalid: Reason; violated: Reason }[];
}

export interface RulePlan {
  holds: Predicate;
  effect: Effect;
  reason: Reason;
  redact: readonly (readonly string[])[];
}

export interface AmountPlan {
  path: readonly string[];
  /** param_missing and param_invalid. */
  missing: Reason;
  invalid: Reason;
  max: LimitPlan | undefined;
  min: LimitPlan | undefined;
  approvalOver: LimitPlan | undefined;
}

export interface ToolPlan {
  params: readonly ParamPlan[];
  rules: readonly RulePlan[];
  amount: AmountPlan | undefined;
  rateLimit: LimitPlan | undefined;
  budget: LimitPlan | undefined;
  redacted: Reason | undefined;
}

const plans = new WeakMap<ToolIR, ToolPlan>();

export function toolPlan(tool: ToolIR): ToolPlan {
  let plan = plans.get(tool);
  if (!plan) {
    const { amount, rateLimit, budget, sanitize } = tool;
    plan = {
      params: tool.params.map(paramPlan),
      rules: tool.rules.map(rulePlan),
      amount: amount && {
        path: amount.path,
        missing: fixedReason('param_missing', 'deny', amount.invalid),
        invalid: fixedReason('param_invalid', 'deny', amount.invalid),
        max: amount.max && limitPlan('amount_over_max', 'deny', amount.max),
        min: amount.min && limitPlan('amount_under_min', 'deny', amount.min),
        approvalOver:
          amount.approvalOver &&
          limitPlan('amount_needs_approval', 'approval_needed', amount.approvalOver),
      },
      rateLimit: rateLimit && limitPlan('rate_limited', rateLimit.onExceed, rateLimit),
      budget: budget && limitPlan('budget_exceeded', budget.onExceed, budget),
      redacted: sanitize && fixedReason('redacted', 'sanitize', sanitize.reason),
    };
    plans.set(tool, plan);
  }
  return plan;
}

function paramPlan(check: ParamCheckIR): ParamPlan {
  return {
    path: check.path,
    optional: check.optional,
    missing: fixedReason('param_missing', 'deny', check.missing),
    operators: check.operators.map((op) => ({
      test: compileOperator(op.op, op.value),
      invalid: fixedReason('param_invalid', 'deny', op.reason),
      violated: fixedReason('param_violation', 'deny', op.reason),
    })),
  };
}

function rulePlan(rule: RuleIR): RulePlan {
  return {
    holds: predicate(rule.when),
    effect: rule.effect,
    reason: fixedReason('rule_matched', rule.effect, rule.reason),
    redact: rule.redact,
  };
}

function predicate(c: ConditionIR): Predicate {
  switch (c.kind) {
    case 'param': {
      const holds = testsHold(c.tests);
      const path = c.path;
      return (call) => holds(getPath(call.params, path));
    }
    case 'field': {
      const holds = testsHold(c.tests);
      const path = c.path;
      return (call) => holds(getPath(fieldRoot(call, path), path));
    }
    case 'time':
      return (_call, clock) => inTimeWindow(c, clock.ms());
    case 'all': {
      const of = c.of.map(predicate);
      return (call, clock) => {
        for (const p of of) if (!p(call, clock)) return false;
        return true;
      };
    }
    case 'any': {
      const of = c.of.map(predicate);
      return (call, clock) => {
        for (const p of of) if (p(call, clock)) return true;
        return false;
      };
    }
    case 'not': {
      const of = predicate(c.of);
      return (call, clock) => !of(call, clock);
    }
    default:
      return unreachable('condition', c);
  }
}

/** Two-valued: a missing value, or an operator that does not apply to it, is false. */
function testsHold(
  tests: readonly { op: OperatorName; value: JsonValue }[],
): (value: Json | undefined) => boolean {
  const compiled = tests.map((t) => compileOperator(t.op, t.value));
  return (value) => {
    if (value === undefined) return false;
    for (const test of compiled) if (test(value) !== 'holds') return false;
    return true;
  };
}

const verdict = (ok: boolean): TestResult => (ok ? 'holds' : 'violated');

function isPrimitive(v: JsonValue): v is string | number | boolean | null {
  return v === null || typeof v !== 'object';
}

/**
 * testOperator(op, ·, operand) with what depends on the operand alone done once: the regex
 * compiled, a list of scalars as a set (JSON equality with a scalar is `===`: JSON data has no
 * NaN, and -0 equals 0 both ways), equality with a scalar as `===`.
 */
export function compileOperator(op: OperatorName, operand: JsonValue): ValueTest {
  switch (op) {
    case 'matches':
    case 'not_matches': {
      if (typeof operand !== 'string') break;
      const test = regexTester(operand);
      const want = op === 'matches';
      return (value) => (typeof value === 'string' ? verdict(test(value) === want) : 'invalid');
    }
    case 'in':
    case 'not_in': {
      if (!Array.isArray(operand) || !operand.every(isPrimitive)) break;
      const set = new Set<Json>(operand);
      const want = op === 'in';
      return (value) => verdict(set.has(value) === want);
    }
    case 'eq':
    case 'ne': {
      if (!isPrimitive(operand)) break;
      const want = op === 'eq';
      return (value) => verdict((value === operand) === want);
    }
  }
  return (value) => testOperator(op, value, operand);
}
