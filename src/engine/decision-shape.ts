/**
 * Whether a value an engine outside this process handed back (OPA's answer) has the shape of a
 * decision document (`schemas/decision.schema.json`): enough that the commands reading it
 * (eval's printing, the simulator's counters, test's comparisons) cannot trip over it. Members
 * beyond the document's are not looked at; eval prints only the document's own.
 */
import type { Effect, Mode } from '../policy/types.js';
import type { Outcome } from './decision.js';
import { isObject } from './json.js';

const OUTCOMES = ['allow', 'deny', 'approval_needed', 'sanitize'] as const satisfies Outcome[];
const EFFECTS = ['deny', 'approval_needed', 'sanitize'] as const satisfies Effect[];
const MODES = ['enforce', 'shadow'] as const satisfies Mode[];

/** What is wrong with `value` as a decision, as `/pointer what`; undefined when nothing is. */
export function decisionShapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not an object';
  const oneOf = (key: string, allowed: readonly string[]) =>
    typeof value[key] === 'string' && allowed.includes(value[key])
      ? undefined
      : `/${key} is not one of ${allowed.join(', ')}`;
  const problem =
    oneOf('decision', OUTCOMES) ??
    oneOf('outcome', OUTCOMES) ??
    (typeof value.allow === 'boolean' ? undefined : '/allow is not a boolean') ??
    oneOf('mode', MODES) ??
    listProblem(value.reasons, '/reasons', reasonProblem) ??
    listProblem(value.redactions, '/redactions', (r) => stringsProblem(r, ['path', 'by'])) ??
    (isObject(value.params) ? undefined : '/params is not an object');
  if (problem !== undefined || value.policy === undefined) return problem;
  if (!isObject(value.policy)) return '/policy is not an object';
  const policy = stringsProblem(value.policy, ['agent']);
  if (policy !== undefined) return `/policy${policy}`;
  return value.policy.tenant === undefined || typeof value.policy.tenant === 'string'
    ? undefined
    : '/policy/tenant is not a string';
}

function listProblem(
  value: unknown,
  pointer: string,
  item: (value: unknown) => string | undefined,
): string | undefined {
  if (!Array.isArray(value)) return `${pointer} is not a list`;
  for (const [i, element] of value.entries()) {
    const problem = item(element);
    if (problem !== undefined) return `${pointer}/${i}${problem}`;
  }
  return undefined;
}

function reasonProblem(value: unknown): string | undefined {
  const strings = stringsProblem(value, ['code', 'effect', 'rule', 'message']);
  if (strings !== undefined) return strings;
  const effect = (value as Record<string, unknown>).effect;
  return EFFECTS.includes(effect as Effect)
    ? undefined
    : `/effect is not one of ${EFFECTS.join(', ')}`;
}

function stringsProblem(value: unknown, keys: readonly string[]): string | undefined {
  if (!isObject(value)) return ' is not an object';
  const missing = keys.find((key) => typeof value[key] !== 'string');
  return missing === undefined ? undefined : `/${missing} is not a string`;
}
