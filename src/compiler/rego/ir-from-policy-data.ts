/**
 * The IR back from a bundle's data.json: the inverse of policyData (policy-data.ts), which
 * lays the policies out for the Rego without losing anything the IR holds, so that a bundle
 * carries them once and the native and wasm engines evaluate it without its sources. The
 * layout's version is checked (STYLE.md 3), and within it every member is read as
 * policy-data.ts writes it (policy-data-members.ts; the conditions in condition-tree.ts): of
 * its type, every operator, kind, subject, effect, mode and limit code one that aegis has
 * (policy-data-values.ts), every operand of the type its operator takes, and every member the
 * Rego reads where the IR keeps another (a test's group and path, an hours leaf's span, a
 * limit's measure and list, the step 4 and 5 lookups, the heights of the condition nodes) in
 * agreement with it.
 *
 * Anything else is refused, naming the member: data.json edited after aegis wrote it, or
 * written by an aegis with operators this one does not know. Read into the IR, an operator
 * the native engine did not know decided nothing, so it allowed calls that OPA, reading the
 * same data, denied; a bundle this aegis cannot evaluate as OPA would is not evaluated at all.
 */

import {
  type AmountIR,
  IR_VERSION,
  type LimitIR,
  type ParamCheckIR,
  type PolicyIR,
  type PolicySetIR,
  type ReasonTemplate,
  type RuleIR,
  type SourceRef,
  type ToolIR,
} from '../ir.js';
import { comparePolicies } from '../normalize.js';
import { ConditionTree } from './condition-tree.js';
import {
  egressDoc,
  LIMITS,
  type LimitCode,
  POLICY_DATA_FORMAT,
  scanDoc,
  type TestGroup,
  toolEntries,
} from './policy-data.js';
import {
  boolean,
  type Doc,
  derived,
  has,
  index,
  list,
  NotPolicyData,
  number,
  object,
  oneOf,
  own,
  paths,
  positionKeyed,
  positionListed,
  refusal,
  refuse,
  string,
  strings,
} from './policy-data-members.js';
import {
  EFFECTS,
  EXCEED_EFFECTS,
  MODES,
  operand,
  operator,
  TEST_GROUPS,
} from './policy-data-values.js';

export type IrReadResult = { ok: true; ir: PolicySetIR } | { ok: false; message: string };

/**
 * The layout before POLICY_DATA_FORMAT, still read: the bundles a registry already serves were
 * compiled with it, and `simulate --baseline` is given them. It differs only in a policy's
 * `tools`, a list, and the positions in `tool_entries`, numbers.
 */
const PREVIOUS_FORMAT = 2;

export function irFromPolicyData(data: unknown): IrReadResult {
  const aegis = member(data, 'aegis');
  const format = member(aegis, 'format');
  if (format === undefined) {
    return { ok: false, message: 'data.json has no aegis policies (no data.aegis.format)' };
  }
  if (format !== POLICY_DATA_FORMAT && format !== PREVIOUS_FORMAT) {
    return {
      ok: false,
      message: `data.json has aegis data format ${String(format)}; this aegis reads formats ${PREVIOUS_FORMAT} and ${POLICY_DATA_FORMAT} (recompile the bundle)`,
    };
  }
  try {
    return { ok: true, ir: policySetIr(aegis as Doc, format) };
  } catch (error) {
    const what =
      error instanceof NotPolicyData
        ? `: ${refusal(data, error)}`
        : ` (${(error as Error).message})`;
    return {
      ok: false,
      message: `data.json is not aegis policy data${what} (recompile the bundle)`,
    };
  }
}

/** `value[key]` when value is an object with that key; else undefined. */
function member(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function policySetIr(aegis: Doc, format: number): PolicySetIR {
  const denials = object(aegis, 'denials');
  const policies = object(aegis, 'policies');
  const global = object(policies, 'global');
  const tenants = object(policies, 'tenants');
  const irs = Object.keys(global).map((agent) => policyIr(global, agent, undefined, format));
  for (const tenant of Object.keys(tenants)) {
    const agents = object(tenants, tenant);
    for (const agent of Object.keys(agents)) irs.push(policyIr(agents, agent, tenant, format));
  }
  return {
    version: IR_VERSION,
    policies: irs.sort(comparePolicies),
    invalidInput: setReason(object(denials, 'invalid_input')),
    noPolicy: setReason(object(denials, 'no_policy')),
  };
}

/** A reason of the set (data.aegis.denials), written in full. */
function setReason(doc: Doc): ReasonTemplate {
  return { rule: string(doc, 'rule'), message: string(doc, 'message') };
}

/** A policy's reasons in full again: its prefix before each rule id, each message looked up. */
class PolicyReasons {
  private readonly messages: readonly unknown[];

  constructor(
    doc: Doc,
    private readonly prefix: string,
  ) {
    if (string(doc, 'prefix') !== prefix) refuse(doc, 'prefix', JSON.stringify(prefix));
    this.messages = list(doc, 'messages');
  }

  /** The reason of a document with `rule` (after the prefix) and `message` (a position). */
  template(doc: Doc): ReasonTemplate {
    const rule = string(doc, 'rule');
    const position = index(doc, 'message');
    const message = this.messages[position];
    if (typeof message !== 'string') refuse(doc, 'message', "the position of a policy's message");
    return { rule: `${this.prefix}/${rule}`, message };
  }
}

/** `file:line`, the line after the last colon (a file name may hold colons too). */
function sourceRef(doc: Doc, key: string): SourceRef {
  const text = string(doc, key);
  const colon = text.lastIndexOf(':');
  const line = Number(text.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(line)) refuse(doc, key, 'file:line');
  return { file: text.slice(0, colon), line };
}

function policyIr(agents: Doc, key: string, tenant: string | undefined, format: number): PolicyIR {
  const doc = object(agents, key);
  const names = object(doc, 'policy');
  // The keys are what the Rego finds the policy by, the names what the native engine does.
  const agent = string(names, 'agent');
  if (agent !== key) refuse(names, 'agent', `${JSON.stringify(key)}, its key`);
  if (tenant === undefined) {
    if (has(names, 'tenant')) refuse(names, 'tenant', 'absent in a global policy');
  } else if (string(names, 'tenant') !== tenant) {
    refuse(names, 'tenant', `${JSON.stringify(tenant)}, its key`);
  }
  const prefix = `${tenant ?? '_'}/${agent}`;
  const reasons = new PolicyReasons(doc, prefix);
  const previous = format === PREVIOUS_FORMAT;
  const toolDocs = previous ? positionListed(doc, 'tools') : positionKeyed(doc, 'tools');
  const tools = toolDocs.keys.map((key) => toolIr(object(toolDocs.doc, key), reasons));
  const entries = previous ? numberPositions(toolEntries(tools)) : toolEntries(tools);
  derived(doc, 'tool_entries', entries, 'the lookup of its tools by name and action');
  const denials = object(doc, 'denials');
  const policy: PolicyIR = {
    agent,
    ...(tenant !== undefined ? { tenant } : {}),
    mode: oneOf(doc, 'mode', MODES),
    source: sourceRef(doc, 'source'),
    prefix,
    ...(has(doc, 'regions') ? { regions: strings(doc, 'regions') } : {}),
    egress: egressIr(object(doc, 'egress')),
    tools,
    denials: {
      region: reasons.template(object(denials, 'region')),
      egress: reasons.template(object(denials, 'egress')),
      tool: reasons.template(object(denials, 'tool')),
      action: reasons.template(object(denials, 'action')),
    },
  };
  const limits = new Limits(object(doc, 'limits'), 'policy', reasons);
  const rateLimit = limits.exceed('agent_rate_limited');
  const budget = limits.exceed('agent_budget_exceeded');
  if (rateLimit !== undefined) policy.rateLimit = rateLimit;
  if (budget !== undefined) policy.budget = budget;
  return policy;
}

/** tool_entries as PREVIOUS_FORMAT wrote it: the positions as numbers ("2" is 2). */
function numberPositions(entries: unknown): unknown {
  // Every string among its values is a position; JSON.parse keeps a `__proto__` key its own.
  return JSON.parse(JSON.stringify(entries), (_key, value: unknown) =>
    typeof value === 'string' ? Number(value) : value,
  );
}

/** The patterns, with the lookups the Rego matches hosts by made from them (egressDoc). */
function egressIr(doc: Doc): string[] {
  const patterns = strings(doc, 'patterns');
  const lookups = egressDoc(patterns);
  derived(doc, 'hosts', lookups.hosts, 'the exact hosts of its patterns');
  derived(doc, 'suffixes', lookups.suffixes, 'the suffixes of its patterns');
  return patterns;
}

/** A limit as its list holds it. */
interface LimitDoc {
  limit: number;
  effect: LimitIR['onExceed'];
  reason: ReasonTemplate;
}

/**
 * A policy's or an entry's limits by code, each as LIMITS says it is written: its code one of
 * the policy's or the entry's, in its list, with its measure, and its effect its own or an
 * on_exceed; no code twice.
 */
class Limits {
  private readonly byCode = new Map<LimitCode, LimitDoc>();

  constructor(doc: Doc, of: 'tool' | 'policy', reasons: PolicyReasons) {
    for (const name of of === 'tool' ? (['over', 'under'] as const) : (['over'] as const)) {
      const items = list(doc, name);
      for (let i = 0; i < items.length; i++) {
        const item = object(items, i);
        const code = oneOf(item, 'code', LIMITS, 'the code of a limit');
        const spec = LIMITS[code];
        if (spec.of !== of || spec.list !== name) {
          const codes = Object.entries(LIMITS).filter(([, s]) => s.of === of && s.list === name);
          refuse(item, 'code', `one of ${codes.map(([c]) => c).join(', ')}`);
        }
        if (this.byCode.has(code)) refuse(item, 'code', 'a code no other limit of the list has');
        const measure = spec.measure;
        if (own(item, 'measure') !== measure) refuse(item, 'measure', JSON.stringify(measure));
        const effect = 'effect' in spec ? spec.effect : oneOf(item, 'effect', EXCEED_EFFECTS);
        if (own(item, 'effect') !== effect) refuse(item, 'effect', JSON.stringify(effect));
        const limit = number(item, 'limit');
        this.byCode.set(code, { limit, effect, reason: reasons.template(item) });
      }
    }
  }

  exceed(code: LimitCode): LimitIR | undefined {
    const doc = this.byCode.get(code);
    return doc && { limit: doc.limit, onExceed: doc.effect, reason: doc.reason };
  }

  bound(code: LimitCode): { limit: number; reason: ReasonTemplate } | undefined {
    const doc = this.byCode.get(code);
    return doc && { limit: doc.limit, reason: doc.reason };
  }

  has(code: LimitCode): boolean {
    return this.byCode.has(code);
  }
}

const AMOUNT_LIMITS = (Object.keys(LIMITS) as LimitCode[]).filter(
  (code) => LIMITS[code].measure === 'amount',
);

function toolIr(doc: Doc, reasons: PolicyReasons): ToolIR {
  const params = paramsIr(doc, reasons);
  const conditions = new ConditionTree(object(doc, 'conditions'));
  const ruleDocs = list(doc, 'rules');
  const actions = own(doc, 'actions') === '*' ? '*' : strings(doc, 'actions');
  const tool: ToolIR = {
    name: string(doc, 'name'),
    actions,
    source: sourceRef(doc, 'source'),
    params,
    rules: ruleDocs.map((_, i): RuleIR => {
      const rule = object(ruleDocs, i);
      return {
        reason: reasons.template(rule),
        when: conditions.condition(rule, 'when'),
        effect: oneOf(rule, 'effect', EFFECTS),
        redact: paths(rule, 'redact'),
        source: sourceRef(rule, 'source'),
      };
    }),
  };
  const limits = new Limits(object(doc, 'limits'), 'tool', reasons);
  if (has(doc, 'amount')) tool.amount = amountIr(object(doc, 'amount'), limits, reasons);
  else if (AMOUNT_LIMITS.some((code) => limits.has(code))) {
    // The Rego compares an amount limit with no amount at all; the IR has nowhere to keep one.
    refuse(doc, 'amount', 'present, as the entry has amount limits');
  }
  const rateLimit = limits.exceed('rate_limited');
  const budget = limits.exceed('budget_exceeded');
  if (rateLimit !== undefined) tool.rateLimit = rateLimit;
  if (budget !== undefined) tool.budget = budget;
  if (has(doc, 'sanitize')) {
    const sanitize = object(doc, 'sanitize');
    const matcherDocs = list(sanitize, 'matchers');
    const matchers = matcherDocs.map((_, i) => {
      const matcher = object(matcherDocs, i);
      return { name: string(matcher, 'name'), regex: string(matcher, 'regex') };
    });
    derived(sanitize, 'scan', scanDoc(matchers), 'the scan of its matchers');
    tool.sanitize = {
      redact: paths(sanitize, 'redact'),
      matchers,
      reason: reasons.template(sanitize),
    };
  }
  return tool;
}

/**
 * The entry's params checks with their operators, which `tests` lists by group, each with the
 * positions of its check and of itself in the check (`at`: every position once) and the
 * check's path from the input's root, which the Rego reads the value at.
 */
function paramsIr(doc: Doc, reasons: PolicyReasons): ParamCheckIR[] {
  const paramDocs = list(doc, 'params');
  const params: ParamCheckIR[] = paramDocs.map((_, i) => {
    const check = object(paramDocs, i);
    return {
      path: strings(check, 'path'),
      optional: boolean(check, 'optional'),
      missing: reasons.template(object(check, 'missing')),
      operators: [],
    };
  });
  const required = list(doc, 'required');
  let r = 0;
  params.forEach((check, i) => {
    if (!check.optional && required[r++] !== i) refuse(doc, 'required', REQUIRED);
  });
  if (r !== required.length) refuse(doc, 'required', REQUIRED);
  const tests = object(doc, 'tests');
  const groups = TEST_GROUP_NAMES.map((group) => list(tests, group));
  const count = groups.reduce((n, items) => n + items.length, 0);
  for (const [g, items] of groups.entries()) {
    for (let k = 0; k < items.length; k++) {
      const test = object(items, k);
      const at = list(test, 'at');
      if (at.length !== 2) refuse(test, 'at', 'two positions');
      const check = params[index(at, 0)] ?? refuse(at, 0, 'the position of a params check');
      const j = index(at, 1);
      if (j >= count) refuse(at, 1, "a position below the number of the check's tests");
      if (j in check.operators) refuse(at, 1, "a position no other of the check's tests has");
      const path = list(test, 'path');
      if (path.length !== check.path.length + 1 || path[0] !== 'params') {
        refuse(test, 'path', "its check's path from the input's root");
      }
      check.path.forEach((key, n) => {
        if (path[n + 1] !== key) refuse(test, 'path', "its check's path from the input's root");
      });
      const op = operator(test, TEST_GROUP_NAMES[g] as TestGroup);
      check.operators[j] = { op, value: operand(test, op), reason: reasons.template(test) };
    }
  }
  // No position twice (above), nor one left out: each check's positions are 0 to n - 1.
  params.forEach((check, i) => {
    const last = check.operators.length - 1;
    for (let j = 0; j < last; j++) {
      if (j in check.operators) continue;
      const at = groups.flat().map((test) => (test as Doc).at as unknown[]);
      const beyond = at.find((position) => position[0] === i && position[1] === last) ?? [];
      refuse(beyond, 1, "a position below the number of the check's tests");
    }
  });
  return params;
}

const REQUIRED = 'the positions of the params that are not optional';

const TEST_GROUP_NAMES = Object.keys(TEST_GROUPS) as (keyof typeof TEST_GROUPS)[];

function amountIr(doc: Doc, limits: Limits, reasons: PolicyReasons): AmountIR {
  const amount: AmountIR = {
    path: strings(doc, 'param'),
    invalid: reasons.template(object(doc, 'invalid')),
  };
  const max = limits.bound('amount_over_max');
  const min = limits.bound('amount_under_min');
  const approvalOver = limits.bound('amount_needs_approval');
  if (max !== undefined) amount.max = max;
  if (min !== undefined) amount.min = min;
  if (approvalOver !== undefined) amount.approvalOver = approvalOver;
  return amount;
}
