/**
 * Aligned columns for the terminal. Cells are padded before they are painted, so that ANSI
 * colour never shifts a column; widths count code points, which is close enough for the ids
 * and numbers a report holds (wide CJK glyphs may still nudge a row).
 */
import { printable } from '../../render/printable.js';

export interface Cell {
  text: string;
  right?: boolean;
  paint?: (text: string) => string;
}

const MAX_CELL = 48;

/** Untrusted text for one cell: no control characters, long ids shortened in the middle. */
export function cellText(text: string, max = MAX_CELL): string {
  const safe = printable(text);
  const chars = [...safe];
  if (chars.length <= max) return safe;
  const head = Math.ceil((max - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (max - 1 - head)).join('')}`;
}

export function textTable(rows: readonly (readonly Cell[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell.text].length);
    });
  }
  return rows.map((row) => {
    const cells = row.map((cell, i) => {
      // The last column is not padded on the left-aligned side: no trailing blanks.
      const last = i === row.length - 1 && !cell.right;
      const pad = last ? '' : ' '.repeat((widths[i] ?? 0) - [...cell.text].length);
      const padded = cell.right ? pad + cell.text : cell.text + pad;
      return cell.paint ? cell.paint(padded) : padded;
    });
    return `${indent}${cells.join('  ')}`;
  });
}
