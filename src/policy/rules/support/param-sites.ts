import { encodePointer } from '../../parse.js';
import type { LoadedPolicy } from '../rule.js';
import { type OperatorEntry, operatorEntries, toolSites } from './walk.js';

export interface ParamConstraintSite {
  at: LoadedPolicy;
  /** The dotted parameter path, as written. */
  path: string;
  entries: OperatorEntry[];
  /** What a constraint no value satisfies does: with `optional`, only calls that have it fail. */
  consequence: string;
}

/** The operators of every `params` constraint, in the order they are written. */
export function* paramConstraintSites(
  policies: readonly LoadedPolicy[],
): Generator<ParamConstraintSite> {
  for (const { at, tool, pointer } of toolSites(policies)) {
    for (const [path, constraint] of Object.entries(tool.params ?? {})) {
      const base = `${pointer}${encodePointer(['params', path])}`;
      const consequence = constraint.optional
        ? 'so every call that has it is denied'
        : 'so every call is denied';
      yield { at, path, entries: operatorEntries(constraint, base), consequence };
    }
  }
}
