/**
 * The reference evaluator (the `native` engine): POLICY-LANGUAGE.md section 4, step by step,
 * returning the section 5 document. Pure: the clock is an option. docs/semantics.md has every
 * choice the contract leaves open; numbers.ts, rfc3339.ts, regex.ts and strings.ts hold the
 * places where Go's (OPA's) behaviour has to be reproduced rather than JavaScript's.
 */
import type { PolicyIR, PolicySetIR, ToolIR } from '../compiler/ir.js';
import { unreachable } from '../errors.js';
import type { Decision, Outcome, Reason, Redaction } from './decision.js';
import {
  type DecisionInput,
  inputParams,
  type ReplayContext,
  readInput,
  readReplayedInput,
} from './decision-input.js';
import { asJsonData, getPath, type JsonObject } from './json.js';
import { sumExceeds } from './numbers.js';
import { hostAllowed, type LimitPlan, type PolicyEntry, policyIndex } from './policy-index.js';
import { routeOf } from './route.js';
import { sanitizeParams } from './sanitize.js';
import { compareCodePoints, goLower } from './strings.js';
import type { Clock, ToolPlan } from './tool-plan.js';

export interface EvaluateOptions {
  /** The time of a call without `context.time`: ns since the epoch, or a Date. Default: the system clock. */
  now?: () => bigint | Date;
}

/**
 * The decision for one input (POLICY-LANGUAGE.md section 4). Throws InputTooDeepError (json.ts)
 * for an input nested more than MAX_INPUT_DEPTH levels deep, which the commands refuse as they
 * read it.
 */
export function evaluate(ir: PolicySetIR, input: unknown, options: EvaluateOptions = {}): Decision {
  const data = asJsonData(input);
  const call = readInput(data);
  if (!call) return early(policyIndex(ir).invalidInput, inputParams(data));
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
  if (!call) return early(policyIndex(ir).invalidInput, inputParams(input));
  return decide(ir, call, NO_OPTIONS);
}

/** Steps 2 to 6 for a well-formed call. */
function decide(ir: PolicySetIR, call: DecisionInput, options: EvaluateOptions): Decision {
  const route = routeOf(ir, call);
  const found = route.found;
  if (!found) return early(route.index.noPolicy, call.params);
  const { policy, entry } = found;

  if (policy.regions && (call.region === undefined || !policy.regions.includes(call.region))) {
    return finish(policy, entry, call, [entry.regionDenied], []);
  }
  if (call.host !== undefined && !hostAllowed(entry.egress, goLower(call.host))) {
    return finish(policy, entry, call, [entry.egressDenied], []);
  }
  const tool = found.tool;
  if (!tool) return finish(policy, entry, call, [entry.toolNotAllowed], []);
  if (!tool.entry) return finish(policy, entry, call, [entry.actionNotAllowed], []);

  return checkCall(policy, entry, tool.entry.ir, tool.entry.plan, call, options);
}

/** Step 6: every check of the matched entry contributes its reasons. */
function checkCall(
  policy: PolicyIR,
  entry: PolicyEntry,
  tool: ToolIR,
  plan: ToolPlan,
  call: DecisionInput,
  options: EvaluateOptions,
): Decision {
  const reasons: Reason[] = [];
  const params = call.params;

  for (const check of plan.params) {
    const value = getPath(params, check.path);
    if (value === undefined) {
      if (!check.optional) reasons.push(check.missing);
      continue;
    }
    for (const op of check.operators) {
      const result = op.test(value);
      if (result === 'invalid') reasons.push(op.invalid);
      else if (result === 'violated') reasons.push(op.violated);
    }
  }

  const amount = plan.amount;
  if (amount) {
    const value = getPath(params, amount.path);
    if (value === undefined) reasons.push(amount.missing);
    else if (typeof value !== 'number') reasons.push(amount.invalid);
    else {
      if (amount.max && value > amount.max.limit) reasons.push(amount.max.reason);
      if (amount.min && value < amount.min.limit) reasons.push(amount.min.reason);
      if (amount.approvalOver && value > amount.approvalOver.limit)
        reasons.push(amount.approvalOver.reason);
    }
  }

  const clock = new CallClock(options, call.timeMs);
  // The paths sanitizing rules add to the entry's own: most calls fire none.
  let ruleRedacts: (readonly string[])[] | undefined;
  for (const rule of plan.rules) {
    if (!rule.holds(call, clock)) continue;
    reasons.push(rule.reason);
    if (rule.effect === 'sanitize' && rule.redact.length > 0) {
      ruleRedacts ??= [];
      for (const path of rule.redact) ruleRedacts.push(path);
    }
  }

  overLimits(reasons, plan.rateLimit, call.toolRps, plan.budget, call.toolSpend, call.costUsd);
  overLimits(reasons, entry.rateLimit, call.agentRps, entry.budget, call.agentSpend, call.costUsd);

  let redactions: Redaction[] = [];
  let sanitized: JsonObject | undefined;
  const sanitize = tool.sanitize;
  const redactPaths = ruleRedacts
    ? [...(sanitize?.redact ?? []), ...ruleRedacts]
    : (sanitize?.redact ?? []);
  if (sanitize && plan.redacted && (redactPaths.length > 0 || sanitize.matchers.length > 0)) {
    const result = sanitizeParams(params, redactPaths, sanitize.matchers);
    if (result.redactions.length > 0) {
      redactions = result.redactions;
      sanitized = result.params;
      reasons.push(plan.redacted);
    }
  }
  return finish(policy, entry, call, reasons, redactions, sanitized);
}

/** A rate limit the call's counter is over, and a daily budget its spend plus its cost is over. */
function overLimits(
  reasons: Reason[],
  rateLimit: LimitPlan | undefined,
  rps: number,
  budget: LimitPlan | undefined,
  spend: number,
  cost: number,
): void {
  if (rateLimit && rps > rateLimit.limit) reasons.push(rateLimit.reason);
  if (budget && sumExceeds(spend, cost, budget.limit)) reasons.push(budget.reason);
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

function early(reason: Reason, params: JsonObject): Decision {
  return {
    decision: 'deny',
    outcome: 'deny',
    allow: false,
    mode: 'enforce',
    reasons: [reason],
    redactions: [],
    params,
  };
}

function finish(
  policy: PolicyIR,
  entry: PolicyEntry,
  call: DecisionInput,
  reasons: Reason[],
  redactions: Redaction[],
  sanitized?: JsonObject,
): Decision {
  // The most restrictive effect (allow < sanitize < approval_needed < deny), by comparing the
  // effect strings: a lookup per reason in a rank table showed in profiles.
  let outcome: Outcome = 'allow';
  for (const r of reasons) {
    const effect = r.effect;
    if (effect === 'deny') {
      outcome = 'deny';
      break;
    }
    if (effect === 'approval_needed') outcome = effect;
    else if (effect === 'sanitize') {
      if (outcome === 'allow') outcome = effect;
    } else unreachable('effect', effect);
  }
  // Only shadow lets the call through whatever the outcome; any other mode is a bug.
  const mode = policy.mode;
  if (mode !== 'enforce' && mode !== 'shadow') unreachable('mode', mode);
  const enforce = mode === 'enforce';
  const decision: Outcome = enforce ? outcome : 'allow';
  return {
    decision,
    outcome,
    allow: decision === 'allow' || decision === 'sanitize',
    mode: policy.mode,
    reasons: sortReasons(reasons),
    redactions: sortRedactions(redactions),
    params: enforce && sanitized ? sanitized : call.params,
    policy: entry.doc,
  };
}

/** Below this many, an insertion sort: no call into the sort builtin. */
const SMALL = 12;

/** By rule, code, effect, message (code point order), without duplicates; sorts in place. */
function sortReasons(reasons: Reason[]): Reason[] {
  return sortUnique(reasons, compareReasons);
}

function compareReasons(a: Reason, b: Reason): number {
  if (a === b) return 0;
  return (
    compareCodePoints(a.rule, b.rule) ||
    compareCodePoints(a.code, b.code) ||
    compareCodePoints(a.effect, b.effect) ||
    compareCodePoints(a.message, b.message)
  );
}

/** By path, then by, without duplicates; sorts in place. */
function sortRedactions(redactions: Redaction[]): Redaction[] {
  return sortUnique(redactions, compareRedactions);
}

/**
 * Sorts `items` in place by `compare` and drops the items it finds equal to their neighbour.
 * Duplicates are rare, and sorted they are neighbours.
 */
function sortUnique<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  const n = items.length;
  if (n < 2) return items;
  if (n <= SMALL) {
    for (let i = 1; i < n; i++) {
      const item = items[i] as T;
      let j = i - 1;
      for (; j >= 0 && compare(items[j] as T, item) > 0; j--) items[j + 1] = items[j] as T;
      items[j + 1] = item;
    }
  } else items.sort(compare);
  let kept = 1;
  for (let i = 1; i < n; i++) {
    const item = items[i] as T;
    if (compare(items[kept - 1] as T, item) !== 0) items[kept++] = item;
  }
  items.length = kept;
  return items;
}

function compareRedactions(a: Redaction, b: Redaction): number {
  return compareCodePoints(a.path, b.path) || compareCodePoints(a.by, b.by);
}
