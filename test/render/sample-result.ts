/** A hand-built ValidationResult that exercises every corner the renderers handle. */
import type { Diagnostic } from '../../src/diagnostics.js';
import type { ValidationResult } from '../../src/policy/validate.js';
import type { RenderOptions } from '../../src/render/renderers.js';

const diagnostics: Diagnostic[] = [
  {
    code: 'unknown-key',
    severity: 'error',
    file: 'policies/finance.yaml',
    pointer: '/allowed_tools/0/conditions/maxamount',
    document: 0,
    line: 9,
    column: 7,
    endLine: 9,
    endColumn: 16,
    message: 'unknown key `maxamount` in `conditions`',
    hint: 'did you mean `max_amount`?',
  },
  {
    code: 'unreachable-approval',
    severity: 'warning',
    file: 'policies/finance.yaml',
    pointer: '/allowed_tools/0/conditions/approval_needed_over',
    document: 0,
    line: 12,
    column: 29,
    endLine: 12,
    endColumn: 33,
    message: 'approval_needed_over 6000 >= max_amount 5000: approval is never asked',
  },
  {
    code: 'invalid-type',
    severity: 'error',
    file: 'policies/ops team/deploy.yaml',
    pointer: '/allowed_tools/0/params',
    document: 1,
    line: 20,
    column: 7,
    endLine: 23,
    endColumn: 1,
    // Characters each format must escape: % , : and a line break (and a terminal escape).
    message: 'expected an object, got "50%, then: more"\nsecond line \u001b[31mred',
  },
  {
    code: 'path-not-found',
    severity: 'error',
    file: '/abs/missing.yaml',
    pointer: '',
    document: 0,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    message: 'no such file or directory',
  },
];

export const FAILING: ValidationResult = {
  valid: false,
  files: 3,
  policies: 2,
  errors: 3,
  warnings: 1,
  inputError: true,
  diagnostics,
  loaded: [],
};

export const CLEAN: ValidationResult = {
  valid: true,
  files: 5,
  policies: 5,
  errors: 0,
  warnings: 0,
  inputError: false,
  diagnostics: [],
  loaded: [],
};

const warning = diagnostics[1] as Diagnostic;

export const WARNINGS_ONLY: ValidationResult = {
  valid: true,
  files: 1,
  policies: 1,
  errors: 0,
  warnings: 1,
  inputError: false,
  diagnostics: [warning],
  loaded: [],
};

export const OPTIONS: RenderOptions = {
  color: false,
  strict: false,
  version: '9.9.9',
  informationUri: 'https://example.test/aegis',
};
