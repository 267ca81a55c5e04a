/**
 * `package aegis.lib`: the generic helpers of the decision (input checks and accessors,
 * operators, tools, egress, time, scrubbing), in four files by concern. The same text for
 * every policy set except the unrolled scrub chain, whose length is the most matchers any
 * entry applies. Written exactly as `opa fmt` writes it (tabs included).
 *
 * One OPA behaviour shapes all of it: `not f(ref)` with `ref` undefined is undefined, not
 * true (OPA evaluates a call's arguments outside the negation), so negations only ever apply
 * to bound variables, refs and rules.
 */
import type { RegoModule } from './emit-rego.js';
import { INPUT_MODULE } from './lib/input.js';
import { MATCH_MODULE } from './lib/match.js';
import { OPERATORS_MODULE } from './lib/operators.js';
import { scrubModule } from './lib/scrub.js';

export function libModules(maxMatchers: number): RegoModule[] {
  return [INPUT_MODULE, OPERATORS_MODULE, MATCH_MODULE, scrubModule(maxMatchers)];
}
