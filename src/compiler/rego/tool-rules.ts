/**
 * Step 6 for one allowed_tools entry (POLICY-LANGUAGE.md section 4, docs/semantics.md
 * "Reasons"): params constraints, amount conditions, rules, and the tool's rate limit and
 * budget, each a `reasons contains {...} if {...}` guarded by `entry == <position>`.
 */
import type { JsonValue } from '../../policy/types.js';
import type { AmountIR, LimitIR, ParamCheckIR, ReasonTemplate, SourceRef, ToolIR } from '../ir.js';
import { conditionRules } from './conditions.js';
import type { NameAllocator } from './names.js';
import { operatorRego } from './operators.js';
import { type ReasonText, reasonObject, rule } from './rego-text.js';
import { regoRef, regoValue } from './terms.js';

/** A sanitize rule of a tool: the rule that fires it and the paths it redacts. */
export interface SanitizeRuleRef {
  ruleName: string;
  redact: string[][];
}

export interface ToolRules {
  rules: string[];
  sanitizeRules: SanitizeRuleRef[];
}

export function sourceText(source: SourceRef): string {
  return `${source.file}:${source.line}`;
}

/** `reasons contains {reason} if {body}` with a comment. */
export function reasonRule(lead: readonly string[], reason: ReasonText, body: readonly string[]): string {
  return rule(lead, `reasons contains ${reasonObject(reason)}`, body);
}

function fromTemplate(template: ReasonTemplate, code: string, effect: ReasonText['effect']): ReasonText {
  return { rule: template.rule, code, effect, message: template.message };
}

export function dotted(path: readonly string[]): string {
  return path.join('.');
}

export function toolRules(tool: ToolIR, index: number, names: NameAllocator): ToolRules {
  const guard = `entry == ${index}`;
  const where = `allowed_tools[${index}] ${tool.name}`;
  const rules: string[] = [];
  for (const check of tool.params) rules.push(...paramRules(check, guard, where));
  if (tool.amount !== undefined) rules.push(...amountRules(tool.amount, guard, where));
  const sanitizeRules: SanitizeRuleRef[] = [];
  tool.rules.forEach((item, position) => {
    const id = item.reason.rule.split('/').slice(3).join('/');
    const name = names.allocate('rule', tool.name, id);
    const lead = [
      `${where}, rules[${position}] ${id} (${sourceText(item.source)}): ${item.effect} when this holds.`,
    ];
    rules.push(reasonRule([], fromTemplate(item.reason, 'rule_matched', item.effect), [name]));
    rules.push(...conditionRules(name, lead, [guard], item.when, names));
    if (item.effect === 'sanitize') sanitizeRules.push({ ruleName: name, redact: item.redact });
  });
  if (tool.rateLimit !== undefined) {
    rules.push(rateLimitRule(tool.rateLimit, 'tool_rps', 'rate_limited', [guard], `${where}: rate_limit.`));
  }
  if (tool.budget !== undefined) {
    rules.push(
      budgetRule(tool.budget, 'tool_spend_today_usd', 'budget_exceeded', [guard], `${where}: budget.`),
    );
  }
  return { rules, sanitizeRules };
}

function paramRules(check: ParamCheckIR, guard: string, where: string): string[] {
  const path = dotted(check.path);
  const ref = regoRef('input.params', check.path);
  const rules: string[] = [];
  if (!check.optional) {
    rules.push(
      reasonRule(
        [`${where}: params.${path} is required.`],
        fromTemplate(check.missing, 'param_missing', 'deny'),
        [guard, `not lib.has_param(${regoValue(check.path)})`],
      ),
    );
  }
  for (const operator of check.operators) {
    const rego = operatorRego(operator.op, 'value', operator.value);
    const shown = `params.${path}: ${operator.op} ${regoValue(operator.value)}`;
    if (rego.applies !== undefined) {
      rules.push(
        reasonRule(
          [`${where}: ${shown} does not apply to a value of this type.`],
          fromTemplate(operator.reason, 'param_invalid', 'deny'),
          [guard, `value := ${ref}`, `not ${rego.applies}`],
        ),
      );
    }
    const applies = rego.applies === undefined ? [] : [rego.applies];
    rules.push(
      reasonRule(
        [`${where}: ${shown} is violated.`],
        fromTemplate(operator.reason, 'param_violation', 'deny'),
        [guard, `value := ${ref}`, ...applies, rego.violated],
      ),
    );
  }
  return rules;
}

function amountRules(amount: AmountIR, guard: string, where: string): string[] {
  const path = regoValue(amount.path);
  const ref = regoRef('input.params', amount.path);
  const rules = [
    reasonRule(
      [`${where}: conditions read the amount from params.${dotted(amount.path)}, which is required.`],
      fromTemplate(amount.invalid, 'param_missing', 'deny'),
      [guard, `not lib.has_param(${path})`],
    ),
    reasonRule(
      [`${where}: the amount must be a number.`],
      fromTemplate(amount.invalid, 'param_invalid', 'deny'),
      [guard, `value := ${ref}`, 'not is_number(value)'],
    ),
  ];
  const comparisons: [keyof AmountIR & ('max' | 'min' | 'approvalOver'), string, string, string][] = [
    ['max', 'max_amount', 'amount_over_max', '>'],
    ['min', 'min_amount', 'amount_under_min', '<'],
    ['approvalOver', 'approval_needed_over', 'amount_needs_approval', '>'],
  ];
  for (const [key, name, code, comparison] of comparisons) {
    const limit = amount[key];
    if (limit === undefined) continue;
    const effect = key === 'approvalOver' ? 'approval_needed' : 'deny';
    rules.push(
      reasonRule(
        [`${where}: conditions.${name} ${limit}.`],
        fromTemplate(limit.reason, code, effect),
        [guard, `value := ${ref}`, 'is_number(value)', `value ${comparison} ${regoNumber(limit.limit)}`],
      ),
    );
  }
  return rules;
}

function regoNumber(n: number): string {
  return regoValue(n as JsonValue);
}

/** `usage > limit` (missing usage counts as 0). */
export function rateLimitRule(
  limit: LimitIR,
  counter: string,
  code: string,
  guard: readonly string[],
  what: string,
): string {
  return reasonRule(
    [`${what} more than ${limit.limit} calls a second: ${limit.onExceed}.`],
    fromTemplate(limit.reason, code, limit.onExceed),
    [...guard, `lib.usage("${counter}") > ${regoNumber(limit.limit)}`],
  );
}

/** `spend today + this call's cost > limit`, with Rego's own arithmetic. */
export function budgetRule(
  limit: LimitIR,
  counter: string,
  code: string,
  guard: readonly string[],
  what: string,
): string {
  return reasonRule(
    [`${what} more than ${limit.limit} USD a day, this call included: ${limit.onExceed}.`],
    fromTemplate(limit.reason, code, limit.onExceed),
    [...guard, `lib.usage("${counter}") + lib.cost_usd > ${regoNumber(limit.limit)}`],
  );
}
