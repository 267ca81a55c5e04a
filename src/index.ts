/** The programmatic API: functions that take options and return plain data. */
export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
export { DIAGNOSTIC_CODES } from './diagnostics.js';
export type { AgentPolicy } from './policy/types.js';
export { checkSources, type ValidateOptions, type ValidationResult, validate } from './policy/validate.js';
