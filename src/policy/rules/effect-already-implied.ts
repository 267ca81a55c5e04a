import type { Effect, ToolEntry } from '../types.js';
import type { PolicyRule } from './rule.js';
import { findContradiction } from './support/contradiction.js';
import {
  type ConditionRecord,
  conditionKinds,
  isRecord,
  type OperatorEntry,
  operatorEntries,
  ruleName,
  ruleSites,
} from './support/walk.js';

/**
 * A rule whose effect never changes a decision: whenever its condition holds, a check of the
 * same entry already gives an outcome at least as restrictive. `when: { param: amount, gt: 6000 }`
 * with `effect: deny` beside `max_amount: 5000`, or beside `params: { amount: { lte: 5000 } }`.
 * Usually a sign that the rule was meant to catch something else, so a warning.
 *
 * Only `deny` and `approval_needed` rules are judged: a `sanitize` rule also redacts, which
 * changes the decision document even when the outcome is already decided. A test holds only on
 * a present value of a type its operators apply to (docs/semantics.md, "Rule conditions"), so
 * "no value satisfies the test and the check together" means the check fails whenever the
 * test holds. That is decided by findContradiction, which only answers when it is sure.
 */
export const effectAlreadyImplied: PolicyRule = {
  id: 'effect-already-implied',
  check(policies, report) {
    for (const site of ruleSites(policies)) {
      const { effect, when } = site.rule;
      if (effect !== 'deny' && effect !== 'approval_needed') continue;
      const guard = impliedBy(when, effect, site.tool);
      if (!guard) continue;
      report(
        site.at,
        `${site.rulePointer}/effect`,
        `${ruleName(site)}: its effect \`${effect}\` is already implied: whenever its condition holds, ${guard.name} ${guard.effect === 'deny' ? 'denies the call' : 'asks for approval'}`,
        { hint: 'remove the rule, or change its condition if it was meant to catch other calls' },
      );
    }
  },
};

/** A check of the entry that a value of one parameter must pass, and what failing it does. */
interface Guard {
  name: string;
  effect: 'deny' | 'approval_needed';
  entries: OperatorEntry[];
}

/** The first check that fails whenever `condition` holds and is at least as strict as `effect`. */
function impliedBy(condition: unknown, effect: Effect, tool: ToolEntry): Guard | undefined {
  if (!isRecord(condition)) return undefined;
  const kinds = conditionKinds(condition);
  if (kinds.length !== 1) return undefined;
  const [kind] = kinds;
  if (kind === 'all' && Array.isArray(condition.all)) {
    for (const child of condition.all) {
      const guard = impliedBy(child, effect, tool);
      if (guard) return guard;
    }
    return undefined;
  }
  if (kind === 'any' && Array.isArray(condition.any) && condition.any.length > 0) {
    const guards = condition.any.map((child) => impliedBy(child, effect, tool));
    return guards.every((g) => g !== undefined) ? guards[0] : undefined;
  }
  const path = testedParam(condition);
  if (path === undefined) return undefined;
  const test = operatorEntries(condition, '');
  // A test that never holds is condition-never-holds' finding; a presence test implies nothing.
  if (test.length === 0 || findContradiction(test)) return undefined;
  return guardsOf(tool, path).find(
    (guard) =>
      (guard.effect === 'deny' || effect === 'approval_needed') &&
      !findContradiction(guard.entries) &&
      findContradiction([...test, ...guard.entries]) !== undefined,
  );
}

/** `param: amount` and `field: params.amount` read the same value. */
function testedParam(condition: ConditionRecord): string | undefined {
  if (typeof condition.param === 'string') return condition.param;
  if (typeof condition.field === 'string' && condition.field.startsWith('params.')) {
    return condition.field.slice('params.'.length);
  }
  return undefined;
}

/**
 * What the entry checks on one parameter, strictest first: its `params` constraint (any
 * failure denies), and for the amount parameter the `conditions` (docs/semantics.md: the
 * amount must be a number once any limit is set; each limit is a bound).
 */
function guardsOf(tool: ToolEntry, path: string): Guard[] {
  const guards: Guard[] = [];
  const constraint = tool.params?.[path];
  if (constraint) {
    guards.push({
      name: `the \`params\` constraint on \`${path}\``,
      effect: 'deny',
      entries: operatorEntries(constraint, ''),
    });
  }
  const conditions = tool.conditions;
  if (!conditions || (conditions.amount_param ?? 'amount') !== path) return guards;
  const limits = [
    ['max_amount', 'deny', 'lte', conditions.max_amount],
    ['min_amount', 'deny', 'gte', conditions.min_amount],
    ['approval_needed_over', 'approval_needed', 'lte', conditions.approval_needed_over],
  ] as const;
  if (limits.every(([, , , value]) => value === undefined)) return guards;
  guards.push({
    name: '`conditions` (the amount must be a number)',
    effect: 'deny',
    entries: [{ op: 'type', value: 'number', pointer: '' }],
  });
  for (const [name, effect, op, value] of limits) {
    if (value !== undefined) {
      guards.push({ name: `\`${name}\``, effect, entries: [{ op, value, pointer: '' }] });
    }
  }
  return guards;
}
