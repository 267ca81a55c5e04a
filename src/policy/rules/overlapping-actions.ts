import type { PolicyRule } from './rule.js';
import { actionGroups } from './support/actions.js';

/**
 * Two entries of one tool that both claim an action. Which one applies would be decided by
 * list order alone, so the second entry's checks silently never run: an error.
 *
 * Not reported here: a wildcard entry (`actions` absent or `["*"]`) beside explicit entries.
 * That pairing overlaps too, but POLICY-LANGUAGE.md section 7 makes it a warning and every
 * engine resolves it the same way (the explicit entry wins), so wildcard-beside-explicit
 * gives it its one message. Two wildcard entries for one tool are reported here.
 */
export const overlappingActions: PolicyRule = {
  id: 'overlapping-actions',
  check(policies, report) {
    for (const at of policies) {
      for (const group of actionGroups(at.policy)) {
        const [firstWildcard, ...laterWildcards] = group.wildcards;
        for (const entry of laterWildcards) {
          const line = at.source.locate(firstWildcard?.pointer ?? '').line;
          report(
            at,
            entry.actionsPointer,
            `tool \`${group.name}\` already has an entry for every action at line ${line}`,
            { hint: 'merge the two entries; only the first one is ever used' },
          );
        }
        const claimed = new Map<string, string>();
        for (const entry of group.explicit) {
          entry.actions.forEach((action, k) => {
            const earlier = claimed.get(action);
            if (earlier === undefined) return;
            const line = at.source.locate(earlier).line;
            report(
              at,
              `${entry.actionsPointer}/${k}`,
              `action \`${action}\` of tool \`${group.name}\` is already allowed by the entry at line ${line}`,
              { hint: 'list each action in one entry only, or merge the entries' },
            );
          });
          for (const action of entry.actions) {
            if (!claimed.has(action)) claimed.set(action, entry.pointer);
          }
        }
      }
    }
  },
};
