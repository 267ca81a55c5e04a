import { isObject } from '../../engine/json.js';
import type { TraceEvent } from '../types.js';

type Recorded = NonNullable<TraceEvent['recorded']>;

/**
 * `{ decision, outcome }` of a recorded decision document (or of anything shaped like one),
 * keeping only string fields; undefined when neither is there, so that "nothing recorded"
 * and "recorded nothing usable" read the same to the replay. Assigned field by field rather
 * than spread: this runs once per line of a trace, and spreads showed up in profiles.
 */
export function recordedDecision(value: unknown): Recorded | undefined {
  if (!isObject(value)) return undefined;
  const { decision, outcome } = value;
  if (typeof decision !== 'string' && typeof outcome !== 'string') return undefined;
  const recorded: Recorded = {};
  if (typeof decision === 'string') recorded.decision = decision;
  if (typeof outcome === 'string') recorded.outcome = outcome;
  return recorded;
}
