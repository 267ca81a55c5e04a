/**
 * GitHub Actions workflow commands: each diagnostic becomes an annotation on the pull request.
 * Escaping follows @actions/core: `%`, CR and LF in the message; also `:` and `,` in the
 * properties, which would otherwise end a property.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ValidationResult } from '../policy/validate.js';
import { printable } from './printable.js';
import type { RenderOptions } from './renderers.js';
import { summarize } from './summary.js';

export function renderGithub(result: ValidationResult, options: RenderOptions): string {
  const lines = result.diagnostics.map(annotation);
  // A plain line is just log output; it tells whoever reads the log what happened.
  lines.push(summarize(result, options.strict).text);
  return `${lines.join('\n')}\n`;
}

function annotation(d: Diagnostic): string {
  const properties: [string, string | number][] = [
    ['file', printable(d.file.replaceAll('\\', '/'))],
    ['line', d.line],
  ];
  // GitHub refuses columns on an annotation that spans several lines.
  if (d.endLine === d.line) properties.push(['col', d.column]);
  properties.push(['endLine', d.endLine]);
  if (d.endLine === d.line) properties.push(['endColumn', d.endColumn]);
  properties.push(['title', d.code]);
  const props = properties.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  // Line breaks inside the message or hint are escaped; the one before the hint is real.
  const message = printable(d.message) + (d.hint ? `\nhint: ${printable(d.hint)}` : '');
  return `::${d.severity} ${props}::${escapeData(message)}`;
}

export function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
