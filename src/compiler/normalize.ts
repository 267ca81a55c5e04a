/**
 * `normalize()`: validated policies -> the IR (ir.ts). Pure. Fills every default, expands the
 * shorthands into checks, and fixes each reason's rule id and message here, per the table in
 * docs/semantics.md, so that every engine reports the same text. Messages carry compile-time
 * values only (limits, lists), never anything from a call.
 */
import { DETECTORS } from '../engine/detectors.js';
import { compareCodePoints, goLower } from '../engine/strings.js';
import type { LoadedPolicy } from '../policy/rules/rule.js';
import {
  type AgentPolicy,
  type Budget,
  type Condition,
  type JsonValue,
  OPERATOR_NAMES,
  type OperatorName,
  type ParamConstraint,
  type RateLimit,
  type ToolEntry,
} from '../policy/types.js';
import {
  type AmountIR,
  type ConditionIR,
  IR_VERSION,
  type LimitIR,
  type ParamCheckIR,
  type PolicyIR,
  type PolicySetIR,
  type ReasonTemplate,
  type RuleIR,
  type SanitizeIR,
  type ToolIR,
} from './ir.js';

/** A policy with where it came from; `locate` gives the line of a JSON pointer into it. */
export interface SourcedPolicy {
  policy: AgentPolicy;
  file: string;
  line: number;
  locate?: (pointer: string) => number;
}

/** validate()'s `loaded` list can be passed as it is. */
export type NormalizeInput = SourcedPolicy | LoadedPolicy;

export function normalize(policies: readonly NormalizeInput[]): PolicySetIR {
  const ir = policies.map(normalizeOne);
  ir.sort(comparePolicies);
  return { version: IR_VERSION, policies: ir, ...setReasons() };
}

/** One policy's IR, as normalize() makes it (compile turns policies into data one by one). */
export function normalizeOne(policy: NormalizeInput): PolicyIR {
  return normalizePolicy(sourced(policy));
}

/** The order of a set's policies: by tenant (none first), then agent, in code points. */
export function comparePolicies(
  a: { tenant?: string; agent: string },
  b: { tenant?: string; agent: string },
): number {
  return compareCodePoints(a.tenant ?? '', b.tenant ?? '') || compareCodePoints(a.agent, b.agent);
}

/** The reasons of steps 1 and 2, the same for every policy set. */
export function setReasons(): Pick<PolicySetIR, 'invalidInput' | 'noPolicy'> {
  return {
    invalidInput: { rule: 'aegis/input', message: 'the decision input is malformed' },
    noPolicy: { rule: 'aegis/policy', message: 'no policy for this agent' },
  };
}

function sourced(p: NormalizeInput): Required<SourcedPolicy> {
  if ('source' in p) {
    const source = p.source;
    return {
      policy: p.policy,
      file: source.file,
      line: source.line(''),
      locate: (ptr) => source.line(ptr),
    };
  }
  const line = p.line;
  return { ...p, locate: p.locate ?? (() => line) };
}

function normalizePolicy(src: Required<SourcedPolicy>): PolicyIR {
  const { policy } = src;
  const prefix = `${policy.tenant ?? '_'}/${policy.agent}`;
  const agentPart = `${prefix}/_`;
  const ir: PolicyIR = {
    agent: policy.agent,
    mode: policy.mode ?? 'enforce',
    source: { file: src.file, line: src.line },
    prefix,
    egress: (policy.egress?.allow ?? []).map(goLower),
    tools: policy.allowed_tools.map((tool, i) =>
      normalizeTool(tool, `${prefix}/${tool.name}`, src, i),
    ),
    denials: {
      region: {
        rule: `${agentPart}/regions`,
        message: `context.region must be one of ${show(policy.regions ?? [])}`,
      },
      egress: {
        rule: `${agentPart}/egress`,
        message: 'egress host is not in the egress allow list',
      },
      tool: { rule: `${agentPart}/tools`, message: 'tool is not in allowed_tools' },
      action: { rule: `${agentPart}/tools`, message: 'action is not allowed for this tool' },
    },
  };
  if (policy.tenant !== undefined) ir.tenant = policy.tenant;
  if (policy.regions) ir.regions = [...policy.regions];
  if (policy.rate_limit)
    ir.rateLimit = rateLimit(policy.rate_limit, `${agentPart}/rate_limit`, 'agent rate limit');
  if (policy.budget) ir.budget = budget(policy.budget, `${agentPart}/budget`, 'agent daily budget');
  return ir;
}

function normalizeTool(
  tool: ToolEntry,
  toolPart: string,
  src: Required<SourcedPolicy>,
  index: number,
): ToolIR {
  const pointer = `/allowed_tools/${index}`;
  const actions = tool.actions;
  const ir: ToolIR = {
    name: tool.name,
    // Only exactly ["*"] is the wildcard; a "*" among other actions is taken literally (fails closed).
    actions:
      actions === undefined || (actions.length === 1 && actions[0] === '*') ? '*' : [...actions],
    source: { file: src.file, line: src.locate(pointer) },
    params: Object.entries(tool.params ?? {}).map(([path, c]) => paramCheck(path, c, toolPart)),
    rules: (tool.rules ?? []).map((rule, j): RuleIR => {
      const id = rule.id ?? `rules/${j}`;
      return {
        reason: { rule: `${toolPart}/${id}`, message: rule.reason ?? ruleMessage(id, rule.effect) },
        when: condition(rule.when),
        effect: rule.effect,
        redact: rule.effect === 'sanitize' ? (rule.redact ?? []).map(split) : [],
        source: { file: src.file, line: src.locate(`${pointer}/rules/${j}`) },
      };
    }),
  };
  const amount = amountChecks(tool, toolPart);
  if (amount) ir.amount = amount;
  if (tool.rate_limit)
    ir.rateLimit = rateLimit(tool.rate_limit, `${toolPart}/rate_limit`, 'rate limit');
  if (tool.budget) ir.budget = budget(tool.budget, `${toolPart}/budget`, 'daily budget');
  if (tool.sanitize || ir.rules.some((r) => r.effect === 'sanitize'))
    ir.sanitize = sanitize(tool, toolPart);
  return ir;
}

function split(path: string): string[] {
  return path.split('.');
}

function paramCheck(path: string, c: ParamConstraint, toolPart: string): ParamCheckIR {
  const rule = `${toolPart}/params/${path}`;
  return {
    path: split(path),
    optional: c.optional ?? false,
    missing: { rule, message: `parameter \`${path}\` is required` },
    operators: tests(c).map(({ op, value }) => ({
      op,
      value,
      reason: { rule: `${rule}/${op}`, message: `parameter \`${path}\` ${requirement(op, value)}` },
    })),
  };
}

/** The operators present, in the one canonical order of OPERATOR_NAMES. */
function tests(c: object): { op: OperatorName; value: JsonValue }[] {
  const record = c as Record<string, JsonValue>;
  return OPERATOR_NAMES.filter((op) => Object.hasOwn(record, op)).map((op) => ({
    op,
    value: record[op] ?? null,
  }));
}

function requirement(op: OperatorName, v: JsonValue): string {
  switch (op) {
    case 'eq':
      return `must equal ${show(v)}`;
    case 'ne':
      return `must not equal ${show(v)}`;
    case 'in':
      return `must be one of ${show(v)}`;
    case 'not_in':
      return `must not be one of ${show(v)}`;
    case 'lt':
      return `must be a number less than ${show(v)}`;
    case 'lte':
      return `must be a number at most ${show(v)}`;
    case 'gt':
      return `must be a number greater than ${show(v)}`;
    case 'gte':
      return `must be a number at least ${show(v)}`;
    case 'matches':
      return `must be a string matching \`${show(v)}\``;
    case 'not_matches':
      return `must be a string not matching \`${show(v)}\``;
    case 'prefix':
      return `must be a string starting with ${JSON.stringify(v)}`;
    case 'suffix':
      return `must be a string ending with ${JSON.stringify(v)}`;
    case 'contains':
      return `must contain ${JSON.stringify(v)}`;
    case 'min_length':
      return `must have a length of at least ${show(v)}`;
    case 'max_length':
      return `must have a length of at most ${show(v)}`;
    case 'type':
      return `must be of type ${show(v)}`;
  }
}

/** Policy values in messages: strings bare, lists as `[a, b]`, anything else as JSON. */
function show(v: JsonValue): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return JSON.stringify(v);
}

function ruleMessage(id: string, effect: RuleIR['effect']): string {
  switch (effect) {
    case 'deny':
      return `denied by rule ${id}`;
    case 'approval_needed':
      return `rule ${id} requires approval`;
    case 'sanitize':
      return `rule ${id} redacts parameters`;
  }
}

function amountChecks(tool: ToolEntry, toolPart: string): AmountIR | undefined {
  const c = tool.conditions;
  if (
    !c ||
    (c.max_amount === undefined &&
      c.min_amount === undefined &&
      c.approval_needed_over === undefined)
  ) {
    return undefined;
  }
  const name = c.amount_param ?? 'amount';
  const part = `${toolPart}/conditions`;
  const ir: AmountIR = {
    path: split(name),
    invalid: {
      rule: `${part}/amount`,
      message: `parameter \`${name}\` is required and must be a number`,
    },
  };
  const at = (key: string, limit: number, message: string) => ({
    limit,
    reason: { rule: `${part}/${key}`, message },
  });
  if (c.max_amount !== undefined) {
    ir.max = at('max_amount', c.max_amount, `${name} exceeds max_amount ${show(c.max_amount)}`);
  }
  if (c.min_amount !== undefined) {
    ir.min = at('min_amount', c.min_amount, `${name} is below min_amount ${show(c.min_amount)}`);
  }
  if (c.approval_needed_over !== undefined) {
    const over = c.approval_needed_over;
    ir.approvalOver = at('approval_needed_over', over, `${name} over ${show(over)} needs approval`);
  }
  return ir;
}

function rateLimit(r: RateLimit, rule: string, what: string): LimitIR {
  const reason: ReasonTemplate = {
    rule,
    message: `${what} of ${show(r.rps)} calls per second exceeded`,
  };
  return { limit: r.rps, onExceed: r.on_exceed ?? 'deny', reason };
}

function budget(b: Budget, rule: string, what: string): LimitIR {
  const reason: ReasonTemplate = { rule, message: `${what} of ${show(b.daily_usd)} USD exceeded` };
  return { limit: b.daily_usd, onExceed: b.on_exceed ?? 'deny', reason };
}

function sanitize(tool: ToolEntry, toolPart: string): SanitizeIR {
  const s = tool.sanitize ?? {};
  return {
    redact: (s.redact ?? []).map(split),
    matchers: [
      ...(s.detectors ?? []).map((name) => ({ name, regex: DETECTORS[name].regex })),
      ...(s.patterns ?? []).map((p) => ({ name: p.name, regex: p.regex })),
    ],
    reason: { rule: `${toolPart}/sanitize`, message: 'sensitive data redacted' },
  };
}

const CONDITION_KINDS = ['param', 'field', 'time', 'all', 'any', 'not'] as const;

function condition(c: Condition): ConditionIR {
  const record = c as Record<string, unknown>;
  const parts: ConditionIR[] = [];
  if (typeof record.param === 'string')
    parts.push({ kind: 'param', path: split(record.param), tests: tests(c) });
  if (typeof record.field === 'string')
    parts.push({ kind: 'field', path: split(record.field), tests: tests(c) });
  if ('time' in c) {
    const t = c.time;
    const ir: ConditionIR = { kind: 'time', tz: t.tz ?? 'UTC' };
    if (t.days) ir.days = [...t.days];
    if (t.hours !== undefined) ir.hours = parseHours(t.hours);
    parts.push(ir);
  }
  if ('all' in c) parts.push({ kind: 'all', of: c.all.map(condition) });
  if ('any' in c) parts.push({ kind: 'any', of: c.any.map(condition) });
  if ('not' in c) parts.push({ kind: 'not', of: condition(c.not) });
  const [only] = parts;
  if (parts.length === 1 && only) return only;
  // The schema allows one kind per condition; should several meet, all of them must hold.
  if (parts.length === 0) throw new Error(`a condition needs one of ${CONDITION_KINDS.join(', ')}`);
  return { kind: 'all', of: parts };
}

const HOURS = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/;

/** "HH:MM-HH:MM" -> minutes since local midnight; 24:00 only as the end. */
export function parseHours(text: string): { start: number; end: number } {
  const m = HOURS.exec(text);
  const minutes = (h: string | undefined, mm: string | undefined, end: boolean): number => {
    const hour = Number(h);
    const minute = Number(mm);
    if (minute > 59 || hour > 24 || (hour === 24 && (minute !== 0 || !end))) return Number.NaN;
    return hour * 60 + minute;
  };
  const start = minutes(m?.[1], m?.[2], false);
  const end = minutes(m?.[3], m?.[4], true);
  // validate reports malformed hours; reaching this with one is a bug, not a user error.
  if (!m || Number.isNaN(start) || Number.isNaN(end)) throw new Error(`malformed hours: ${text}`);
  return { start, end };
}
