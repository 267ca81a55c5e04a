/**
 * Lookup tables built once per IR object (a WeakMap keyed by the IR), so that a decision costs
 * the same for one agent or a hundred thousand. Besides the lookups, each policy's entry holds
 * what its decisions carry that does not depend on the call (the reasons of steps 2 to 5 and
 * the policy's `{agent, tenant}`), made once and frozen, so that decisions share them.
 */
import type { PolicyIR, PolicySetIR, ReasonTemplate, ToolIR } from '../compiler/ir.js';
import type { Effect } from '../policy/types.js';
import type { Reason, ReasonCode } from './decision.js';

export interface ToolIndex {
  /** Explicit entries by action. */
  byAction: Map<string, ToolIR>;
  /** The `actions: ["*"]` (or absent) entry. */
  wildcard?: ToolIR;
}

/** A policy's lookups and fixed parts. */
export interface PolicyEntry {
  tools: Map<string, ToolIndex>;
  /** Lower-cased host patterns: `*`, exact names, and the `.suffix` of each `*.suffix`. */
  egress: { any: boolean; exact: Set<string>; suffixes: readonly string[] };
  regionDenied: Reason;
  egressDenied: Reason;
  toolNotAllowed: Reason;
  actionNotAllowed: Reason;
  rateLimit: LimitPlan | undefined;
  budget: LimitPlan | undefined;
  /** The decision's `policy` member. */
  doc: { agent: string; tenant?: string };
}

export interface PolicyIndex {
  global: Map<string, PolicyIR>;
  /** tenant -> agent -> policy; nested so no separator can make two identities collide. */
  tenants: Map<string, Map<string, PolicyIR>>;
  entries: Map<PolicyIR, PolicyEntry>;
  invalidInput: Reason;
  noPolicy: Reason;
}

const cache = new WeakMap<PolicySetIR, PolicyIndex>();

export function policyIndex(ir: PolicySetIR): PolicyIndex {
  let index = cache.get(ir);
  if (!index) {
    index = buildIndex(ir);
    cache.set(ir, index);
  }
  return index;
}

/**
 * A reason as decisions carry it, made once per (code, effect, template) and frozen, so that
 * every decision giving it can share it.
 */
export function fixedReason(code: ReasonCode, effect: Effect, template: ReasonTemplate): Reason {
  return Object.freeze({ code, effect, rule: template.rule, message: template.message });
}

/** A limit and the reason a call past it gets. */
export interface LimitPlan {
  limit: number;
  reason: Reason;
}

/** A limit of the IR with the reason a call past it gets, made once (fixedReason). */
export function limitPlan(
  code: ReasonCode,
  effect: Effect,
  limit: { limit: number; reason: ReasonTemplate },
): LimitPlan {
  return { limit: limit.limit, reason: fixedReason(code, effect, limit.reason) };
}

function buildIndex(ir: PolicySetIR): PolicyIndex {
  const index: PolicyIndex = {
    global: new Map(),
    tenants: new Map(),
    entries: new Map(),
    invalidInput: fixedReason('invalid_input', 'deny', ir.invalidInput),
    noPolicy: fixedReason('no_policy', 'deny', ir.noPolicy),
  };
  for (const policy of ir.policies) {
    if (policy.tenant === undefined) {
      if (!index.global.has(policy.agent)) index.global.set(policy.agent, policy);
    } else {
      let agents = index.tenants.get(policy.tenant);
      if (!agents) {
        agents = new Map();
        index.tenants.set(policy.tenant, agents);
      }
      if (!agents.has(policy.agent)) agents.set(policy.agent, policy);
    }
    index.entries.set(policy, policyEntry(policy));
  }
  return index;
}

function policyEntry(policy: PolicyIR): PolicyEntry {
  const { denials, rateLimit, budget } = policy;
  return {
    tools: toolIndex(policy.tools),
    egress: {
      any: policy.egress.includes('*'),
      exact: new Set(policy.egress),
      suffixes: policy.egress.filter((p) => p.startsWith('*.')).map((p) => p.slice(1)),
    },
    regionDenied: fixedReason('region_denied', 'deny', denials.region),
    egressDenied: fixedReason('egress_denied', 'deny', denials.egress),
    toolNotAllowed: fixedReason('tool_not_allowed', 'deny', denials.tool),
    actionNotAllowed: fixedReason('action_not_allowed', 'deny', denials.action),
    rateLimit: rateLimit && limitPlan('agent_rate_limited', rateLimit.onExceed, rateLimit),
    budget: budget && limitPlan('agent_budget_exceeded', budget.onExceed, budget),
    doc: Object.freeze(
      policy.tenant === undefined
        ? { agent: policy.agent }
        : { agent: policy.agent, tenant: policy.tenant },
    ),
  };
}

function toolIndex(tools: readonly ToolIR[]): Map<string, ToolIndex> {
  const byName = new Map<string, ToolIndex>();
  for (const tool of tools) {
    let entry = byName.get(tool.name);
    if (!entry) {
      entry = { byAction: new Map() };
      byName.set(tool.name, entry);
    }
    // Overlapping entries are a validate error; should one slip through, the first one wins.
    if (tool.actions === '*') entry.wildcard ??= tool;
    else
      for (const action of tool.actions)
        if (!entry.byAction.has(action)) entry.byAction.set(action, tool);
  }
  return byName;
}

export function findPolicy(
  index: PolicyIndex,
  agent: string,
  tenant: string | undefined,
): PolicyIR | undefined {
  if (tenant !== undefined) {
    const scoped = index.tenants.get(tenant)?.get(agent);
    if (scoped) return scoped;
  }
  return index.global.get(agent);
}

/** `*` any host; `*.suffix` any host ending in `.suffix` (any depth, not the apex); else exact. */
export function hostAllowed(egress: PolicyEntry['egress'], host: string): boolean {
  if (egress.any || egress.exact.has(host)) return true;
  for (const suffix of egress.suffixes) if (host.endsWith(suffix)) return true;
  return false;
}
