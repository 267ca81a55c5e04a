/** Every rule id a decision from this IR can cite (docs/semantics.md's reason table). */
import type { PolicySetIR, ReasonTemplate } from './ir.js';

export function ruleIds(ir: PolicySetIR): Set<string> {
  const ids = new Set<string>();
  const add = (r: ReasonTemplate | undefined) => {
    if (r) ids.add(r.rule);
  };
  add(ir.invalidInput);
  add(ir.noPolicy);
  for (const policy of ir.policies) {
    if (policy.regions) add(policy.denials.region);
    add(policy.denials.egress);
    add(policy.denials.tool);
    add(policy.denials.action);
    add(policy.rateLimit?.reason);
    add(policy.budget?.reason);
    for (const tool of policy.tools) {
      for (const check of tool.params) {
        add(check.missing);
        for (const op of check.operators) add(op.reason);
      }
      add(tool.amount?.invalid);
      add(tool.amount?.max?.reason);
      add(tool.amount?.min?.reason);
      add(tool.amount?.approvalOver?.reason);
      for (const rule of tool.rules) add(rule.reason);
      add(tool.rateLimit?.reason);
      add(tool.budget?.reason);
      add(tool.sanitize?.reason);
    }
  }
  return ids;
}

export function countRuleIds(ir: PolicySetIR): number {
  return ruleIds(ir).size;
}
