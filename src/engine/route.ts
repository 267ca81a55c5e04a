/**
 * Steps 2 to 5's lookups for one call: its policy, and the tool entry its tool and action
 * select. They depend on the call's ids alone, so a replay, which passes the same interned ids
 * object for every call with the same (agent, tenant, tool, action), has them worked out once
 * per ids object and policy set instead of once per event.
 */
import type { PolicyIR, PolicySetIR, ToolIR } from '../compiler/ir.js';
import type { DecisionInput } from './decision-input.js';
import { findPolicy, type PolicyEntry, type PolicyIndex, policyIndex } from './policy-index.js';
import { type ToolPlan, toolPlan } from './tool-plan.js';

export interface Route {
  ir: PolicySetIR;
  index: PolicyIndex;
  /** Undefined: no_policy. */
  found:
    | {
        policy: PolicyIR;
        entry: PolicyEntry;
        /** Undefined: tool_not_allowed. */
        tool:
          | {
              /** Undefined: action_not_allowed. */
              entry: { ir: ToolIR; plan: ToolPlan } | undefined;
            }
          | undefined;
      }
    | undefined;
}

const MAX_ROUTES = 4;

export function routeOf(ir: PolicySetIR, call: DecisionInput): Route {
  const ids = call.overlay?.ids;
  if (!ids) return lookUp(ir, call);
  // One route per policy set that evaluated these ids (a replay has one or two; the cap only
  // keeps a caller that reuses one ids object across many sets from growing the list).
  ids.routes ??= [];
  const routes = ids.routes;
  for (const route of routes) if (route.ir === ir) return route;
  if (routes.length >= MAX_ROUTES) routes.length = 0;
  const route = lookUp(ir, call);
  routes.push(route);
  return route;
}

function lookUp(ir: PolicySetIR, call: DecisionInput): Route {
  const index = policyIndex(ir);
  const policy = findPolicy(index, call.agentId, call.tenant);
  if (!policy) return { ir, index, found: undefined };
  const entry = index.entries.get(policy);
  if (!entry) throw new Error('evaluate: a policy missing from its index');
  const tools = entry.tools.get(call.toolName);
  if (!tools) return { ir, index, found: { policy, entry, tool: undefined } };
  const tool =
    (call.action !== undefined ? tools.byAction.get(call.action) : undefined) ?? tools.wildcard;
  return {
    ir,
    index,
    found: {
      policy,
      entry,
      tool: { entry: tool ? { ir: tool, plan: toolPlan(tool) } : undefined },
    },
  };
}
