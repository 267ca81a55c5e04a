/**
 * Lookup tables built once per IR object (a WeakMap keyed by the IR), so that a decision costs
 * the same for one agent or a hundred thousand.
 */
import type { PolicyIR, PolicySetIR, ToolIR } from '../compiler/ir.js';

export interface ToolIndex {
  /** Explicit entries by action. */
  byAction: Map<string, ToolIR>;
  /** The `actions: ["*"]` (or absent) entry. */
  wildcard?: ToolIR;
}

export interface PolicyIndex {
  global: Map<string, PolicyIR>;
  /** tenant -> agent -> policy; nested so no separator can make two identities collide. */
  tenants: Map<string, Map<string, PolicyIR>>;
  tools: Map<PolicyIR, Map<string, ToolIndex>>;
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

function buildIndex(ir: PolicySetIR): PolicyIndex {
  const index: PolicyIndex = { global: new Map(), tenants: new Map(), tools: new Map() };
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
    index.tools.set(policy, toolIndex(policy.tools));
  }
  return index;
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
