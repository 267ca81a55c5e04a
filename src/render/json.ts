/** The CLI.md JSON shape: one document on stdout, stable field names, 1-based positions. */
import type { ValidationResult } from '../policy/validate.js';
import { passes, type RenderOptions } from './renderers.js';

export function renderJson(result: ValidationResult, options: RenderOptions): string {
  const report = {
    // The same verdict as the exit code: with --strict, warnings make it false.
    valid: passes(result, options.strict),
    files: result.files,
    policies: result.policies,
    errors: result.errors,
    warnings: result.warnings,
    diagnostics: result.diagnostics.map((d) => ({
      file: d.file,
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.endColumn,
      pointer: d.pointer,
      document: d.document,
      severity: d.severity,
      code: d.code,
      message: d.message,
      ...(d.hint ? { hint: d.hint } : {}),
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
