/**
 * Where the semantic rules look: every tool entry, rule and `when` condition of the loaded
 * policies, each with its JSON pointer. Conditions are handed out as plain records, not as the
 * `Condition` union: the schema does not enforce "exactly one kind", so a node may hold several
 * kinds or none (invalid-condition reports that) and every rule must cope.
 */
import { encodePointer } from '../../parse.js';
import {
  type JsonValue,
  OPERATOR_NAMES,
  type OperatorName,
  type Rule,
  type ToolEntry,
} from '../../types.js';
import type { LoadedPolicy } from '../rule.js';
import { LastOnly } from './last-only.js';

export interface ToolSite {
  at: LoadedPolicy;
  tool: ToolEntry;
  /** Index in `allowed_tools`. */
  index: number;
  pointer: string;
}

export interface RuleSite extends ToolSite {
  rule: Rule;
  ruleIndex: number;
  rulePointer: string;
}

export type ConditionRecord = Record<string, unknown>;

export interface ConditionSite {
  site: RuleSite;
  condition: ConditionRecord;
  pointer: string;
}

export const CONDITION_KINDS = ['param', 'field', 'time', 'all', 'any', 'not'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/**
 * The sites are computed once per validation run and shared by every rule: seventeen rules
 * each walking a thousand policies again cost more than parsing them. (validate runs the rules
 * policy by policy, each time on a list of its own: see LastOnly.)
 */
interface Sites {
  tools?: ToolSite[];
  rules?: RuleSite[];
  conditions?: ConditionSite[];
}
const sitesCache = new LastOnly<readonly LoadedPolicy[], Sites>();

function sitesOf(policies: readonly LoadedPolicy[]): Sites {
  return sitesCache.get(policies, () => ({}));
}

export function toolSites(policies: readonly LoadedPolicy[]): readonly ToolSite[] {
  const sites = sitesOf(policies);
  if (sites.tools) return sites.tools;
  const out: ToolSite[] = [];
  for (const at of policies) {
    const tools = at.policy.allowed_tools;
    for (let index = 0; index < tools.length; index++) {
      const tool = tools[index];
      if (tool) out.push({ at, tool, index, pointer: encodePointer(['allowed_tools', index]) });
    }
  }
  sites.tools = out;
  return out;
}

export function ruleSites(policies: readonly LoadedPolicy[]): readonly RuleSite[] {
  const sites = sitesOf(policies);
  if (sites.rules) return sites.rules;
  const out: RuleSite[] = [];
  for (const site of toolSites(policies)) {
    const rules = site.tool.rules ?? [];
    for (let ruleIndex = 0; ruleIndex < rules.length; ruleIndex++) {
      const rule = rules[ruleIndex];
      if (rule) {
        const { at, tool, index, pointer } = site;
        const rulePointer = `${pointer}/rules/${ruleIndex}`;
        out.push({ at, tool, index, pointer, rule, ruleIndex, rulePointer });
      }
    }
  }
  sites.rules = out;
  return out;
}

/** Every condition node of every rule's `when`, parents before children. */
export function conditionSites(policies: readonly LoadedPolicy[]): readonly ConditionSite[] {
  const sites = sitesOf(policies);
  if (sites.conditions) return sites.conditions;
  const out: ConditionSite[] = [];
  for (const site of ruleSites(policies)) {
    const stack: [unknown, string][] = [[site.rule.when, `${site.rulePointer}/when`]];
    while (stack.length > 0) {
      const top = stack.pop();
      if (!top) break;
      const [condition, pointer] = top;
      if (!isRecord(condition)) continue;
      out.push({ site, condition, pointer });
      // Reversed so that the stack hands children out in document order.
      stack.push(...childConditions(condition, pointer).reverse());
    }
  }
  sites.conditions = out;
  return out;
}

/** The conditions directly under `all`, `any` and `not`, with their pointers. */
export function childConditions(condition: ConditionRecord, pointer: string): [unknown, string][] {
  const children: [unknown, string][] = [];
  for (const kind of ['all', 'any'] as const) {
    const list = condition[kind];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      children.push([c, `${pointer}/${kind}/${i}`]);
    });
  }
  if ('not' in condition) children.push([condition.not, `${pointer}/not`]);
  return children;
}

/** The kinds a condition has, in CONDITION_KINDS order. */
export function conditionKinds(condition: ConditionRecord): ConditionKind[] {
  return keysIn(condition, KIND_ORDER);
}

/** The operators a record has, in OPERATOR_NAMES order. */
export function operatorsIn(record: object): OperatorName[] {
  return keysIn(record, OPERATOR_ORDER);
}

const KIND_ORDER: ReadonlyMap<string, number> = new Map(CONDITION_KINDS.map((k, i) => [k, i]));
const OPERATOR_ORDER: ReadonlyMap<string, number> = new Map(OPERATOR_NAMES.map((k, i) => [k, i]));

/**
 * The record's keys that `order` lists, sorted by it. Walks the record's few keys rather than
 * asking for every name: the rules ask this of every condition of every policy.
 */
function keysIn<K extends string>(record: object, order: ReadonlyMap<string, number>): K[] {
  const found: string[] = [];
  for (const key of Object.keys(record)) if (order.has(key)) found.push(key);
  if (found.length > 1) found.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return found as K[];
}

/** One operator with its operand and where it is written. */
export interface OperatorEntry {
  op: OperatorName;
  value: JsonValue;
  pointer: string;
}

const OPERATORS: ReadonlySet<string> = new Set(OPERATOR_NAMES);

/** The operators of a constraint or condition in the order the author wrote them. */
export function operatorEntries(record: object, pointer: string): OperatorEntry[] {
  const entries: OperatorEntry[] = [];
  for (const key of Object.keys(record)) {
    if (OPERATORS.has(key)) {
      const value = (record as Record<string, JsonValue>)[key] as JsonValue;
      entries.push({ op: key as OperatorName, value, pointer: `${pointer}/${key}` });
    }
  }
  return entries;
}

export function isRecord(value: unknown): value is ConditionRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How messages name a rule: its id, or its position under the tool. */
export function ruleName(site: RuleSite): string {
  return site.rule.id === undefined
    ? `rule ${site.ruleIndex} of tool \`${site.tool.name}\``
    : `rule \`${site.rule.id}\``;
}

/** Policy values in messages: strings bare, anything else as JSON. */
export function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
