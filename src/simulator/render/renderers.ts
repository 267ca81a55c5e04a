/**
 * The output formats of `aegis simulate` and `aegis report merge`, one pure function each
 * (STYLE.md 7), chosen from a map so that `--format` choices and renderers cannot drift apart.
 */
import type { SimulationReport } from '../types.js';
import { renderReportHtml } from './html.js';
import { renderReportJson } from './json.js';
import { renderReportJunit } from './junit.js';
import { renderReportMarkdown } from './markdown.js';
import { renderReportText } from './text.js';

export interface ReportRenderOptions {
  /** ANSI colour (text only); the caller decides (TTY, NO_COLOR, CI), never the renderer. */
  color: boolean;
  /** The aegis version, named in the HTML footer and the JUnit suite. */
  version: string;
  /** How many rows the agent, tool, rule and code tables show (default 10; html 25). */
  top?: number;
}

export type ReportRenderer = (report: SimulationReport, options: ReportRenderOptions) => string;

export const REPORT_RENDERERS = {
  text: renderReportText,
  json: renderReportJson,
  markdown: renderReportMarkdown,
  html: renderReportHtml,
  junit: renderReportJunit,
} as const satisfies Record<string, ReportRenderer>;

export type ReportFormat = keyof typeof REPORT_RENDERERS;

export const REPORT_FORMATS = Object.keys(REPORT_RENDERERS) as ReportFormat[];

export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(REPORT_RENDERERS, name);
}
