/**
 * The table of diagnostic codes (src/diagnostics.ts) and the README's Diagnostics table, which
 * documents them (each row an anchor that SARIF help links and `--format github` point at):
 * every code has its row, with its severity, and there is no row for a code that is gone.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, type DiagnosticCode } from '../src/diagnostics.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const ROW = /^\| <a id="([a-z0-9-]+)"><\/a>`([a-z0-9-]+)` \| (error|warning) \| (.+) \|$/gm;
const rows = [...README.matchAll(ROW)].map(([, anchor, code, severity, meaning]) => ({
  anchor,
  code,
  severity,
  meaning,
}));
const codes = Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[];

describe('diagnostic codes', () => {
  it('the README has one row for each code, in the order of the table, with its severity', () => {
    expect(rows.map((r) => r.code)).toEqual(codes);
    for (const row of rows) {
      expect(row.anchor).toBe(row.code);
      expect(row.severity).toBe(DIAGNOSTIC_CODES[row.code as DiagnosticCode].severity);
    }
  });

  it.each(codes)('%s has a one-line summary', (code) => {
    const { summary } = DIAGNOSTIC_CODES[code];
    expect(summary).toMatch(/^[A-Z`].*\.$/);
    expect(summary).not.toMatch(/\n/);
  });
});
