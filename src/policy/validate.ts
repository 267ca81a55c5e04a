/**
 * `validate()`: paths -> every problem at once. Reading is the only I/O; parsing, the schema
 * and the semantic rules are pure and also reachable through `checkSources()` for callers that
 * already hold the text (tests, editors, `compile`).
 */
import {
  compareDiagnostics,
  DIAGNOSTIC_CODES,
  type Diagnostic,
  type DiagnosticCode,
  diagnosticKind,
} from '../diagnostics.js';
import { parseSource } from './parse.js';
import { type ReadOptions, readPolicyFiles, type SourceText } from './read-files.js';
import { RULES } from './rules/index.js';
import type { LoadedPolicy, Report } from './rules/rule.js';
import { checkSchema } from './schema-check.js';
import type { AgentPolicy } from './types.js';

export interface ValidateOptions extends ReadOptions {
  /** Warning codes to leave out of the result (errors cannot be ignored). */
  ignore?: readonly DiagnosticCode[];
  /** The caller asks the loaded policies' `line()` a lot (compile): see parseSource. */
  lines?: boolean;
}

export interface ValidationResult {
  /** No errors (warnings allowed; `--strict` is the caller's policy). */
  valid: boolean;
  files: number;
  policies: number;
  errors: number;
  warnings: number;
  /** At least one diagnostic is an input error (unreadable, too large, not text): exit 2. */
  inputError: boolean;
  diagnostics: Diagnostic[];
  /** The policies that passed the schema, in file order; empty for a file with errors. */
  loaded: LoadedPolicy[];
}

export async function validate(
  paths: readonly string[],
  options: ValidateOptions,
): Promise<ValidationResult> {
  const read = await readPolicyFiles(paths, options);
  return checkSources(read.sources, { ...options, earlier: read.diagnostics });
}

export interface CheckOptions {
  ignore?: readonly DiagnosticCode[];
  lines?: boolean;
  /** Diagnostics found before parsing (reading files), merged into the result. */
  earlier?: readonly Diagnostic[];
}

export function checkSources(
  sources: readonly SourceText[],
  options: CheckOptions = {},
): ValidationResult {
  const diagnostics: Diagnostic[] = [...(options.earlier ?? [])];
  const loaded: LoadedPolicy[] = [];
  for (const source of sources) {
    const parsed = parseSource(source.file, source.text, source.kind, { lines: options.lines });
    diagnostics.push(...parsed.diagnostics);
    for (const doc of parsed.documents) {
      const problems = checkSchema(doc);
      diagnostics.push(...problems);
      if (problems.every((d) => d.severity !== 'error')) {
        loaded.push({ source: doc, policy: doc.value as AgentPolicy });
      }
    }
  }
  diagnostics.push(...runRules(loaded));

  const ignored = new Set(options.ignore ?? []);
  const kept = diagnostics
    .filter((d) => d.severity === 'error' || !ignored.has(d.code))
    .sort(compareDiagnostics);
  const errors = kept.filter((d) => d.severity === 'error').length;
  const failedFiles = new Set(kept.filter((d) => d.severity === 'error').map((d) => d.file));
  return {
    valid: errors === 0,
    files: new Set([...sources.map((s) => s.file), ...kept.map((d) => d.file)]).size,
    policies: loaded.length,
    errors,
    warnings: kept.length - errors,
    inputError: kept.some((d) => diagnosticKind(d.code) === 'input'),
    diagnostics: kept,
    // A policy in a file with errors is not handed on: compile must not build half a set.
    loaded: errors === 0 ? loaded : loaded.filter((p) => !failedFiles.has(p.source.file)),
  };
}

export function runRules(policies: readonly LoadedPolicy[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const checks = RULES.map((rule) => {
    const { severity } = DIAGNOSTIC_CODES[rule.id];
    const report: Report = (at, pointer, message, extra = {}) => {
      out.push({
        code: rule.id,
        severity,
        file: at.source.file,
        pointer,
        document: at.source.index,
        ...at.source.locate(pointer, extra.target),
        message,
        ...(extra.hint ? { hint: extra.hint } : {}),
      });
    };
    return { rule, report };
  });
  // Policy by policy (see PolicyRule), every rule on one before the next, each with a list of
  // its own (the rules share what they build per list); cross-policy rules last. The order of
  // the output does not matter: the caller sorts diagnostics.
  for (const policy of policies) {
    const one = [policy];
    for (const { rule, report } of checks) if (!rule.across) rule.check(one, report);
  }
  for (const { rule, report } of checks) if (rule.across) rule.check(policies, report);
  return out;
}
