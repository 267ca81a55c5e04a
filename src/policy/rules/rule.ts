import type { DiagnosticCode } from '../../diagnostics.js';
import type { LocateTarget, SourceDocument } from '../parse.js';
import type { AgentPolicy } from '../types.js';

/** A document that passed the JSON Schema, with its source for locating diagnostics. */
export interface LoadedPolicy {
  source: SourceDocument;
  policy: AgentPolicy;
}

export interface ReportExtra {
  hint?: string;
  /** Point at the key instead of the value (default 'value'). */
  target?: LocateTarget;
}

/** Report a problem at `pointer` (a JSON pointer into `at`'s document). */
export type Report = (
  at: LoadedPolicy,
  pointer: string,
  message: string,
  extra?: ReportExtra,
) => void;

/**
 * A semantic check (POLICY-LANGUAGE.md section 7). The id is the diagnostic code, the README
 * anchor and the name `--ignore` takes; the severity comes from DIAGNOSTIC_CODES.
 *
 * `check` is given one policy at a time, unless the rule says `across: true` (duplicates):
 * then it sees every policy of the run at once. One at a time keeps what a rule builds while
 * it looks (sites, pointers, operator lists) short-lived: built for a thousand policies at
 * once, it outlived the young generation and the garbage collector copied all of it.
 */
export interface PolicyRule {
  id: DiagnosticCode;
  across?: true;
  check(policies: readonly LoadedPolicy[], report: Report): void;
}
