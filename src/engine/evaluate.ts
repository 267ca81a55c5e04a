/**
 * The reference evaluator (the `native` engine): POLICY-LANGUAGE.md section 4, step by step,
 * returning the section 5 document. Pure: the clock is an option. docs/semantics.md has every
 * choice the contract leaves open; numbers.ts, rfc3339.ts, regex.ts and strings.ts hold the
 * places where Go's (OPA's) behaviour has to be reproduced rather than JavaScript's.
 */
import type { PolicyIR, PolicySetIR, ReasonTemplate, ToolIR } from '../compiler/ir.js';
import type { Effect } from '../policy/types.js';
import type { Decision, Outcome, Reason, ReasonCode, Redaction } from './decision.js';
import {
  type DecisionInput,
  inputParams,
  type ReplayContext,
  readInput,
  readReplayedInput,
} from './decision-input.js';
import { asJsonData, getPath, type JsonObject } from './json.js';
import { sumExceeds } from './numbers.js';
import { findPolicy, policyIndex } from './policy-index.js';
import { sanitizeParams } from './sanitize.js';
import { compareCodePoints, goLower } from './strings.js';
import { type Clock, toolPlan } from './tool-plan.js';

export interface EvaluateOptions {
  /** The time of a call without `context.time`: ns since the epoch, or a Date. Default: the system clock. */
  now?: () => bigint | Date;
}

export function evaluate(ir: PolicySetIR, input: unknown, options: EvaluateOptions = {}): Decision {
  const data = asJsonData(input);
  const call = readInput(data);
  if (!call) return early(ir.invalidInput, 'invalid_input', inputParams(data));
  return decide(ir, call, options);
}

const NO_OPTIONS: EvaluateOptions = {};

/**
 * The replay's entry (simulator/replay.ts): exactly `evaluate(ir, input')` for the input' that
 * has `context.usage` set from `context` and an absent `context.time` set to `context.time`,
 * without copying the input for every event. `input` must be JSON data (json.ts `isJsonData`),
 * the counters finite.
 */
export function evaluateReplayed(
  ir: PolicySetIR,
  input: JsonObject,
  context: ReplayContext,
): Decision {
  const call = readReplayedInput(input, context);
  if (!call) return early(ir.invalidInput, 'invalid_input', inputParams(input));
  return decide(ir, call, NO_OPTIONS);
}

/** Steps 2 to 6 for a well-formed call. */
function decide(ir: PolicySetIR, call: DecisionInput, options: EvaluateOptions): Decision {
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
  const plan = toolPlan(tool);

  for (const check of plan.params) {
    const value = getPath(params, check.path);
    if (value === undefined) {
      if (!check.optional) reasons.push(reason('param_missing', 'deny', check.missing));
      continue;
    }
    for (const op of check.operators) {
      const result = op.test(value);
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

  const clock = new CallClock(options, call.timeMs);
  // The paths sanitizing rules add to the entry's own: most calls fire none.
  let ruleRedacts: (readonly string[])[] | undefined;
  for (const rule of plan.rules) {
    if (!rule.holds(call, clock)) continue;
    reasons.push(reason('rule_matched', rule.effect, rule.reason));
    if (rule.effect === 'sanitize' && rule.redact.length > 0) {
      ruleRedacts ??= [];
      for (const path of rule.redact) ruleRedacts.push(path);
    }
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
  const redactPaths = ruleRedacts
    ? [...(sanitize?.redact ?? []), ...ruleRedacts]
    : (sanitize?.redact ?? []);
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

/** The call's time, read from the clock at most once, and only if a time condition asks. */
class CallClock implements Clock {
  constructor(
    private readonly options: EvaluateOptions,
    private timeMs: number | undefined,
  ) {}

  ms(): number {
    if (this.timeMs === undefined) this.timeMs = nowMs(this.options);
    return this.timeMs;
  }
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
  const repeats = (r: Reason, prev: Reason | undefined) =>
    prev !== undefined &&
    prev.rule === r.rule &&
    prev.code === r.code &&
    prev.effect === r.effect &&
    prev.message === r.message;
  // Duplicates are rare: copy only when there is one.
  if (!sorted.some((r, i) => repeats(r, sorted[i - 1]))) return sorted;
  return sorted.filter((r, i) => !repeats(r, sorted[i - 1]));
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
