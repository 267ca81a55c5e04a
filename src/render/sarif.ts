/**
 * SARIF 2.1.0 for GitHub code scanning (upload-sarif) and other SARIF viewers: one run, a
 * rule for every code that occurs, one result per diagnostic.
 */
import { pathToFileURL } from 'node:url';
import { DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode } from '../diagnostics.js';
import type { ValidationResult } from '../policy/validate.js';
import type { RenderOptions } from './renderers.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function renderSarif(result: ValidationResult, options: RenderOptions): string {
  const codes = [...new Set(result.diagnostics.map((d) => d.code))].sort();
  const ruleIndex = new Map(codes.map((code, i) => [code, i]));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'aegis',
            version: options.version,
            semanticVersion: options.version,
            informationUri: options.informationUri,
            rules: codes.map((code) => rule(code, options.informationUri)),
          },
        },
        // Our columns count UTF-16 code units, as editors and the `yaml` library do.
        columnKind: 'utf16CodeUnits',
        results: result.diagnostics.map((d) => ({
          ruleId: d.code,
          ruleIndex: ruleIndex.get(d.code) ?? 0,
          level: d.severity,
          message: { text: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message },
          locations: [{ physicalLocation: physicalLocation(d) }],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function rule(code: DiagnosticCode, informationUri: string) {
  const info = DIAGNOSTIC_CODES[code];
  return {
    id: code,
    name: code.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, ch: string) => ch.toUpperCase()),
    shortDescription: { text: info.summary },
    helpUri: helpUri(informationUri, code),
    defaultConfiguration: { level: info.severity },
  };
}

/** The documentation's section on a code: its fragment replaces the page's own (`#readme`). */
function helpUri(informationUri: string, code: DiagnosticCode): string {
  const url = new URL(informationUri);
  url.hash = code;
  return url.href;
}

function physicalLocation(d: Diagnostic) {
  const relative = !isAbsolutePath(d.file);
  return {
    artifactLocation: relative
      ? { uri: relativeUri(d.file), uriBaseId: '%SRCROOT%' }
      : { uri: pathToFileURL(d.file).href },
    region: {
      startLine: d.line,
      startColumn: d.column,
      endLine: Math.max(d.endLine, d.line),
      // An empty region (start == end) is a valid SARIF insertion point; never end before start.
      endColumn: d.endLine > d.line ? d.endColumn : Math.max(d.endColumn, d.column),
    },
  };
}

function isAbsolutePath(file: string): boolean {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('\\\\');
}

/** A relative URI reference: forward slashes, each segment percent-encoded. */
export function relativeUri(file: string): string {
  return file
    .split(/[\\/]/)
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}
