/**
 * The policies as OPA data: `data.aegis.policies.tenants[<tenant>][<agent>]` and
 * `data.aegis.policies.global[<agent>]`, each the normalized policy with its rule ids,
 * messages and source lines. The keys are what the decision looks a call's policy up by, so
 * finding it does not grow with the number of policies, and data (unlike Rego rules or
 * constants, which OPA compiles one by one) loads fast for tens of thousands of agents.
 *
 * Keys are snake_case as in the policy files, so that a reviewer reading data.json next to
 * the YAML finds the same names. `when` conditions are flattened (see conditionNodes).
 */
import type { JsonValue } from '../../policy/types.js';
import type {
  AmountIR,
  ConditionIR,
  LimitIR,
  PolicyIR,
  PolicySetIR,
  ReasonTemplate,
  SourceRef,
  ToolIR,
} from '../ir.js';

type Json = JsonValue;
type JsonObject = { [key: string]: Json };

export interface PolicyData {
  /** The deepest condition node (0: tests and time windows only). */
  maxHeight: number;
  /** The most matchers any entry applies in turn. */
  maxMatchers: number;
  data: JsonObject;
}

export function policyData(ir: PolicySetIR): PolicyData {
  const tenants: Record<string, JsonObject> = {};
  const global: JsonObject = {};
  const stats = { maxHeight: 0, maxMatchers: 0 };
  for (const policy of ir.policies) {
    const doc = policyDoc(policy, stats);
    if (policy.tenant === undefined) {
      setOwn(global, policy.agent, doc);
    } else {
      const agents = Object.hasOwn(tenants, policy.tenant) ? tenants[policy.tenant] : undefined;
      if (agents === undefined) {
        const fresh: JsonObject = {};
        setOwn(fresh, policy.agent, doc);
        setOwn(tenants, policy.tenant, fresh);
      } else {
        setOwn(agents, policy.agent, doc);
      }
    }
  }
  return { ...stats, data: { aegis: { policies: { tenants, global } } } };
}

/** `obj[key] = value` that also works for a key named `__proto__`. */
function setOwn(obj: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function source(ref: SourceRef): string {
  return `${ref.file}:${ref.line}`;
}

function reason(template: ReasonTemplate): JsonObject {
  return { rule: template.rule, message: template.message };
}

function limit(ir: LimitIR): JsonObject {
  return { limit: ir.limit, on_exceed: ir.onExceed, ...reason(ir.reason) };
}

function policyDoc(
  policy: PolicyIR,
  stats: { maxHeight: number; maxMatchers: number },
): JsonObject {
  const doc: JsonObject = {
    policy:
      policy.tenant === undefined
        ? { agent: policy.agent }
        : { agent: policy.agent, tenant: policy.tenant },
    mode: policy.mode,
    source: source(policy.source),
  };
  if (policy.regions !== undefined) doc.regions = [...policy.regions];
  doc.egress = [...policy.egress];
  doc.denials = {
    region: reason(policy.denials.region),
    egress: reason(policy.denials.egress),
    tool: reason(policy.denials.tool),
    action: reason(policy.denials.action),
  };
  doc.tools = policy.tools.map((tool) => toolDoc(tool, stats));
  if (policy.rateLimit !== undefined) doc.rate_limit = limit(policy.rateLimit);
  if (policy.budget !== undefined) doc.budget = limit(policy.budget);
  return doc;
}

function toolDoc(tool: ToolIR, stats: { maxHeight: number; maxMatchers: number }): JsonObject {
  const doc: JsonObject = {
    name: tool.name,
    actions: tool.actions === '*' ? '*' : [...tool.actions],
    source: source(tool.source),
    params: tool.params.map((check) => ({
      path: [...check.path],
      optional: check.optional,
      missing: reason(check.missing),
      operators: check.operators.map((operator) => ({
        op: operator.op,
        value: operator.value,
        ...reason(operator.reason),
      })),
    })),
  };
  if (tool.amount !== undefined) doc.amount = amountDoc(tool.amount);
  doc.rules = tool.rules.map((rule) => {
    const nodes = conditionNodes(rule.when);
    for (const node of nodes) stats.maxHeight = Math.max(stats.maxHeight, Number(node.height));
    return {
      ...reason(rule.reason),
      effect: rule.effect,
      source: source(rule.source),
      redact: rule.redact.map((path) => [...path]),
      when: nodes.length - 1,
      nodes,
    };
  });
  if (tool.rateLimit !== undefined) doc.rate_limit = limit(tool.rateLimit);
  if (tool.budget !== undefined) doc.budget = limit(tool.budget);
  if (tool.sanitize !== undefined) {
    stats.maxMatchers = Math.max(stats.maxMatchers, tool.sanitize.matchers.length);
    doc.sanitize = {
      redact: tool.sanitize.redact.map((path) => [...path]),
      matchers: tool.sanitize.matchers.map((m) => ({ name: m.name, regex: m.regex })),
      ...reason(tool.sanitize.reason),
    };
  }
  return doc;
}

function amountDoc(amount: AmountIR): JsonObject {
  const doc: JsonObject = { param: [...amount.path], invalid: reason(amount.invalid) };
  if (amount.max !== undefined)
    doc.max_amount = { limit: amount.max.limit, ...reason(amount.max.reason) };
  if (amount.min !== undefined)
    doc.min_amount = { limit: amount.min.limit, ...reason(amount.min.reason) };
  if (amount.approvalOver !== undefined) {
    doc.approval_needed_over = {
      limit: amount.approvalOver.limit,
      ...reason(amount.approvalOver.reason),
    };
  }
  return doc;
}

/**
 * A condition tree as a list of nodes, children before their parent (the root is last), each
 * with its height: 0 for a test or a time window, else one more than its tallest child. Rego
 * has no recursion; the conditions package decides the nodes height by height.
 */
export function conditionNodes(when: ConditionIR): JsonObject[] {
  const nodes: JsonObject[] = [];
  const visit = (c: ConditionIR): { index: number; height: number } => {
    let node: JsonObject;
    let height = 0;
    switch (c.kind) {
      case 'param':
      case 'field':
        node = {
          kind: c.kind,
          height: 0,
          path: [...c.path],
          tests: c.tests.map((t) => ({ op: t.op, value: t.value })),
        };
        break;
      case 'time':
        node = {
          kind: 'time',
          height: 0,
          tz: c.tz,
          days: c.days === undefined ? null : [...c.days],
          hours: c.hours === undefined ? null : { start: c.hours.start, end: c.hours.end },
        };
        break;
      case 'all':
      case 'any':
      case 'not': {
        const children = (c.kind === 'not' ? [c.of] : c.of).map(visit);
        height = 1 + Math.max(0, ...children.map((child) => child.height));
        node = { kind: c.kind, height, of: children.map((child) => child.index) };
        break;
      }
    }
    nodes.push(node);
    return { index: nodes.length - 1, height };
  };
  visit(when);
  return nodes;
}
