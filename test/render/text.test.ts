import { describe, expect, it } from 'vitest';
import { printable } from '../../src/render/printable.js';
import { renderText } from '../../src/render/text.js';
import { expectGolden } from './golden.js';
import { CLEAN, FAILING, OPTIONS, WARNINGS_ONLY } from './sample-result.js';

describe('renderText', () => {
  it('groups by file, aligns columns and prints hints (golden)', () => {
    expectGolden('validate/text.txt', renderText(FAILING, OPTIONS));
  });

  it('uses ANSI colour only when asked', () => {
    const plain = renderText(FAILING, OPTIONS);
    const coloured = renderText(FAILING, { ...OPTIONS, color: true });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
    const ansi = /\u001b\[\d+m/;
    expect(plain).not.toMatch(ansi);
    expect(coloured).toMatch(ansi);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('never lets control characters from a file reach the terminal', () => {
    const out = renderText(FAILING, OPTIONS);
    expect(out).not.toContain('\u001b');
    expect(out).toContain('\\u000asecond line \\u001b[31mred');
    expect(printable('a\u202eb\tc')).toBe('a\\u202eb\tc');
    // Characters that show nothing: finance-agent and finance-agent + U+200B must not look alike.
    expect(printable('finance-agent\u200b')).toBe('finance-agent\\u200b');
    expect(printable('\ufeffa\u200db\u2028c\u061cd\u2060e')).toBe(
      '\\ufeffa\\u200db\\u2028c\\u061cd\\u2060e',
    );
  });

  it('summarises a failing run', () => {
    expect(renderText(FAILING, OPTIONS).trimEnd().split('\n').at(-1)).toBe(
      '✖ 3 errors, 1 warning in 3 files (2 policies)',
    );
  });

  it('summarises a clean run', () => {
    expect(renderText(CLEAN, OPTIONS)).toBe('✔ 5 policies in 5 files are valid\n');
  });

  it('passes warnings unless strict', () => {
    expect(renderText(WARNINGS_ONLY, OPTIONS).trimEnd().split('\n').at(-1)).toBe(
      '⚠ 1 policy in 1 file is valid (1 warning)',
    );
    expect(
      renderText(WARNINGS_ONLY, { ...OPTIONS, strict: true })
        .trimEnd()
        .split('\n')
        .at(-1),
    ).toBe('✖ 1 warning in 1 file (1 policy)');
  });
});
