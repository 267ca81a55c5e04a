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

/** What reporting needs of a policy's document: which one it is and how to locate a pointer. */
export type PolicySource = Pick<SourceDocument, 'file' | 'index' | 'locate'>;

/** Report a problem at `pointer` (a JSON pointer into `at`'s document). */
export type Report = (
  at: { source: PolicySource },
  pointer: string,
  message: string,
  extra?: ReportExtra,
) => void;

/**
 * A semantic check (POLICY-LANGUAGE.md section 7). The id is the diagnostic code, the README
 * anchor and the name `--ignore` takes; the severity comes from DIAGNOSTIC_CODES.
 *
 * `check` is given one policy at a time (in a list of one). Whatever a rule builds while it
 * looks (sites, pointers, operator lists) then dies young: built for a thousand policies at
 * once, it outlived V8's young generation and was copied by the garbage collector. The few
 * checks that compare policies with each other are CrossPolicyRules.
 */
export interface PolicyRule {
  id: DiagnosticCode;
  check(policies: readonly LoadedPolicy[], report: Report): void;
}

/** Who a policy is for (POLICY-LANGUAGE.md section 1), and where it is written. */
export interface PolicyIdentity {
  source: PolicySource;
  tenant: string | undefined;
  agent: string;
}

/**
 * A check across every policy of the run (duplicates). It sees identities, not documents, so
 * that a caller that only wants diagnostics can let each document go once its own checks ran.
 */
export interface CrossPolicyRule {
  id: DiagnosticCode;
  across: true;
  check(policies: readonly PolicyIdentity[], report: Report): void;
}

export type SemanticRule = PolicyRule | CrossPolicyRule;
