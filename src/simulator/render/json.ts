/**
 * The CLI.md JSON report: one document, the field names of SimulationReport in a fixed order,
 * and every count table sorted by key, so that two runs over the same traces are byte-equal
 * whatever order the replay happened to fill its maps in (reports get diffed and merged).
 */
import type { SimulationReport } from '../types.js';
import type { ReportRenderOptions } from './renderers.js';
import { compareKeys } from './report-facts.js';

export function renderReportJson(report: SimulationReport, _options: ReportRenderOptions): string {
  return `${JSON.stringify(canonicalReport(report), null, 2)}\n`;
}

/**
 * The known fields in the order of SimulationReport; a field this renderer does not know yet
 * (an optional one added later) is kept, after them, rather than dropped.
 */
export function canonicalReport(report: SimulationReport): SimulationReport {
  const ordered: SimulationReport = {
    format_version: report.format_version,
    events: report.events,
    evaluated: report.evaluated,
    skipped: report.skipped,
    malformed: report.malformed,
    ...(report.filtered !== undefined ? { filtered: report.filtered } : {}),
    late: report.late,
    erased: report.erased,
    outcomes: {
      allow: report.outcomes.allow,
      sanitize: report.outcomes.sanitize,
      approval_needed: report.outcomes.approval_needed,
      deny: report.outcomes.deny,
    },
    would_block: report.would_block,
    by_agent: sortKeys(report.by_agent),
    by_tool: sortKeys(report.by_tool),
    by_rule: sortKeys(report.by_rule),
    by_code: sortKeys(report.by_code),
    changes: sortKeys(report.changes),
    compared_with: report.compared_with,
    examples: report.examples,
    ...(report.examples_per_transition !== undefined
      ? { examples_per_transition: report.examples_per_transition }
      : {}),
    timeline: sortKeys(report.timeline),
    first_malformed: report.first_malformed,
    ...(report.shard !== undefined ? { shard: report.shard } : {}),
    ...(report.run !== undefined ? { run: report.run } : {}),
    policy: report.policy,
    ...(report.baseline !== undefined ? { baseline: report.baseline } : {}),
  };
  return { ...ordered, ...report, ...ordered };
}

function sortKeys<T>(table: Record<string, T>): Record<string, T> {
  // fromEntries defines own properties: an agent called `__proto__` stays a key.
  return Object.fromEntries(Object.entries(table).sort(([a], [b]) => compareKeys(a, b)));
}
