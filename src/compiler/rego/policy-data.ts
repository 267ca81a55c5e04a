/**
 * The policies as OPA data, and the one copy of them a bundle carries: the Rego reads them,
 * and the native and wasm engines read their IR back from them (irFromPolicyData, which
 * inverts this file exactly, the round trip tested, and refuses data this file would not
 * write). The data shares arrays with the IR rather than copying them (tens of thousands of
 * agents), so neither may be changed.
 *
 * `data.aegis.policies.tenants[<tenant>][<agent>]` and `data.aegis.policies.global[<agent>]`
 * are the normalized policies with their rule ids, messages and source lines (the ids
 * relative to the policy's `prefix`, the messages as positions in its `messages`: ReasonRefs
 * below; data.aegis.format 3). The keys are
 * what the decision looks a call's policy up by, so finding it does not grow with the number
 * of policies, and data (unlike Rego rules or constants, which OPA compiles one by one) loads
 * fast for tens of thousands of agents. `data.aegis.denials` holds the reasons of steps 1 and
 * 2, and `data.aegis.format` the layout's version (irFromPolicyData checks it).
 *
 * Keys are snake_case as in the policy files, so that a reviewer reading data.json next to
 * the YAML finds the same names. Where a decision would otherwise scan, branch or recurse,
 * the data is laid out for it, once: OPA spends about a microsecond on every expression it
 * evaluates and more on every rule or function body it enters, and a decision should cost
 * well under a millisecond. So a policy carries `tool_entries` (step 5 by key) and its
 * entries keyed by position (byPosition: OPA converts a list it reads in full), its egress
 * patterns sorted into exact hosts and suffixes (step 4) and its limits as a list; an
 * allowed_tools entry its params operators as flat `tests` lists by what the Rego does with
 * them, its limits as lists, its rules' conditions as flat lists of leaves and of the nodes
 * combining them by height (Rego has no recursion), and for sanitize `scan`, what tells
 * cheaply whether any matcher matches at all.
 */
import type { ReasonCode } from '../../engine/decision.js';
import type { ExceedEffect, JsonValue } from '../../policy/types.js';
import type {
  ConditionIR,
  MatcherIR,
  PolicyIR,
  PolicySetIR,
  ReasonTemplate,
  SourceRef,
  ToolIR,
} from '../ir.js';

type Json = JsonValue;
type JsonObject = { [key: string]: Json };

/** The version of this layout; irFromPolicyData reads it and the one before. */
export const POLICY_DATA_FORMAT = 3;

export interface PolicyData {
  /** The tallest rule condition, in levels of nodes combining others (0: leaves only). */
  maxHeight: number;
  /** The most matchers any entry applies in turn. */
  maxMatchers: number;
  data: JsonObject;
}

/** What the Rego modules are written out for (lib-modules.ts): the largest of each over a set. */
export interface PolicyDataStats {
  maxHeight: number;
  maxMatchers: number;
}

export function newPolicyDataStats(): PolicyDataStats {
  return { maxHeight: 0, maxMatchers: 0 };
}

export function policyData(ir: PolicySetIR): PolicyData {
  const stats = newPolicyDataStats();
  const { tenants, global } = placePolicies(ir.policies, (policy) => policyDoc(policy, stats));
  const aegis: JsonObject = {
    ...dataHead(ir),
    policies: { tenants, global } as JsonObject,
  };
  return { ...stats, data: { aegis } };
}

/** One policy's entry of data.aegis.policies as JSON text, and its keys. */
export interface PolicyText {
  tenant?: string;
  agent: string;
  text: string;
}

/** A policy's entry as text, made as soon as the policy is normalized (compile.ts compileBundle). */
export function policyText(policy: PolicyIR, stats: PolicyDataStats): PolicyText {
  const text = JSON.stringify(policyDoc(policy, stats));
  return policy.tenant === undefined
    ? { agent: policy.agent, text }
    : { tenant: policy.tenant, agent: policy.agent, text };
}

/**
 * data.json for policies already turned into text, in the set's order (normalize.ts
 * comparePolicies): exactly `JSON.stringify(policyData(ir).data)`, in pieces (the policies' own
 * texts among them), so that tens of MB never have to be one string.
 */
export function policyDataText(
  policies: readonly PolicyText[],
  reasons: Pick<PolicySetIR, 'invalidInput' | 'noPolicy'>,
): string[] {
  const { tenants, global } = placePolicies(policies, (policy) => policy.text);
  const out: string[] = [];
  const head = JSON.stringify(dataHead(reasons));
  // JSON.stringify({ aegis: { ...head, policies: { tenants, global } } }), spelled out.
  out.push(`{"aegis":${head.slice(0, -1)},"policies":{"tenants":`);
  objectText(out, tenants, (agents) => objectText(out, agents, (text) => out.push(text)));
  out.push(',"global":');
  objectText(out, global, (text) => out.push(text));
  out.push('}}}');
  return out;
}

/** data.aegis's members before the policies. */
function dataHead(reasons: Pick<PolicySetIR, 'invalidInput' | 'noPolicy'>): JsonObject {
  return {
    format: POLICY_DATA_FORMAT,
    denials: { invalid_input: reason(reasons.invalidInput), no_policy: reason(reasons.noPolicy) },
  };
}

/**
 * The policies placed as data.aegis.policies holds them, each as `value` gives it: the tenants'
 * in `tenants[tenant][agent]`, the others in `global[agent]`, in the order given.
 */
function placePolicies<P extends { tenant?: string; agent: string }, T>(
  policies: readonly P[],
  value: (policy: P) => T,
): { tenants: Record<string, Record<string, T>>; global: Record<string, T> } {
  const tenants: Record<string, Record<string, T>> = {};
  const global: Record<string, T> = {};
  for (const policy of policies) {
    if (policy.tenant === undefined) {
      setOwn(global, policy.agent, value(policy));
      continue;
    }
    let agents = Object.hasOwn(tenants, policy.tenant) ? tenants[policy.tenant] : undefined;
    if (agents === undefined) {
      agents = {};
      setOwn(tenants, policy.tenant, agents);
    }
    setOwn(agents, policy.agent, value(policy));
  }
  return { tenants, global };
}

/**
 * An object as JSON.stringify writes it, its members' values written by `member`: the keys in
 * the order JSON.stringify takes them (Object.keys: integer-like keys first), quoted as it
 * quotes them.
 */
function objectText<T>(out: string[], obj: Record<string, T>, member: (value: T) => void): void {
  out.push('{');
  let first = true;
  for (const key of Object.keys(obj)) {
    out.push(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    first = false;
    member(obj[key] as T);
  }
  out.push('}');
}

/** `obj[key] = value` that also works for a key named `__proto__`. */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `file:line`; the line is the text after the last colon. */
function source(ref: SourceRef): string {
  return `${ref.file}:${ref.line}`;
}

/** A reason template of the set (data.aegis.denials) as data: its rule id and message in full. */
function reason(template: ReasonTemplate): JsonObject {
  return { rule: template.rule, message: template.message };
}

/**
 * A policy's reason templates as data: each rule id without the policy's prefix (every id of a
 * policy starts with `<tenant|_>/<agent>/`, normalize.ts), each message as its position in the
 * policy's `messages`, so that a message several of its checks share (the "parameter
 * `currency` is required" of every entry) is written once; lib.reason puts a reason back
 * together. Written out in full, ids and messages made up a fifth of data.json and half the
 * compressed bundle.
 */
class ReasonRefs {
  readonly messages: string[] = [];
  private readonly positions = new Map<string, number>();
  private readonly start: string;

  constructor(prefix: string) {
    this.start = `${prefix}/`;
  }

  /**
   * The template as a document of its own: `{rule, message}`. Inside another document, rule()
   * and message() are written out as members rather than spreading ref(): a spread on this
   * path (a hundred thousand reasons for a thousand agents) made `aegis compile` 5% slower.
   */
  ref(template: ReasonTemplate): JsonObject {
    return { rule: this.rule(template), message: this.message(template) };
  }

  rule({ rule }: ReasonTemplate): string {
    if (!rule.startsWith(this.start)) {
      throw new TypeError(`policyData: rule ${rule} is outside ${this.start}`);
    }
    return rule.slice(this.start.length);
  }

  message({ message }: ReasonTemplate): number {
    let position = this.positions.get(message);
    if (position === undefined) {
      position = this.messages.length;
      this.messages.push(message);
      this.positions.set(message, position);
    }
    return position;
  }
}

/** The codes of the reasons limits give. */
export type LimitCode = Extract<
  ReasonCode,
  | 'amount_over_max'
  | 'amount_under_min'
  | 'amount_needs_approval'
  | 'rate_limited'
  | 'budget_exceeded'
  | 'agent_rate_limited'
  | 'agent_budget_exceeded'
>;

export interface LimitSpec {
  /** Whose limit it is: an allowed_tools entry's, or the agent's over all its tools. */
  of: 'tool' | 'policy';
  /** The number it is compared with (checks.measures). */
  measure: 'amount' | 'tool_rps' | 'tool_spend' | 'agent_rps' | 'agent_spend';
  /** `over`: a measure over the limit gives the reason; `under`: one under it. */
  list: 'over' | 'under';
  /** Its effect; absent: the limit's `on_exceed`. */
  effect?: ExceedEffect;
}

/**
 * Every limit by its code, as the lists hold it: written here, and read back by code by
 * irFromPolicyData, which refuses a limit that is not as this table says.
 */
export const LIMITS = {
  amount_over_max: { of: 'tool', measure: 'amount', list: 'over', effect: 'deny' },
  amount_under_min: { of: 'tool', measure: 'amount', list: 'under', effect: 'deny' },
  amount_needs_approval: {
    of: 'tool',
    measure: 'amount',
    list: 'over',
    effect: 'approval_needed',
  },
  rate_limited: { of: 'tool', measure: 'tool_rps', list: 'over' },
  budget_exceeded: { of: 'tool', measure: 'tool_spend', list: 'over' },
  agent_rate_limited: { of: 'policy', measure: 'agent_rps', list: 'over' },
  agent_budget_exceeded: { of: 'policy', measure: 'agent_spend', list: 'over' },
} as const satisfies Record<LimitCode, LimitSpec>;

/**
 * A limit as the checks package compares it: when the measure (checks.measures) is over the
 * limit (under it, in an `under` list), a reason with this code and effect. The lists are
 * where the policy's and the entries' limits are written down.
 */
function limit(
  refs: ReasonRefs,
  code: LimitCode,
  value: number,
  reason: ReasonTemplate,
  onExceed?: ExceedEffect,
): JsonObject {
  const spec: LimitSpec = LIMITS[code];
  const effect = spec.effect ?? onExceed;
  if (effect === undefined) throw new TypeError(`policyData: limit ${code} has no on_exceed`);
  return {
    measure: spec.measure,
    limit: value,
    code,
    effect,
    rule: refs.rule(reason),
    message: refs.message(reason),
  };
}

function policyDoc(policy: PolicyIR, stats: PolicyDataStats): JsonObject {
  const refs = new ReasonRefs(policy.prefix);
  const doc: JsonObject = {
    policy:
      policy.tenant === undefined
        ? { agent: policy.agent }
        : { agent: policy.agent, tenant: policy.tenant },
    prefix: policy.prefix,
    mode: policy.mode,
    source: source(policy.source),
  };
  if (policy.regions !== undefined) doc.regions = policy.regions;
  doc.egress = egressDoc(policy.egress);
  const { region, egress, tool, action } = policy.denials;
  doc.denials = {
    region: refs.ref(region),
    egress: refs.ref(egress),
    tool: refs.ref(tool),
    action: refs.ref(action),
  };
  doc.tools = byPosition(policy.tools.map((entry) => toolDoc(entry, refs, stats)));
  doc.tool_entries = toolEntries(policy.tools);
  // The agent-wide limits, over all its tools.
  const over: JsonObject[] = [];
  const { rateLimit: rate, budget } = policy;
  if (rate !== undefined) {
    over.push(limit(refs, 'agent_rate_limited', rate.limit, rate.reason, rate.onExceed));
  }
  if (budget !== undefined) {
    over.push(limit(refs, 'agent_budget_exceeded', budget.limit, budget.reason, budget.onExceed));
  }
  doc.limits = { over };
  doc.messages = refs.messages;
  return doc;
}

/**
 * Step 4 as lookups: the host names as the keys of `hosts`, and for each `*.suffix` pattern
 * the `.suffix` a host must end with, and for a bare `*` the empty suffix, which every host
 * ends with; `patterns` as written.
 */
export function egressDoc(patterns: string[]): JsonObject {
  const hosts: JsonObject = {};
  const suffixes: string[] = [];
  for (const pattern of patterns) {
    if (pattern === '*') suffixes.push('');
    else if (pattern.startsWith('*.')) suffixes.push(pattern.slice(1));
    else setOwn(hosts, pattern, true);
  }
  return { patterns, hosts, suffixes };
}

/**
 * A policy's allowed_tools entries keyed by their positions ("0", "1", ...), not as a list.
 * OPA reads data lazily, an object member by member as the Rego asks for them, but converts
 * a list in full, every decision: `policy.tools[entry]` on a list of a policy's five entries
 * cost more than the rest of the allowed call's decision together (opa bench on the
 * opa-scale benchmark's input: 3,252 allocations a decision with the list, 1,828 with this).
 */
function byPosition(items: readonly Json[]): JsonObject {
  const out: JsonObject = {};
  items.forEach((item, i) => {
    out[String(i)] = item;
  });
  return out;
}

/**
 * Step 5 as lookups: for each tool name, the position (a key of `tools`: "0", "1", ...) of
 * the first entry listing each action (`actions`), and of the first entry for every action
 * (`any_action`, absent when none). Kept apart because `*` listed with other actions names an
 * action called `*`.
 */
export function toolEntries(tools: readonly ToolIR[]): JsonObject {
  const byName: JsonObject = {};
  tools.forEach((tool, i) => {
    let entry = Object.hasOwn(byName, tool.name) ? byName[tool.name] : undefined;
    if (!isObject(entry)) {
      entry = { actions: {} };
      setOwn(byName, tool.name, entry);
    }
    if (tool.actions === '*') {
      if (!Object.hasOwn(entry, 'any_action')) entry.any_action = String(i);
      return;
    }
    const actions = entry.actions;
    if (!isObject(actions)) return;
    for (const action of tool.actions) {
      if (!Object.hasOwn(actions, action)) setOwn(actions, action, String(i));
    }
  });
  return byName;
}

function toolDoc(tool: ToolIR, refs: ReasonRefs, stats: PolicyDataStats): JsonObject {
  const doc: JsonObject = {
    name: tool.name,
    actions: tool.actions,
    source: source(tool.source),
    params: tool.params.map((check) => ({
      path: check.path,
      optional: check.optional,
      missing: refs.ref(check.missing),
    })),
    required: tool.params.flatMap((check, i) => (check.optional ? [] : [i])),
    tests: testsDoc(tool, refs),
  };
  const over: JsonObject[] = [];
  const under: JsonObject[] = [];
  const { amount, rateLimit: rate, budget } = tool;
  if (amount !== undefined) {
    doc.amount = { param: amount.path, invalid: refs.ref(amount.invalid) };
    const { max, min, approvalOver } = amount;
    if (max) over.push(limit(refs, 'amount_over_max', max.limit, max.reason));
    if (min) under.push(limit(refs, 'amount_under_min', min.limit, min.reason));
    if (approvalOver) {
      over.push(limit(refs, 'amount_needs_approval', approvalOver.limit, approvalOver.reason));
    }
  }
  if (rate !== undefined) {
    over.push(limit(refs, 'rate_limited', rate.limit, rate.reason, rate.onExceed));
  }
  if (budget !== undefined) {
    over.push(limit(refs, 'budget_exceeded', budget.limit, budget.reason, budget.onExceed));
  }
  const conditions = new ConditionLists();
  doc.rules = tool.rules.map((rule) => ({
    rule: refs.rule(rule.reason),
    message: refs.message(rule.reason),
    effect: rule.effect,
    source: source(rule.source),
    redact: rule.redact,
    when: conditions.add(rule.when).id,
  }));
  stats.maxHeight = Math.max(stats.maxHeight, conditions.combined.length);
  doc.conditions = { leaves: conditions.leaves, combined: conditions.combined };
  doc.limits = { over, under };
  if (tool.sanitize !== undefined) {
    stats.maxMatchers = Math.max(stats.maxMatchers, tool.sanitize.matchers.length);
    doc.sanitize = {
      redact: tool.sanitize.redact,
      matchers: tool.sanitize.matchers.map((m) => ({ name: m.name, regex: m.regex })),
      scan: scanDoc(tool.sanitize.matchers),
      rule: refs.rule(tool.sanitize.reason),
      message: refs.message(tool.sanitize.reason),
    };
  }
  return doc;
}

/**
 * Every operator of the entry's params checks, sorted by what the Rego does with it:
 * `one_of` (in, and eq as in a list of one) and `none_of` (not_in, and ne) are tested inline,
 * `other` through lib.failure. Each has its path from the input's root (`["params", ...]`:
 * params that are absent read as {} there too, and params that are not an object never get
 * this far), and `at`, the positions of its check in params and of the operator in the check.
 */
function testsDoc(tool: ToolIR, refs: ReasonRefs): JsonObject {
  const tests: Record<TestGroup, JsonObject[]> = { one_of: [], none_of: [], other: [] };
  tool.params.forEach((check, i) => {
    const path = ['params', ...check.path];
    check.operators.forEach(({ op, value: operand, reason }, j) => {
      const { group, value } = testGroup(op, operand);
      const rule = refs.rule(reason);
      tests[group].push({ at: [i, j], path, op, value, rule, message: refs.message(reason) });
    });
  });
  return tests;
}

export type TestGroup = 'one_of' | 'none_of' | 'other';

/** Membership operators, tested inline by the Rego, and every other one. */
export function testGroup(op: string, value: Json): { group: TestGroup; value: Json } {
  if (op === 'in') return { group: 'one_of', value };
  if (op === 'eq') return { group: 'one_of', value: [value] };
  if (op === 'not_in') return { group: 'none_of', value };
  if (op === 'ne') return { group: 'none_of', value: [value] };
  return { group: 'other', value };
}

/**
 * What decides cheaply whether any matcher matches any string, so that sanitize scrubs
 * nothing in the usual call (sanitize.rego). One regex that matches a string exactly when
 * some matcher does: the matcher itself, or the alternation of all of them (RE2 keeps a flag
 * such as `(?i)` inside the group that sets it). `joined` when that regex can also be run once
 * over all the strings joined by NUL: no matcher asks where it is in the text (`^`, `$`, `\A`,
 * `\z`; `\b` and `\B` see NUL as a non-word character, as they see the ends of a string), so
 * it matches the joined text wherever it matches one of the strings (and where it matches
 * across a NUL, sanitize only does the full scan for nothing). Else `each`, regexes to run on
 * every string: the alternation, or the matchers themselves when they cannot be joined (a
 * named group, as RE2 refuses a name used twice, or a text long enough that a regex engine's
 * size limit might refuse it where it took the parts; policy.wasm's RE2 has one).
 */
export function scanDoc(matchers: readonly MatcherIR[]): JsonObject {
  if (matchers.length === 0) return { each: [] };
  const only = matchers.length === 1 ? matchers[0] : undefined;
  const alternation = matchers.map((m) => `(?:${m.regex})`).join('|');
  const named = matchers.some((m) => m.regex.includes('(?P<') || m.regex.includes('(?<'));
  if (only === undefined && (named || alternation.length > MAX_JOINED_REGEX)) {
    return { each: matchers.map((m) => m.regex) };
  }
  const regex = only?.regex ?? alternation;
  const positional = matchers.some((m) => /[$^]|\\[Az]/.test(m.regex));
  return positional ? { each: [regex] } : { joined: regex };
}

/** Far above all the detectors together (about 700 characters), far below RE2's limits. */
const MAX_JOINED_REGEX = 4000;

/** Go's names of the weekdays, which OPA's time.weekday returns. */
export const WEEKDAY_NAMES = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
} as const;

/**
 * The minutes from start to end going forward, around midnight: an end not after the start
 * wraps (22:00-06:00 spans 480), an end equal to it spans the whole day.
 */
export function hoursSpan(start: number, end: number): number {
  return end > start ? end - start : end - start + 1440;
}

interface Placed {
  id: number;
  height: number;
}

/**
 * The conditions of an entry's rules, flattened for the Rego: every node gets an id; `leaves`
 * lists the tests, each on one operator, and `combined[h - 1]` the nodes of height h (all,
 * any, not; one more than their tallest child) with the ids of their children. So the Rego
 * decides the leaves, then the nodes height by height, each from the ones below it.
 *
 * Two rewrites keep every leaf a single cheap test, without changing what holds: a test with
 * several operators becomes `all` of one test per operator (each requires the value to be
 * present, as the whole test does; the node is marked `test: true`), and a time window becomes
 * `all` of a days leaf and an hours leaf, each only when given (marked `window: true`; a
 * window with neither is a days leaf with all seven, `given: false`, so that a zone OPA does
 * not know still makes it false). A test's kind is its group as in testsDoc (`one_of`,
 * `none_of`, `other`; `present` when it has no operator, which validate refuses), its
 * `subject` `param` or `field`, its path from the input's root. The marks let
 * irFromPolicyData rebuild the condition as written.
 */
class ConditionLists {
  leaves: JsonObject[] = [];
  combined: JsonObject[][] = [];
  private next = 0;

  add(c: ConditionIR): Placed {
    switch (c.kind) {
      case 'param':
      case 'field': {
        const path = c.kind === 'param' ? ['params', ...c.path] : c.path;
        const subject = c.kind;
        if (c.tests.length === 0) return this.leaf({ kind: 'present', subject, path });
        const parts = c.tests.map((t) => {
          const { group, value } = testGroup(t.op, t.value);
          return this.leaf({ kind: group, subject, path, op: t.op, value });
        });
        return this.all(parts, 'test');
      }
      case 'time': {
        const parts: Placed[] = [];
        if (c.days !== undefined || c.hours === undefined) {
          const given = c.days !== undefined;
          const days = (c.days ?? Object.keys(WEEKDAY_NAMES)) as (keyof typeof WEEKDAY_NAMES)[];
          const names = days.map((d) => WEEKDAY_NAMES[d]);
          parts.push(this.leaf({ kind: 'days', tz: c.tz, days: names, given }));
        }
        if (c.hours !== undefined) {
          const { start, end } = c.hours;
          parts.push(
            this.leaf({ kind: 'hours', tz: c.tz, start, end, span: hoursSpan(start, end) }),
          );
        }
        return this.all(parts, 'window');
      }
      case 'all':
      case 'any':
        return this.combine(
          c.kind,
          c.of.map((x) => this.add(x)),
        );
      case 'not':
        return this.combine('not', [this.add(c.of)]);
    }
  }

  private leaf(fields: JsonObject): Placed {
    const id = this.next++;
    this.leaves.push({ id, ...fields });
    return { id, height: 0 };
  }

  /** One node, or `all` of several, marked as the rewrite of one test or one window. */
  private all(parts: Placed[], mark: 'test' | 'window'): Placed {
    const only = parts.length === 1 ? parts[0] : undefined;
    return only ?? this.combine('all', parts, mark);
  }

  private combine(kind: 'all' | 'any' | 'not', children: Placed[], mark?: string): Placed {
    const id = this.next++;
    const height = 1 + Math.max(0, ...children.map((child) => child.height));
    while (this.combined.length < height) this.combined.push([]);
    const node: JsonObject = { id, kind, of: children.map((child) => child.id) };
    if (mark !== undefined) node[mark] = true;
    this.combined[height - 1]?.push(node);
    return { id, height };
  }
}
