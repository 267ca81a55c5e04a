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
import type {
  CrossPolicyRule,
  LoadedPolicy,
  PolicyIdentity,
  PolicyRule,
  Report,
} from './rules/rule.js';
import { checkSchema } from './schema-check.js';
import type { AgentPolicy } from './types.js';

export interface ValidateOptions extends ReadOptions {
  /** Warning codes to leave out of the result (errors cannot be ignored). */
  ignore?: readonly DiagnosticCode[];
  /** The caller asks the loaded policies' `line()` a lot (compile): see parseSource. */
  lines?: boolean;
  /**
   * false: the caller wants the diagnostics only (the validate command). Each document is then
   * let go once its own checks ran, and `loaded` comes back empty: a thousand parsed policies
   * held to the end cost the garbage collector and fresh memory more than checking them.
   */
  keepPolicies?: boolean;
  /**
   * Called with each policy that passed the schema, right after its own semantic checks (the
   * checks across policies run at the end): compile turns it into bundle data there and then,
   * with `keepPolicies: false`, so that no parsed document outlives its turn.
   */
  onPolicy?: (policy: LoadedPolicy) => void;
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
  /**
   * The policies that passed the schema, in file order; empty for a file with errors, and
   * always empty with `keepPolicies: false`.
   */
  loaded: LoadedPolicy[];
}

export async function validate(
  paths: readonly string[],
  options: ValidateOptions,
): Promise<ValidationResult> {
  const read = await readPolicyFiles(paths, options);
  return checkSources(read.sources, { ...options, earlier: read.diagnostics });
}

/** validate()'s options past reading the files (ValidateOptions has what each means). */
export interface CheckOptions
  extends Pick<ValidateOptions, 'ignore' | 'lines' | 'keepPolicies' | 'onPolicy'> {
  /** Diagnostics found before parsing (reading files), merged into the result. */
  earlier?: readonly Diagnostic[];
}

export function checkSources(
  sources: readonly SourceText[],
  options: CheckOptions = {},
): ValidationResult {
  const diagnostics: Diagnostic[] = [...(options.earlier ?? [])];
  const keep = options.keepPolicies ?? true;
  const loaded: LoadedPolicy[] = [];
  const identities: PolicyIdentity[] = [];
  const rules = ruleRunner(diagnostics);
  for (const source of sources) {
    const parsed = parseSource(source.file, source.text, source.kind, { lines: options.lines });
    diagnostics.push(...parsed.diagnostics);
    for (const doc of parsed.documents) {
      const problems = checkSchema(doc);
      diagnostics.push(...problems);
      if (problems.some((d) => d.severity === 'error')) continue;
      const policy: LoadedPolicy = { source: doc, policy: doc.value as AgentPolicy };
      rules.checkPolicy(policy);
      options.onPolicy?.(policy);
      identities.push(identityOf(policy));
      if (keep) loaded.push(policy);
    }
  }
  rules.checkAcross(identities);

  const ignored = new Set(options.ignore ?? []);
  const kept = diagnostics
    .filter((d) => d.severity === 'error' || !ignored.has(d.code))
    .sort(compareDiagnostics);
  const errors = kept.filter((d) => d.severity === 'error').length;
  const failedFiles = new Set(kept.filter((d) => d.severity === 'error').map((d) => d.file));
  return {
    valid: errors === 0,
    files: new Set([...sources.map((s) => s.file), ...kept.map((d) => d.file)]).size,
    policies: identities.length,
    errors,
    warnings: kept.length - errors,
    inputError: kept.some((d) => diagnosticKind(d.code) === 'input'),
    diagnostics: kept,
    // A policy in a file with errors is not handed on: compile must not build half a set.
    loaded: errors === 0 ? loaded : loaded.filter((p) => !failedFiles.has(p.source.file)),
  };
}

/** Every semantic rule over `policies`: what checkSources runs, for tests and callers. */
export function runRules(policies: readonly LoadedPolicy[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const rules = ruleRunner(out);
  for (const policy of policies) rules.checkPolicy(policy);
  rules.checkAcross(policies.map(identityOf));
  return out;
}

/** The rules, each with a report that appends to `out`. The caller sorts diagnostics. */
function ruleRunner(out: Diagnostic[]) {
  const reportFor = (id: DiagnosticCode): Report => {
    const { severity } = DIAGNOSTIC_CODES[id];
    return (at, pointer, message, extra = {}) => {
      out.push({
        code: id,
        severity,
        file: at.source.file,
        pointer,
        document: at.source.index,
        ...at.source.locate(pointer, extra.target),
        message,
        ...(extra.hint ? { hint: extra.hint } : {}),
      });
    };
  };
  const perPolicy: [PolicyRule, Report][] = [];
  const across: [CrossPolicyRule, Report][] = [];
  for (const rule of RULES) {
    if ('across' in rule) across.push([rule, reportFor(rule.id)]);
    else perPolicy.push([rule, reportFor(rule.id)]);
  }
  return {
    /** One policy, every per-policy rule; a list of its own, which the rules share (walk.ts). */
    checkPolicy(policy: LoadedPolicy): void {
      const one = [policy];
      for (const [rule, report] of perPolicy) rule.check(one, report);
    },
    checkAcross(identities: readonly PolicyIdentity[]): void {
      for (const [rule, report] of across) rule.check(identities, report);
    },
  };
}

/** A policy's identity, holding on to nothing of its document but how to locate in it. */
function identityOf({ source, policy }: LoadedPolicy): PolicyIdentity {
  const { file, index, locate } = source;
  return { source: { file, index, locate }, tenant: policy.tenant, agent: policy.agent };
}
