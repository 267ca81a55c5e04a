/**
 * Aligned columns for the terminal. Cells are padded before they are painted, so that ANSI
 * colour never shifts a column, and widths are the columns a terminal gives the text
 * (string-width: a CJK glyph or an emoji takes two, a combining mark none), so ids in any
 * script line up.
 */
import stringWidth from 'string-width';
import { printable } from '../../render/printable.js';

export interface Cell {
  text: string;
  right?: boolean;
  paint?: (text: string) => string;
}

const MAX_CELL = 48;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Untrusted text for one cell: no control characters (tabs escaped too: a tab stop would break
 * the column), and at most `max` columns wide, a long id shortened in the middle. Shortening
 * cuts between graphemes, never through an emoji or an accented letter.
 */
export function cellText(text: string, max = MAX_CELL): string {
  const safe = printable(text).replaceAll('\t', '\\u0009');
  if (stringWidth(safe) <= max) return safe;
  const parts = Array.from(graphemes.segment(safe), (s) => s.segment);
  const budget = max - 1; // the ellipsis takes one column
  const headBudget = Math.ceil(budget / 2);
  let head = '';
  let width = 0;
  let i = 0;
  for (; i < parts.length; i++) {
    const w = stringWidth(parts[i] as string);
    if (width + w > headBudget) break;
    head += parts[i];
    width += w;
  }
  let tail = '';
  for (let j = parts.length - 1; j >= i; j--) {
    const w = stringWidth(parts[j] as string);
    if (width + w > budget) break;
    tail = parts[j] + tail;
    width += w;
  }
  return `${head}…${tail}`;
}

export function textTable(rows: readonly (readonly Cell[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, stringWidth(cell.text));
    });
  }
  return rows.map((row) => {
    const cells = row.map((cell, i) => {
      // The last column is not padded on the left-aligned side: no trailing blanks.
      const last = i === row.length - 1 && !cell.right;
      const pad = last ? '' : ' '.repeat((widths[i] ?? 0) - stringWidth(cell.text));
      const padded = cell.right ? pad + cell.text : cell.text + pad;
      return cell.paint ? cell.paint(padded) : padded;
    });
    return `${indent}${cells.join('  ')}`;
  });
}
