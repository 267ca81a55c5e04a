/**
 * The reference evaluator (the `native` engine): POLICY-LANGUAGE.md section 4, step by step,
 * returning the section 5 document. Pure: the clock is an option. docs/semantics.md has every
 * choice the contract leaves open; numbers.ts, rfc3339.ts, regex.ts and strings.ts hold the
 * places where Go's (OPA's) behaviour has to be reproduced rather than JavaScript's.
 */
import type { ConditionIR, PolicyIR, PolicySetIR, ReasonTemplate, ToolIR } from '../compiler/ir.js';
import type { Effect } from '../policy/types.js';
import type { Decision, Outcome, Reason, ReasonCode, Redaction } from './decision.js';
import { type DecisionInput, inputParams, readInput } from './decision-input.js';
import { asJsonData, getPath, type Json, type JsonObject } from './json.js';
import { sumExceeds } from './numbers.js';
import { testOperator } from './operators.js';
import { findPolicy, policyIndex } from './policy-index.js';
import { sanitizeParams } from './sanitize.js';
import { compareCodePoints, goLower } from './strings.js';
import { inTimeWindow } from './time-window.js';

export interface EvaluateOptions {
  /** The time of a call without `context.time`: ns since the epoch, or a Date. Default: the system clock. */
  now?: () => bigint | Date;
}

export function evaluate(ir: PolicySetIR, input: unknown, options: EvaluateOptions = {}): Decision {
  const data = asJsonData(input);
  const call = readInput(data);
  if (!call) return early(ir.invalidInput, 'invalid_input', inputParams(data));
  const index = policyIndex(ir);
  const policy = findPolicy(index, call.agentId, call.tenant);
  if (!policy) return early(ir.noPolicy, 'no_policy', call.params);

  if (policy.regions && (call.region === undefined || !policy.regions.includes(call.region))) {
    return finish(policy, call, [reason('region_denied', 'deny', policy.denials.region)], []);
  }
  if (call.host !== undefined && !hostAllowed(policy.egress, goLower(call.host))) {
    return finish(policy, call, [reason('egress_denied', 'deny', policy.denials.egress)], []);
  }
  const tools = index.tools.get(policy)?.get(call.toolName);
  if (!tools)
    return finish(policy, call, [reason('tool_not_allowed', 'deny', policy.denials.tool)], []);
  const tool =
    (call.action !== undefined ? tools.byAction.get(call.action) : undefined) ?? tools.wildcard;
  if (!tool)
    return finish(policy, call, [reason('action_not_allowed', 'deny', policy.denials.action)], []);

  return checkCall(policy, tool, call, options);
}

/** Step 6: every check of the matched entry contributes its reasons. */
function checkCall(
  policy: PolicyIR,
  tool: ToolIR,
  call: DecisionInput,
  options: EvaluateOptions,
): Decision {
  const reasons: Reason[] = [];
  const params = call.params;

  for (const check of tool.params) {
    const value = getPath(params, check.path);
    if (value === undefined) {
      if (!check.optional) reasons.push(reason('param_missing', 'deny', check.missing));
      continue;
    }
    for (const op of check.operators) {
      const result = testOperator(op.op, value, op.value);
      if (result === 'invalid') reasons.push(reason('param_invalid', 'deny', op.reason));
      else if (result === 'violated') reasons.push(reason('param_violation', 'deny', op.reason));
    }
  }

  const amount = tool.amount;
  if (amount) {
    const value = getPath(params, amount.path);
    if (value === undefined) reasons.push(reason('param_missing', 'deny', amount.invalid));
    else if (typeof value !== 'number')
      reasons.push(reason('param_invalid', 'deny', amount.invalid));
    else {
      if (amount.max && value > amount.max.limit)
        reasons.push(reason('amount_over_max', 'deny', amount.max.reason));
      if (amount.min && value < amount.min.limit)
        reasons.push(reason('amount_under_min', 'deny', amount.min.reason));
      if (amount.approvalOver && value > amount.approvalOver.limit) {
        reasons.push(
          reason('amount_needs_approval', 'approval_needed', amount.approvalOver.reason),
        );
      }
    }
  }

  const clock = lazyTime(call, options);
  const redactPaths: (readonly string[])[] = [...(tool.sanitize?.redact ?? [])];
  for (const rule of tool.rules) {
    if (!holds(rule.when, call, clock)) continue;
    reasons.push(reason('rule_matched', rule.effect, rule.reason));
    if (rule.effect === 'sanitize') redactPaths.push(...rule.redact);
  }

  if (tool.rateLimit && call.toolRps > tool.rateLimit.limit) {
    reasons.push(reason('rate_limited', tool.rateLimit.onExceed, tool.rateLimit.reason));
  }
  if (tool.budget && sumExceeds(call.toolSpend, call.costUsd, tool.budget.limit)) {
    reasons.push(reason('budget_exceeded', tool.budget.onExceed, tool.budget.reason));
  }
  if (policy.rateLimit && call.agentRps > policy.rateLimit.limit) {
    reasons.push(reason('agent_rate_limited', policy.rateLimit.onExceed, policy.rateLimit.reason));
  }
  if (policy.budget && sumExceeds(call.agentSpend, call.costUsd, policy.budget.limit)) {
    reasons.push(reason('agent_budget_exceeded', policy.budget.onExceed, policy.budget.reason));
  }

  let redactions: Redaction[] = [];
  let sanitized: JsonObject | undefined;
  const sanitize = tool.sanitize;
  if (sanitize && (redactPaths.length > 0 || sanitize.matchers.length > 0)) {
    const result = sanitizeParams(params, redactPaths, sanitize.matchers);
    if (result.redactions.length > 0) {
      redactions = result.redactions;
      sanitized = result.params;
      reasons.push(reason('redacted', 'sanitize', sanitize.reason));
    }
  }
  return finish(policy, call, reasons, redactions, sanitized);
}

function holds(c: ConditionIR, call: DecisionInput, clock: () => number): boolean {
  switch (c.kind) {
    case 'param':
      return testsHold(getPath(call.params, c.path), c.tests);
    case 'field':
      return testsHold(getPath(call.root, c.path), c.tests);
    case 'time':
      return inTimeWindow(c, clock());
    case 'all':
      return c.of.every((x) => holds(x, call, clock));
    case 'any':
      return c.of.some((x) => holds(x, call, clock));
    case 'not':
      return !holds(c.of, call, clock);
  }
}

/** Two-valued: a missing value, or an operator that does not apply to it, is false. */
function testsHold(
  value: Json | undefined,
  tests: Extract<ConditionIR, { kind: 'param' }>['tests'],
): boolean {
  if (value === undefined) return false;
  return tests.every((t) => testOperator(t.op, value, t.value) === 'holds');
}

/** The call's time in ms since the epoch; the clock is read at most once, and only if needed. */
function lazyTime(call: DecisionInput, options: EvaluateOptions): () => number {
  let ms = call.timeMs;
  return () => {
    if (ms === undefined) ms = nowMs(options);
    return ms;
  };
}

function nowMs(options: EvaluateOptions): number {
  const now = options.now ? options.now() : Date.now();
  if (typeof now === 'bigint') {
    // Floor division: an instant before 1970 belongs to the millisecond before it.
    const ms = now / 1_000_000n;
    return Number(now % 1_000_000n < 0n ? ms - 1n : ms);
  }
  const ms = typeof now === 'number' ? now : now.getTime();
  if (!Number.isFinite(ms)) throw new TypeError('options.now() returned an invalid Date');
  return ms;
}

/** `*` any host; `*.suffix` any host ending in `.suffix` (any depth, not the apex); else exact. */
function hostAllowed(patterns: readonly string[], host: string): boolean {
  for (const p of patterns) {
    if (p === '*' || p === host || (p.startsWith('*.') && host.endsWith(p.slice(1)))) return true;
  }
  return false;
}

function reason(code: ReasonCode, effect: Effect, template: ReasonTemplate): Reason {
  return { code, effect, rule: template.rule, message: template.message };
}

function early(template: ReasonTemplate, code: ReasonCode, params: JsonObject): Decision {
  return {
    decision: 'deny',
    outcome: 'deny',
    allow: false,
    mode: 'enforce',
    reasons: [reason(code, 'deny', template)],
    redactions: [],
    params,
  };
}

const RANK: Record<Outcome, number> = { allow: 0, sanitize: 1, approval_needed: 2, deny: 3 };

function finish(
  policy: PolicyIR,
  call: DecisionInput,
  reasons: Reason[],
  redactions: Redaction[],
  sanitized?: JsonObject,
): Decision {
  let outcome: Outcome = 'allow';
  for (const r of reasons) if (RANK[r.effect] > RANK[outcome]) outcome = r.effect;
  const enforce = policy.mode === 'enforce';
  const decision: Outcome = enforce ? outcome : 'allow';
  return {
    decision,
    outcome,
    allow: decision === 'allow' || decision === 'sanitize',
    mode: policy.mode,
    reasons: sortReasons(reasons),
    redactions: sortRedactions(redactions),
    params: enforce && sanitized ? sanitized : call.params,
    policy:
      policy.tenant === undefined
        ? { agent: policy.agent }
        : { agent: policy.agent, tenant: policy.tenant },
  };
}

function sortReasons(reasons: Reason[]): Reason[] {
  if (reasons.length < 2) return reasons;
  const sorted = reasons.sort(
    (a, b) =>
      compareCodePoints(a.rule, b.rule) ||
      compareCodePoints(a.code, b.code) ||
      compareCodePoints(a.effect, b.effect) ||
      compareCodePoints(a.message, b.message),
  );
  return sorted.filter((r, i) => {
    const prev = sorted[i - 1];
    return (
      !prev ||
      prev.rule !== r.rule ||
      prev.code !== r.code ||
      prev.effect !== r.effect ||
      prev.message !== r.message
    );
  });
}

function sortRedactions(redactions: Redaction[]): Redaction[] {
  if (redactions.length < 2) return redactions;
  const sorted = redactions.sort(
    (a, b) => compareCodePoints(a.path, b.path) || compareCodePoints(a.by, b.by),
  );
  return sorted.filter((r, i) => {
    const prev = sorted[i - 1];
    return !prev || prev.path !== r.path || prev.by !== r.by;
  });
}
