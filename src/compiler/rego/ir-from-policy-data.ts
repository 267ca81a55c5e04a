/**
 * The IR back from a bundle's data.json: the inverse of policyData (policy-data.ts), which
 * lays the policies out for the Rego without losing anything the IR holds, so that a bundle
 * carries them once and the native and wasm engines evaluate it without its sources. The
 * layout's version is checked (STYLE.md 3); within it the data is trusted as the compiler
 * wrote it, and anything that does not fit gives a message rather than a crash.
 */

import type { JsonValue } from '../../policy/types.js';
import {
  type AmountIR,
  type ConditionIR,
  IR_VERSION,
  type LimitIR,
  type OperatorIR,
  type ParamCheckIR,
  type PolicyIR,
  type PolicySetIR,
  type ReasonTemplate,
  type RuleIR,
  type SourceRef,
  type ToolIR,
} from '../ir.js';
import type { IrReadResult } from '../ir-file.js';
import { comparePolicies } from '../normalize.js';
import { POLICY_DATA_FORMAT, WEEKDAY_NAMES } from './policy-data.js';

// The documents as policy-data.ts writes them; only the fields read here.
/** A reason of the set (data.aegis.denials), written in full. */
interface SetReason {
  rule: string;
  message: string;
}
/** A reason of a policy: the rule id after the policy's prefix, the message's position. */
interface Reason {
  rule: string;
  message: number;
}
interface LimitDoc extends Reason {
  limit: number;
  code: string;
  effect: string;
}
interface Limits {
  over: LimitDoc[];
  under?: LimitDoc[];
}
interface TestDoc extends Reason {
  at: [number, number];
  op: OperatorIR['op'];
  value: JsonValue;
}
type LeafDoc = { id: number } & (
  | {
      kind: 'one_of' | 'none_of' | 'other';
      subject: 'param' | 'field';
      path: string[];
      op: OperatorIR['op'];
      value: JsonValue;
    }
  | { kind: 'present'; subject: 'param' | 'field'; path: string[] }
  | { kind: 'days'; tz: string; days: string[]; given: boolean }
  | { kind: 'hours'; tz: string; start: number; end: number }
);
interface NodeDoc {
  id: number;
  kind: 'all' | 'any' | 'not';
  of: number[];
  test?: boolean;
  window?: boolean;
}
interface ToolDoc {
  name: string;
  actions: string[] | '*';
  source: string;
  params: { path: string[]; optional: boolean; missing: Reason }[];
  tests: Record<string, TestDoc[]>;
  amount?: { param: string[]; invalid: Reason };
  rules: (Reason & {
    effect: RuleIR['effect'];
    source: string;
    redact: string[][];
    when: number;
  })[];
  conditions: { leaves: LeafDoc[]; combined: NodeDoc[][] };
  limits: Limits;
  sanitize?: Reason & { redact: string[][]; matchers: { name: string; regex: string }[] };
}
interface PolicyDoc {
  policy: { agent: string; tenant?: string };
  prefix: string;
  messages: string[];
  mode: PolicyIR['mode'];
  source: string;
  regions?: string[];
  egress: { patterns: string[] };
  denials: Record<keyof PolicyIR['denials'], Reason>;
  tools: ToolDoc[];
  limits: Limits;
}

export function irFromPolicyData(data: unknown): IrReadResult {
  const aegis = member(data, 'aegis');
  const format = member(aegis, 'format');
  if (format === undefined) {
    return { ok: false, message: 'data.json has no aegis policies (no data.aegis.format)' };
  }
  if (format !== POLICY_DATA_FORMAT) {
    return {
      ok: false,
      message: `data.json has aegis data format ${String(format)}; this aegis reads format ${POLICY_DATA_FORMAT} (recompile the bundle)`,
    };
  }
  try {
    const denials = member(aegis, 'denials') as { invalid_input: SetReason; no_policy: SetReason };
    const policies = member(aegis, 'policies') as {
      tenants: Record<string, Record<string, PolicyDoc>>;
      global: Record<string, PolicyDoc>;
    };
    const docs = [
      ...Object.values(policies.global),
      ...Object.values(policies.tenants).flatMap((agents) => Object.values(agents)),
    ];
    const ir: PolicySetIR = {
      version: IR_VERSION,
      policies: docs.map(policyIr).sort(comparePolicies),
      invalidInput: { rule: denials.invalid_input.rule, message: denials.invalid_input.message },
      noPolicy: { rule: denials.no_policy.rule, message: denials.no_policy.message },
    };
    return { ok: true, ir };
  } catch (error) {
    return {
      ok: false,
      message: `data.json is not aegis policy data (${(error as Error).message})`,
    };
  }
}

/** `value[key]` when value is an object with that key; else undefined. */
function member(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** A policy's reasons in full again: its prefix before each rule id, each message looked up. */
class PolicyReasons {
  private readonly prefix: string;
  private readonly messages: readonly string[];

  constructor(doc: PolicyDoc, prefix: string) {
    if (doc.prefix !== prefix) throw new Error(`prefix ${JSON.stringify(doc.prefix)}`);
    if (!Array.isArray(doc.messages)) throw new Error('messages');
    this.prefix = prefix;
    this.messages = doc.messages;
  }

  template(doc: Reason): ReasonTemplate {
    const message = this.messages[doc.message];
    if (typeof message !== 'string') throw new Error(`message ${JSON.stringify(doc.message)}`);
    return { rule: `${this.prefix}/${doc.rule}`, message };
  }
}

/** `file:line`, the line after the last colon (a file name may hold colons too). */
function sourceRef(text: string): SourceRef {
  const colon = text.lastIndexOf(':');
  const line = Number(text.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(line)) throw new Error(`source ${JSON.stringify(text)}`);
  return { file: text.slice(0, colon), line };
}

/** The limit with this code in a policy's or an entry's lists (policy-data.ts limit). */
function findLimit(limits: Limits, code: string): LimitDoc | undefined {
  return [...limits.over, ...(limits.under ?? [])].find((limit) => limit.code === code);
}

function limitIr(limits: Limits, code: string, reasons: PolicyReasons): LimitIR | undefined {
  const doc = findLimit(limits, code);
  if (doc === undefined) return undefined;
  const onExceed = doc.effect as LimitIR['onExceed'];
  return { limit: doc.limit, onExceed, reason: reasons.template(doc) };
}

function bound(
  limits: Limits,
  code: string,
  reasons: PolicyReasons,
): { limit: number; reason: ReasonTemplate } | undefined {
  const doc = findLimit(limits, code);
  return doc === undefined ? undefined : { limit: doc.limit, reason: reasons.template(doc) };
}

function policyIr(doc: PolicyDoc): PolicyIR {
  const { agent, tenant } = doc.policy;
  const prefix = `${tenant ?? '_'}/${agent}`;
  const reasons = new PolicyReasons(doc, prefix);
  const policy: PolicyIR = {
    agent,
    ...(tenant !== undefined ? { tenant } : {}),
    mode: doc.mode,
    source: sourceRef(doc.source),
    prefix,
    ...(doc.regions !== undefined ? { regions: [...doc.regions] } : {}),
    egress: [...doc.egress.patterns],
    tools: doc.tools.map((tool) => toolIr(tool, reasons)),
    denials: {
      region: reasons.template(doc.denials.region),
      egress: reasons.template(doc.denials.egress),
      tool: reasons.template(doc.denials.tool),
      action: reasons.template(doc.denials.action),
    },
  };
  const rateLimit = limitIr(doc.limits, 'agent_rate_limited', reasons);
  const budget = limitIr(doc.limits, 'agent_budget_exceeded', reasons);
  if (rateLimit !== undefined) policy.rateLimit = rateLimit;
  if (budget !== undefined) policy.budget = budget;
  return policy;
}

/** eq and ne operands are stored in a list of one (policy-data.ts testGroup). */
function operand(op: OperatorIR['op'], value: JsonValue): JsonValue {
  if (op !== 'eq' && op !== 'ne') return value;
  if (!Array.isArray(value) || value.length !== 1)
    throw new Error(`${op} operand ${JSON.stringify(value)}`);
  return value[0] as JsonValue;
}

function toolIr(doc: ToolDoc, reasons: PolicyReasons): ToolIR {
  const params: ParamCheckIR[] = doc.params.map((check) => ({
    path: [...check.path],
    optional: check.optional,
    missing: reasons.template(check.missing),
    operators: [],
  }));
  for (const group of Object.values(doc.tests)) {
    for (const test of group) {
      const [i, j] = test.at;
      const check = params[i];
      if (check === undefined) throw new Error(`test at ${i}`);
      check.operators[j] = {
        op: test.op,
        value: operand(test.op, test.value),
        reason: reasons.template(test),
      };
    }
  }
  for (const check of params) {
    if (check.operators.some((operator) => operator === undefined)) throw new Error('operators');
  }
  const conditions = new ConditionTree(doc.conditions.leaves, doc.conditions.combined);
  const tool: ToolIR = {
    name: doc.name,
    actions: doc.actions === '*' ? '*' : [...doc.actions],
    source: sourceRef(doc.source),
    params,
    rules: doc.rules.map((rule) => ({
      reason: reasons.template(rule),
      when: conditions.condition(rule.when),
      effect: rule.effect,
      redact: rule.redact.map((path) => [...path]),
      source: sourceRef(rule.source),
    })),
  };
  if (doc.amount !== undefined) tool.amount = amountIr(doc.amount, doc.limits, reasons);
  const rateLimit = limitIr(doc.limits, 'rate_limited', reasons);
  const budget = limitIr(doc.limits, 'budget_exceeded', reasons);
  if (rateLimit !== undefined) tool.rateLimit = rateLimit;
  if (budget !== undefined) tool.budget = budget;
  if (doc.sanitize !== undefined) {
    tool.sanitize = {
      redact: doc.sanitize.redact.map((path) => [...path]),
      matchers: doc.sanitize.matchers.map((m) => ({ name: m.name, regex: m.regex })),
      reason: reasons.template(doc.sanitize),
    };
  }
  return tool;
}

function amountIr(
  doc: NonNullable<ToolDoc['amount']>,
  limits: Limits,
  reasons: PolicyReasons,
): AmountIR {
  const amount: AmountIR = { path: [...doc.param], invalid: reasons.template(doc.invalid) };
  const max = bound(limits, 'amount_over_max', reasons);
  const min = bound(limits, 'amount_under_min', reasons);
  const approvalOver = bound(limits, 'amount_needs_approval', reasons);
  if (max !== undefined) amount.max = max;
  if (min !== undefined) amount.min = min;
  if (approvalOver !== undefined) amount.approvalOver = approvalOver;
  return amount;
}

const WEEKDAYS = new Map<string, keyof typeof WEEKDAY_NAMES>(
  Object.entries(WEEKDAY_NAMES).map(([day, name]) => [name, day as keyof typeof WEEKDAY_NAMES]),
);

/** The conditions of one entry, rebuilt from their flat lists (policy-data.ts ConditionLists). */
class ConditionTree {
  private readonly leaves = new Map<number, LeafDoc>();
  private readonly nodes = new Map<number, NodeDoc>();

  constructor(leaves: readonly LeafDoc[], combined: readonly NodeDoc[][]) {
    for (const leaf of leaves) this.leaves.set(leaf.id, leaf);
    for (const level of combined) for (const node of level) this.nodes.set(node.id, node);
  }

  condition(id: number): ConditionIR {
    const leaf = this.leaves.get(id);
    if (leaf !== undefined) return this.leafCondition(leaf);
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`condition node ${id}`);
    if (node.test) return this.merged(node, 'test');
    if (node.window) return this.merged(node, 'window');
    const of = node.of.map((child) => this.condition(child));
    if (node.kind !== 'not') return { kind: node.kind, of };
    const [only] = of;
    if (only === undefined || of.length !== 1) throw new Error(`not node ${id}`);
    return { kind: 'not', of: only };
  }

  private leafCondition(leaf: LeafDoc): ConditionIR {
    switch (leaf.kind) {
      case 'one_of':
      case 'none_of':
      case 'other':
      case 'present': {
        const path = leaf.subject === 'param' ? leaf.path.slice(1) : [...leaf.path];
        const tests =
          leaf.kind === 'present' ? [] : [{ op: leaf.op, value: operand(leaf.op, leaf.value) }];
        return { kind: leaf.subject, path, tests };
      }
      case 'days': {
        const days = leaf.days.map((name) => {
          const day = WEEKDAYS.get(name);
          if (day === undefined) throw new Error(`weekday ${name}`);
          return day;
        });
        return { kind: 'time', tz: leaf.tz, ...(leaf.given ? { days } : {}) };
      }
      case 'hours':
        return { kind: 'time', tz: leaf.tz, hours: { start: leaf.start, end: leaf.end } };
    }
  }

  /** One test with several operators, or one time window with days and hours, as written. */
  private merged(node: NodeDoc, mark: 'test' | 'window'): ConditionIR {
    const parts = node.of.map((child) => {
      const leaf = this.leaves.get(child);
      if (leaf === undefined) throw new Error(`${mark} node ${node.id}`);
      return this.leafCondition(leaf);
    });
    const [first] = parts;
    if (first === undefined) throw new Error(`${mark} node ${node.id}`);
    if (first.kind === 'param' || first.kind === 'field') {
      const tests = parts.flatMap((part) => (part.kind === first.kind ? part.tests : []));
      return { kind: first.kind, path: first.path, tests };
    }
    if (first.kind !== 'time') throw new Error(`${mark} node ${node.id}`);
    const window: Extract<ConditionIR, { kind: 'time' }> = { kind: 'time', tz: first.tz };
    for (const part of parts) {
      if (part.kind !== 'time') continue;
      if (part.days !== undefined) window.days = part.days;
      if (part.hours !== undefined) window.hours = part.hours;
    }
    return window;
  }
}
