import type { PolicyRule } from './rule.js';
import { conditionKinds, conditionSites, isRecord, operatorsIn } from './support/walk.js';

const KIND_LIST = '`param`, `field`, `time`, `all`, `any` or `not`';

/**
 * POLICY-LANGUAGE.md section 2, "Rule conditions": a condition is exactly one kind; a
 * `param`/`field` test needs an operator; a `time` window needs `days` or `hours`; operators
 * mean nothing beside `time`, `all`, `any` or `not`. The JSON Schema lists the allowed keys
 * but not these combinations. One diagnostic per node: the first problem found.
 */
export const invalidCondition: PolicyRule = {
  id: 'invalid-condition',
  check(policies, report) {
    for (const { site, condition, pointer } of conditionSites(policies)) {
      const { at } = site;
      const kinds = conditionKinds(condition);
      const operators = operatorsIn(condition);
      const [kind, second] = kinds;
      if (kind === undefined) {
        const shown = operators.map((op) => `\`${op}\``).join(', ');
        report(at, pointer, `condition has none of ${KIND_LIST}`, {
          hint: operators.length
            ? `add \`param: <path>\` or \`field: <path>\` to say what ${shown} tests`
            : 'write a test such as `{ param: amount, gt: 100 }`',
        });
        continue;
      }
      if (second !== undefined) {
        report(
          at,
          `${pointer}/${second}`,
          `condition has both \`${kind}\` and \`${second}\`; it must be exactly one of ${KIND_LIST}`,
          {
            hint: 'put each in its own condition and combine them with `all: [...]` or `any: [...]`',
            target: 'key',
          },
        );
        continue;
      }
      if (kind === 'param' || kind === 'field') {
        if (operators.length === 0) {
          report(
            at,
            `${pointer}/${kind}`,
            `\`${kind}\` test on \`${String(condition[kind])}\` has no operator`,
            {
              hint: 'add one beside it, e.g. `eq`, `in`, `gt` or `matches`',
            },
          );
        }
        continue;
      }
      if (kind === 'time' && isRecord(condition.time)) {
        if (!('days' in condition.time) && !('hours' in condition.time)) {
          report(at, `${pointer}/time`, 'time condition needs `days` or `hours`', {
            hint: 'e.g. `time: { days: [sat, sun] }` or `time: { hours: "09:00-17:00" }`',
          });
          continue;
        }
      }
      for (const op of operators) {
        report(
          at,
          `${pointer}/${op}`,
          `operator \`${op}\` does not apply to ${kind === 'all' || kind === 'any' ? 'an' : 'a'} \`${kind}\` condition`,
          {
            hint: 'operators go beside `param` or `field`, in a condition of their own',
            target: 'key',
          },
        );
      }
    }
  },
};
