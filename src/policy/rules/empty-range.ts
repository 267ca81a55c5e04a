import type { PolicyRule } from './rule.js';
import { paramConstraintSites } from './support/param-sites.js';

/**
 * Bounds on one parameter that no value satisfies (`gte: 10` with `lte: 5`, `min_length`
 * above `max_length`, `in: []`, an `eq` the other operators rule out): every call that has
 * the parameter is denied (and, unless it is `optional`, every call). In a `when`, the same
 * finding is condition-never-holds.
 */
export const emptyRange: PolicyRule = {
  id: 'empty-range',
  check(policies, report) {
    for (const { at, path, contradiction: found, consequence } of paramConstraintSites(policies)) {
      if (found?.kind !== 'empty') continue;
      report(at, found.at.pointer, `parameter \`${path}\`: ${found.message}, ${consequence}`, {
        hint: 'loosen the bounds so that some value passes',
      });
    }
  },
};
