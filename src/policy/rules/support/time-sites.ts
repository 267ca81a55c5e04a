import type { LoadedPolicy } from '../rule.js';
import { conditionSites, isRecord } from './walk.js';

export interface TimeSite {
  at: LoadedPolicy;
  /** The `time` object. */
  window: Record<string, unknown>;
  /** Pointer to the `time` object. */
  pointer: string;
}

/** Every `time` window in every `when`, whatever the shape of the condition around it. */
export function* timeSites(policies: readonly LoadedPolicy[]): Generator<TimeSite> {
  for (const { site, condition, pointer } of conditionSites(policies)) {
    if (isRecord(condition.time)) {
      yield { at: site.at, window: condition.time, pointer: `${pointer}/time` };
    }
  }
}
