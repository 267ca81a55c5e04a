import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/render/json.js';
import { expectGolden } from './golden.js';
import { CLEAN, FAILING, OPTIONS, WARNINGS_ONLY } from './sample-result.js';

describe('renderJson', () => {
  it('prints the CLI.md shape (golden)', () => {
    expectGolden('validate/json.json', renderJson(FAILING, OPTIONS));
  });

  it('has exactly the documented fields, hint only when there is one', () => {
    const report = JSON.parse(renderJson(FAILING, OPTIONS));
    expect(Object.keys(report)).toEqual([
      'valid',
      'files',
      'policies',
      'errors',
      'warnings',
      'diagnostics',
    ]);
    expect(report).toMatchObject({ valid: false, files: 3, policies: 2, errors: 3, warnings: 1 });
    const [withHint, withoutHint] = report.diagnostics;
    expect(Object.keys(withHint).sort()).toEqual(
      [
        'file',
        'line',
        'column',
        'endLine',
        'endColumn',
        'pointer',
        'document',
        'severity',
        'code',
        'message',
        'hint',
      ].sort(),
    );
    expect(withoutHint).not.toHaveProperty('hint');
    expect(withHint).toMatchObject({ line: 9, column: 7, code: 'unknown-key', severity: 'error' });
  });

  it('states the same verdict as the exit code', () => {
    expect(JSON.parse(renderJson(CLEAN, OPTIONS)).valid).toBe(true);
    expect(JSON.parse(renderJson(WARNINGS_ONLY, OPTIONS)).valid).toBe(true);
    expect(JSON.parse(renderJson(WARNINGS_ONLY, { ...OPTIONS, strict: true })).valid).toBe(false);
  });
});
