import type { PolicyRule } from './rule.js';
import { actionGroups } from './support/actions.js';

/**
 * A tool with an entry for every action and explicit entries too. Lookup takes the explicit
 * entry for its actions (docs/semantics.md, "Tool lookup"), so the wildcard entry's checks do
 * not apply to them, which readers rarely expect. A warning, not overlapping-actions: see the
 * comment there. Reported on the first wildcard entry; later ones are already errors.
 */
export const wildcardBesideExplicit: PolicyRule = {
  id: 'wildcard-beside-explicit',
  check(policies, report) {
    for (const at of policies) {
      for (const group of actionGroups(at.policy)) {
        const [wildcard] = group.wildcards;
        if (!wildcard || group.explicit.length === 0) continue;
        const actions = [...new Set(group.explicit.flatMap((e) => e.actions))];
        const listed = actions.map((a) => `\`${a}\``).join(', ');
        const lines = group.explicit.map((e) => at.source.locate(e.pointer).line);
        const where = `line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}`;
        report(
          at,
          wildcard.actionsPointer,
          `tool \`${group.name}\` has an entry for every action and explicit entries (${where}); calls to ${listed} use the explicit entries, not this one`,
          {
            hint: 'list the remaining actions in this entry instead of `*`, or repeat its checks in the explicit entries',
          },
        );
      }
    }
  },
};
