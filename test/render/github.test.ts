import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, renderGithub } from '../../src/render/github.js';
import { expectGolden } from './golden.js';
import { CLEAN, FAILING, OPTIONS } from './sample-result.js';

describe('renderGithub', () => {
  it('prints one workflow command per diagnostic (golden)', () => {
    expectGolden('validate/github.txt', renderGithub(FAILING, OPTIONS));
  });

  it('escapes like @actions/core', () => {
    expect(escapeData('50% a\r\nb')).toBe('50%25 a%0D%0Ab');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });

  it('keeps each annotation on one line, columns only on single-line ranges', () => {
    const lines = renderGithub(FAILING, OPTIONS).trimEnd().split('\n');
    expect(lines).toHaveLength(FAILING.diagnostics.length + 1);
    expect(lines[0]).toBe(
      '::error file=policies/finance.yaml,line=9,col=7,endLine=9,endColumn=16,title=unknown-key::' +
        'unknown key `maxamount` in `conditions`%0Ahint: did you mean `max_amount`?',
    );
    expect(lines[1]).toMatch(/^::warning file=policies\/finance.yaml,line=12,col=29,/);
    expect(lines[2]).toMatch(
      /^::error file=policies\/ops team\/deploy.yaml,line=20,endLine=23,title=invalid-type::/,
    );
    expect(lines[2]).toContain('"50%25, then: more"\\u000asecond line \\u001b[31mred');
  });

  it('prints only the summary when all is well', () => {
    expect(renderGithub(CLEAN, OPTIONS)).toBe('5 policies in 5 files are valid\n');
  });
});
