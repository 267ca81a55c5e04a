/** Every rule id a decision from this IR can cite (docs/semantics.md's reason table). */
import type { PolicyIR, PolicySetIR, ReasonTemplate } from './ir.js';

export function ruleIds(ir: PolicySetIR): Set<string> {
  const ids = new Set([ir.invalidInput.rule, ir.noPolicy.rule]);
  for (const policy of ir.policies) addRuleIds(policy, ids);
  return ids;
}

export function countRuleIds(ir: PolicySetIR): number {
  return ruleIds(ir).size;
}

/**
 * countRuleIds, a policy at a time, without a set of every id of the run (a hundred thousand
 * strings for a thousand agents, each hashed into one big table): each policy's own ids are
 * counted apart, and the counts add up when no two policies can share an id. Every id of a
 * policy begins with its prefix and a slash (`<tenant or _>/<agent>/`), so two policies can
 * share one only when one's prefix-and-slash begins the other's (tenant `_` beside a global
 * policy, or names with slashes); then `total` says so, and the caller counts them all.
 * The two ids of steps 1 and 2 have one slash, and a policy's at least two.
 */
export class RuleIdCount {
  private sum = 2;
  private readonly prefixes: string[] = [];

  add(policy: PolicyIR): void {
    const ids = new Set<string>();
    addRuleIds(policy, ids);
    this.sum += ids.size;
    this.prefixes.push(`${policy.prefix}/`);
  }

  /** The number of distinct ids, or undefined when two policies could share one. */
  total(): number | undefined {
    // Sorted, a string comes right before the strings it begins (or one that it also begins).
    const sorted = this.prefixes.sort();
    for (let i = 1; i < sorted.length; i++) {
      if ((sorted[i] as string).startsWith(sorted[i - 1] as string)) return undefined;
    }
    return this.sum;
  }
}

/** The rule ids of one policy. */
function addRuleIds(policy: PolicyIR, ids: Set<string>): void {
  const add = (r: ReasonTemplate | undefined) => {
    if (r) ids.add(r.rule);
  };
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
