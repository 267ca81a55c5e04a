/**
 * ajv errors -> diagnostics a policy author can act on. No ajv wording or schema path reaches
 * the user (describe-error.ts words each keyword), every diagnostic is located with the
 * document's source map, and one problem yields one diagnostic: combinator wrappers and echoes
 * are dropped.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { compareDiagnostics, DIAGNOSTIC_CODES, type Diagnostic } from '../../diagnostics.js';
import type { SourceDocument } from '../parse.js';
import { describeError, type Finding } from './describe-error.js';
import { placeNoun, type SchemaIndex } from './schema-index.js';

/** Keywords whose errors only say "a branch failed"; the branch's own errors say what. */
const WRAPPERS = new Set(['anyOf', 'oneOf', 'allOf', 'if', 'then', 'else', 'propertyNames']);

export function schemaDiagnostics(
  doc: SourceDocument,
  errors: readonly ErrorObject[],
  index: SchemaIndex,
): Diagnostic[] {
  const findings: Finding[] = [];
  const swallowed = new Set<ErrorObject>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf') continue;
    const branches = errors.filter(
      (e) =>
        e.instancePath === error.instancePath && e.schemaPath.startsWith(`${error.schemaPath}/`),
    );
    // "needs one of these keys" (the time window's days/hours) reads as one missing key.
    if (branches.length > 0 && branches.every((e) => e.keyword === 'required')) {
      for (const e of branches) swallowed.add(e);
      const keys = branches.map((e) => `\`${String(e.params.missingProperty)}\``);
      findings.push({
        code: 'missing-key',
        pointer: error.instancePath,
        message: `${placeNoun(error.parentSchema, index)} needs ${keys.join(' or ')}`,
      });
    }
  }
  for (const error of errors) {
    if (swallowed.has(error) || WRAPPERS.has(error.keyword)) continue;
    const finding = describeError(error, index);
    // An empty value (`mode:` with nothing after it) has no extent of its own in the text;
    // its key is what to point at.
    if (finding.target === undefined && (error.data === null || error.data === undefined)) {
      finding.target = 'key';
    }
    findings.push(finding);
  }

  // An unknown key that is a typo of a required one already says what is missing.
  const meant = new Set(findings.filter((f) => f.meant).map((f) => f.meant));
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const f of findings) {
    if (f.code === 'missing-key' && f.key && meant.has(f.key)) continue;
    const identity = `${f.code}\0${f.key ?? f.pointer}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push({
      code: f.code,
      severity: DIAGNOSTIC_CODES[f.code].severity,
      file: doc.file,
      pointer: f.pointer,
      document: doc.index,
      ...doc.locate(f.pointer, f.target ?? 'value'),
      message: f.message,
      ...(f.hint ? { hint: f.hint } : {}),
    });
  }
  return out.sort(compareDiagnostics);
}
