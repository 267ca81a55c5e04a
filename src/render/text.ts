/**
 * Human output, grouped by file:
 *
 *   policies/agents.yaml
 *     12:7  error    unknown key `maxamount`  unknown-key
 *                    hint: did you mean `max_amount`?
 *
 *   ✖ 1 error in 1 file (2 policies)
 */
import { Chalk } from 'chalk';
import type { Diagnostic } from '../diagnostics.js';
import type { ValidationResult } from '../policy/validate.js';
import { printable } from './printable.js';
import type { RenderOptions } from './renderers.js';
import { summarize } from './summary.js';

const SYMBOLS = { fail: '✖', warn: '⚠', pass: '✔' } as const;

export function renderText(result: ValidationResult, options: RenderOptions): string {
  // An explicit level: colour is the caller's decision, not chalk's own TTY detection.
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const lines: string[] = [];
  for (const [file, diagnostics] of groupByFile(result.diagnostics)) {
    lines.push(c.underline(printable(file)));
    const places = diagnostics.map((d) => `${d.line}:${d.column}`);
    const width = Math.max(...places.map((p) => p.length));
    diagnostics.forEach((d, i) => {
      const place = (places[i] ?? '').padEnd(width);
      const severity = d.severity === 'error' ? c.red('error  ') : c.yellow('warning');
      lines.push(`  ${c.dim(place)}  ${severity}  ${printable(d.message)}  ${c.dim(d.code)}`);
      if (d.hint) {
        lines.push(`  ${' '.repeat(width)}           ${c.cyan('hint:')} ${printable(d.hint)}`);
      }
    });
    lines.push('');
  }
  const summary = summarize(result, options.strict);
  const colour = summary.status === 'fail' ? c.red : summary.status === 'warn' ? c.yellow : c.green;
  lines.push(colour.bold(`${SYMBOLS[summary.status]} ${summary.text}`));
  return `${lines.join('\n')}\n`;
}

function groupByFile(diagnostics: readonly Diagnostic[]): Map<string, Diagnostic[]> {
  const groups = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const group = groups.get(d.file);
    if (group) group.push(d);
    else groups.set(d.file, [d]);
  }
  return groups;
}
