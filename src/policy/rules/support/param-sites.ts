import { encodePointer } from '../../parse.js';
import type { LoadedPolicy } from '../rule.js';
import { type Contradiction, findContradiction } from './contradiction.js';
import { LastOnly } from './last-only.js';
import { type OperatorEntry, operatorEntries, toolSites } from './walk.js';

export interface ParamConstraintSite {
  at: LoadedPolicy;
  /** The dotted parameter path, as written. */
  path: string;
  entries: OperatorEntry[];
  /** What a constraint no value satisfies does: with `optional`, only calls that have it fail. */
  consequence: string;
  /** The first way its operators contradict each other, if any. */
  contradiction: Contradiction | undefined;
}

/**
 * Two rules (operator-type-mismatch, empty-range) report the contradictions of the same
 * constraints, so each constraint is looked at once per validation run.
 */
const cache = new LastOnly<readonly LoadedPolicy[], readonly ParamConstraintSite[]>();

/** The operators of every `params` constraint, in the order they are written. */
export function paramConstraintSites(
  policies: readonly LoadedPolicy[],
): readonly ParamConstraintSite[] {
  return cache.get(policies, () => constraintSites(policies));
}

function constraintSites(policies: readonly LoadedPolicy[]): ParamConstraintSite[] {
  const sites: ParamConstraintSite[] = [];
  for (const { at, tool, pointer } of toolSites(policies)) {
    for (const [path, constraint] of Object.entries(tool.params ?? {})) {
      const entries = operatorEntries(constraint, `${pointer}${encodePointer(['params', path])}`);
      sites.push({
        at,
        path,
        entries,
        consequence: constraint.optional
          ? 'so every call that has it is denied'
          : 'so every call is denied',
        contradiction: findContradiction(entries),
      });
    }
  }
  return sites;
}
