/**
 * The terminal tables line up by the columns a terminal gives each glyph (string-width), not
 * by code points: ids in CJK, with emoji or combining marks, and escaped control characters
 * must leave every later column where the others' are.
 */
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { cellText, textTable } from '../../../src/simulator/render/text-table.js';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const split = (s: string) => Array.from(graphemes.segment(s), (g) => g.segment);

/** The display column at which `marker` starts on each line. */
function columnsOf(lines: readonly string[], marker: string): number[] {
  return lines.map((line) => stringWidth(line.slice(0, line.lastIndexOf(marker))));
}

const IDS = [
  'finance-agent',
  '支付代理', // four wide glyphs: eight columns
  '🙂agent',
  'e\u0301\u0301x', // combining marks take no column
  '👩‍👩‍👧 family',
  'a\u0001b\tc', // control characters and a tab, escaped
  'x'.repeat(70),
  '支'.repeat(40),
];

describe('text tables', () => {
  it('starts every later column at the same display column, whatever the ids hold', () => {
    const rows = IDS.map((id) => [
      { text: cellText(id) },
      { text: '7', right: true },
      { text: '@end' },
    ]);
    const lines = textTable(rows);
    const ends = columnsOf(lines, '@end');
    expect(new Set(ends).size).toBe(1);
    // The widest cell sets the column: 48 columns, the cap.
    expect(ends[0]).toBe(2 + 48 + 2 + 1 + 2);
  });

  it('lines up any Unicode ids (generated)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 60 }), { minLength: 1, maxLength: 6 }),
        (ids) => {
          const lines = textTable(ids.map((id) => [{ text: cellText(id) }, { text: '\u0000end' }]));
          // cellText escapes U+0000, so the marker is only ever the second cell's.
          expect(new Set(columnsOf(lines, '\u0000end')).size).toBe(1);
        },
      ),
    );
  });

  it('shortens a long id to its width cap without cutting a grapheme', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }),
        fc.integer({ min: 8, max: 60 }),
        (id, max) => {
          const safe = cellText(id, Number.MAX_SAFE_INTEGER);
          const short = cellText(id, max);
          expect(stringWidth(short)).toBeLessThanOrEqual(max);
          if (stringWidth(safe) <= max) {
            expect(short).toBe(safe);
            return;
          }
          // The head and tail are whole graphemes of the escaped id, around one ellipsis.
          const at = short.lastIndexOf('…');
          const head = split(short.slice(0, at));
          const tail = split(short.slice(at + 1));
          const all = split(safe);
          expect(all.slice(0, head.length)).toEqual(head);
          if (tail.length > 0) expect(all.slice(-tail.length)).toEqual(tail);
          // Shortened only as far as needed: one more grapheme would not fit.
          expect(stringWidth(short)).toBeGreaterThan(max - 3);
        },
      ),
    );
  });

  it('escapes what would move the cursor or jump to a tab stop', () => {
    expect(cellText('a\u001b[2Jb\tc')).toBe('a\\u001b[2Jb\\u0009c');
    expect(cellText('支'.repeat(30), 9)).toBe('支支…支支');
  });
});
