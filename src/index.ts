/** The programmatic API: functions that take options and return plain data. */
export type { PolicySetIR } from './compiler/ir.js';
export { type NormalizeInput, normalize } from './compiler/normalize.js';
export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
export { DIAGNOSTIC_CODES } from './diagnostics.js';
export type { Decision, Outcome, Reason, ReasonCode, Redaction } from './engine/decision.js';
export { type EvaluateOptions, evaluate } from './engine/evaluate.js';
export type { AgentPolicy } from './policy/types.js';
export {
  checkSources,
  type ValidateOptions,
  type ValidationResult,
  validate,
} from './policy/validate.js';
