/**
 * Diagnostics are data (STYLE.md 4): one shape, one table of codes. A code that is not in
 * DIAGNOSTIC_CODES does not compile, and every code has its documentation here, which the
 * README's table and `test/diagnostics.test.ts` are checked against.
 */

export type Severity = 'error' | 'warning';

/**
 * `input`: the file could not be read as text at all (exit 2, like any other input error).
 * `finding`: the file was read and something in it is wrong (exit 1).
 */
export type DiagnosticKind = 'input' | 'finding';

interface CodeInfo {
  readonly severity: Severity;
  readonly kind: DiagnosticKind;
  /** One line, for the README and SARIF rule descriptions. */
  readonly summary: string;
}

export const DIAGNOSTIC_CODES = {
  // Reading files (the I/O edge).
  'path-not-found': {
    severity: 'error',
    kind: 'input',
    summary: 'A path argument does not exist.',
  },
  'no-policy-files': {
    severity: 'error',
    kind: 'input',
    summary: 'A directory argument holds no .yaml, .yml or .json file.',
  },
  'unreadable-file': {
    severity: 'error',
    kind: 'input',
    summary:
      'A file or directory could not be read (permissions, broken link, not a regular file).',
  },
  'symlink-loop': {
    severity: 'error',
    kind: 'input',
    summary: 'A symbolic link points back into a directory already being read.',
  },
  'file-too-large': {
    severity: 'error',
    kind: 'input',
    summary: 'A file is larger than the size cap (10 MiB unless --max-file-size says otherwise).',
  },
  'binary-file': { severity: 'error', kind: 'input', summary: 'A file holds NUL bytes.' },
  'not-utf8': { severity: 'error', kind: 'input', summary: 'A file is not valid UTF-8.' },
  // Parsing.
  'empty-file': { severity: 'error', kind: 'finding', summary: 'A file holds no policy document.' },
  'syntax-error': { severity: 'error', kind: 'finding', summary: 'YAML or JSON syntax error.' },
  'duplicate-key': {
    severity: 'error',
    kind: 'finding',
    summary: 'The same key appears twice in one mapping.',
  },
  'alias-limit': {
    severity: 'error',
    kind: 'finding',
    summary: 'YAML aliases expand past the limit (a "billion laughs" document).',
  },
  'too-deep': {
    severity: 'error',
    kind: 'finding',
    summary: 'A document is nested deeper than any policy needs (64 levels).',
  },
  'yaml-tag': {
    severity: 'error',
    kind: 'finding',
    summary:
      'A YAML tag (`!!str`, `!!binary`, `!custom`, any `!...`): a policy is plain data, so every tag is refused; remove it, and quote the value if a string is meant.',
  },
  'yaml-version': {
    severity: 'error',
    kind: 'finding',
    summary:
      'A `%YAML` directive for a version other than 1.2: aegis reads YAML 1.2 only, and YAML 1.1 reads `010`, `1:30`, `1_000` or `yes` as other values, so the file would not mean what its author wrote; remove the directive and check those values.',
  },
  // The JSON Schema.
  'unknown-key': {
    severity: 'error',
    kind: 'finding',
    summary: 'A key the policy format does not define.',
  },
  'missing-key': { severity: 'error', kind: 'finding', summary: 'A required key is absent.' },
  'invalid-type': { severity: 'error', kind: 'finding', summary: 'A value has the wrong type.' },
  'invalid-value': {
    severity: 'error',
    kind: 'finding',
    summary:
      'A value is outside what the policy format allows (enum, range, pattern, length), or a number past ±(2^53 − 1), which a double cannot hold exactly (an id belongs in a string).',
  },
  'unsupported-version': {
    severity: 'error',
    kind: 'finding',
    summary: 'The policy format `version` is not 1.',
  },
  // Semantic rules (src/policy/rules/): POLICY-LANGUAGE.md section 7.
  'duplicate-policy': {
    severity: 'error',
    kind: 'finding',
    summary: 'Two documents define the same (tenant, agent).',
  },
  'overlapping-actions': {
    severity: 'error',
    kind: 'finding',
    summary: 'Two entries for the same tool cover the same action.',
  },
  'regex-not-re2': {
    severity: 'error',
    kind: 'finding',
    summary: 'A regex uses syntax RE2 (and so OPA) does not accept: lookaround, backreferences.',
  },
  'regex-invalid': { severity: 'error', kind: 'finding', summary: 'A regex does not compile.' },
  'pattern-matches-empty': {
    severity: 'error',
    kind: 'finding',
    summary:
      'A `sanitize.patterns` regex can match the empty string somewhere (`a*`, `x|`, `^`, `\\b`), so it would write `[REDACTED]` where there is nothing to redact.',
  },
  'unknown-timezone': {
    severity: 'error',
    kind: 'finding',
    summary: 'A time condition names a time zone that is not in the IANA database.',
  },
  'malformed-hours': {
    severity: 'error',
    kind: 'finding',
    summary: 'A time condition `hours` is not `HH:MM-HH:MM` with a non-empty window.',
  },
  'min-over-max': {
    severity: 'error',
    kind: 'finding',
    summary: '`min_amount` is greater than `max_amount`: every call would be denied.',
  },
  'sanitize-without-redact': {
    severity: 'error',
    kind: 'finding',
    summary: 'A rule with `effect: sanitize` lists nothing to `redact`.',
  },
  'redact-without-sanitize': {
    severity: 'error',
    kind: 'finding',
    summary: 'A rule lists `redact` but its effect is not `sanitize`.',
  },
  'unknown-detector': {
    severity: 'error',
    kind: 'finding',
    summary: 'A `sanitize.detectors` entry is not a built-in detector.',
  },
  'invalid-condition': {
    severity: 'error',
    kind: 'finding',
    summary: 'A `when` condition is not exactly one of param, field, time, all, any or not.',
  },
  'operator-type-mismatch': {
    severity: 'error',
    kind: 'finding',
    summary: 'An operator is given a value of the wrong type (e.g. `lt: "5"`, `in: 3`).',
  },
  'empty-range': {
    severity: 'error',
    kind: 'finding',
    summary: 'Bounds on one parameter that no value can satisfy (e.g. gte 10 with lte 5).',
  },
  'unreachable-approval': {
    severity: 'warning',
    kind: 'finding',
    summary: '`approval_needed_over` is at or above `max_amount`: approval can never be asked.',
  },
  'condition-never-holds': {
    severity: 'warning',
    kind: 'finding',
    summary: 'A rule condition can never be true, so the rule never fires.',
  },
  'effect-already-implied': {
    severity: 'warning',
    kind: 'finding',
    summary: 'Whenever a rule fires, another check of its entry already denies (or asks approval).',
  },
  'wildcard-beside-explicit': {
    severity: 'warning',
    kind: 'finding',
    summary: 'A tool has an `actions: ["*"]` entry and also explicit entries.',
  },
  'bare-wildcard-egress': {
    severity: 'warning',
    kind: 'finding',
    summary: 'An egress pattern of bare `*`: it allows every host; list explicit domains.',
  },
  'shared-rule-ids': {
    severity: 'warning',
    kind: 'finding',
    summary:
      'Two policies spell the same rule-id prefix (tenant `a/b` with agent `c`, tenant `a` with agent `b/c`), so reports count their reasons together.',
  },
  'egress-pattern-not-a-host': {
    severity: 'warning',
    kind: 'finding',
    summary:
      'An egress pattern that is not a host name (a URL, a path, whitespace, or a `*` that is not the whole first label), so no call matches it and the calls it was meant for are denied.',
  },
  'yaml-truthy-string': {
    severity: 'warning',
    kind: 'finding',
    summary:
      'An operand written as a bare `yes`, `no`, `on` or `off`: a string in YAML 1.2, which aegis reads, though YAML 1.1 reads it as a boolean; write `true`/`false`, or quote the string.',
  },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Diagnostic extends Position {
  code: DiagnosticCode;
  severity: Severity;
  /** Path as the user gave it (or as found under a directory they gave). */
  file: string;
  /** JSON pointer into the document ('' for the whole document or file). */
  pointer: string;
  /** 0-based index of the YAML document within its file. */
  document: number;
  message: string;
  hint?: string;
}

export const FILE_START: Position = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** A diagnostic about a whole file or a place in it, found before any pointer into a policy. */
export function fileDiagnostic(
  code: DiagnosticCode,
  file: string,
  at: Position,
  message: string,
  hint?: string,
  document = 0,
): Diagnostic {
  return {
    code,
    severity: DIAGNOSTIC_CODES[code].severity,
    file,
    pointer: '',
    document,
    ...at,
    message,
    ...(hint ? { hint } : {}),
  };
}

export function diagnosticKind(code: DiagnosticCode): DiagnosticKind {
  return DIAGNOSTIC_CODES[code].kind;
}

/** Sort by file, then position, then code: the order every renderer prints. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}
