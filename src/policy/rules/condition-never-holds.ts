import type { PolicyRule } from './rule.js';
import { findContradiction } from './support/contradiction.js';
import {
  type ConditionRecord,
  conditionKinds,
  conditionSites,
  isRecord,
  type OperatorEntry,
  operatorEntries,
} from './support/walk.js';

/**
 * Parts of a `when` that can never be true: `any: []`, operators on one path that exclude
 * each other (in one test, or across the tests directly inside one `all`), such as `in: []`,
 * `gt: 5` with `lt: 3`, or `type: number` with `matches`. The rule still loads, so a warning;
 * each cause is reported once, where it is written. Nodes with an invalid shape are left to
 * invalid-condition. (`days: []` is an error of the schema, `minItems`: a `deny` rule on an
 * empty window would be a hole nobody sees, so it is refused rather than warned about.)
 */
export const conditionNeverHolds: PolicyRule = {
  id: 'condition-never-holds',
  check(policies, report) {
    for (const { site, condition, pointer } of conditionSites(policies)) {
      const { at } = site;
      const kinds = conditionKinds(condition);
      if (kinds.length !== 1) continue;
      const [kind] = kinds;
      if (kind === 'param' || kind === 'field') {
        const found = findContradiction(operatorEntries(condition, pointer));
        if (found) {
          report(
            at,
            found.at.pointer,
            `the test on ${testName(condition)} never holds: ${found.message}`,
          );
        }
      } else if (kind === 'any' && Array.isArray(condition.any) && condition.any.length === 0) {
        report(at, `${pointer}/any`, '`any` is empty, so this condition never holds');
      } else if (kind === 'all' && Array.isArray(condition.all)) {
        for (const { label, entries } of testsByPath(condition.all, `${pointer}/all`)) {
          const found = findContradiction(entries);
          if (found) {
            report(
              at,
              found.at.pointer,
              `the tests on ${label} in this \`all\` never hold together: ${found.message}`,
              {
                hint: 'an `all` needs every test to hold; did you mean `any`?',
              },
            );
          }
        }
      }
    }
  },
};

/** `parameter \`amount\`` or `field \`context.region\``. */
function testName(condition: ConditionRecord): string {
  const [name, path] = testPath(condition) ?? ['condition', ''];
  return `${name} \`${path}\``;
}

function testPath(condition: ConditionRecord): [string, string] | undefined {
  if (typeof condition.param === 'string') return ['parameter', condition.param];
  if (typeof condition.field !== 'string') return undefined;
  // `field: params.amount` reads the same value as `param: amount`.
  if (condition.field.startsWith('params.')) return ['parameter', condition.field.slice(7)];
  return ['field', condition.field];
}

/**
 * The operators of the well-formed `param`/`field` tests directly inside an `all`, merged per
 * path, for paths tested at least twice whose tests are each satisfiable on their own (a test
 * that is not is reported by itself).
 */
function testsByPath(
  children: readonly unknown[],
  pointer: string,
): { label: string; entries: OperatorEntry[] }[] {
  const groups = new Map<string, { label: string; tests: OperatorEntry[][] }>();
  children.forEach((child, i) => {
    if (!isRecord(child) || conditionKinds(child).length !== 1) return;
    const path = testPath(child);
    if (!path) return;
    const key = JSON.stringify(path);
    const group = groups.get(key) ?? { label: testName(child), tests: [] };
    group.tests.push(operatorEntries(child, `${pointer}/${i}`));
    groups.set(key, group);
  });
  return [...groups.values()]
    .filter((g) => g.tests.length > 1 && g.tests.every((t) => !findContradiction(t)))
    .map((g) => ({ label: g.label, entries: g.tests.flat() }));
}
