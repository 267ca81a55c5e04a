import type { PolicyRule } from './rule.js';
import { paramConstraintSites } from './support/param-sites.js';

/**
 * Operators on one parameter that need different JSON types (`type: number` with `matches`,
 * `gt` with `prefix`): every call with the parameter is denied. The JSON Schema already types
 * each operand on its own (and reports `lt: "5"` under this code itself); this rule sees the
 * combinations it cannot express. In a `when`, the same finding is condition-never-holds.
 */
export const operatorTypeMismatch: PolicyRule = {
  id: 'operator-type-mismatch',
  check(policies, report) {
    for (const { at, path, contradiction: found, consequence } of paramConstraintSites(policies)) {
      if (found?.kind !== 'type') continue;
      report(at, found.at.pointer, `parameter \`${path}\`: ${found.message}, ${consequence}`, {
        hint: 'keep the operators of one type, or split the checks across parameters',
      });
    }
  },
};
