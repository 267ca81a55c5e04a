/**
 * The terminal summary:
 *
 *   Simulation  policy 3f2a9c1 (native)  baseline 1a2b3c4
 *     1,250 records: 1,200 evaluated, 40 skipped, 10 malformed
 *
 *   Outcomes
 *     allow      1,000  83.3%
 *     ...
 *   ✖ 150 calls would be blocked (12 new)
 *
 * Every id from the trace goes through printable(): a trace is untrusted input and must not
 * move the cursor or recolour the terminal.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { CountsWithBlocks, SimulationReport } from '../types.js';
import type { ReportRenderOptions } from './renderers.js';
import {
  blockedPhrase,
  COMPARED_WITH_TEXT,
  formatCount,
  formatShare,
  newPhrase,
  OUTCOMES,
  topEntries,
  transitions,
  type Verdict,
  verdict as verdictOf,
} from './report-facts.js';
import { type Cell, cellText, textTable } from './text-table.js';

const DEFAULT_TOP = 10;

export function renderReportText(report: SimulationReport, options: ReportRenderOptions): string {
  // An explicit level: colour is the caller's decision, not chalk's own TTY detection.
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const top = options.top ?? DEFAULT_TOP;
  const lines: string[] = [...header(report, c), ''];

  lines.push(c.bold('Outcomes'));
  lines.push(
    ...textTable(
      OUTCOMES.map((o) => [
        { text: o, paint: outcomePaint(c, o) },
        { text: formatCount(report.outcomes[o]), right: true },
        { text: formatShare(report.outcomes[o], report.evaluated), right: true, paint: c.dim },
      ]),
    ),
    '',
  );

  lines.push(...countsSection(c, 'Top agents', 'agent', report.by_agent, top));
  lines.push(...countsSection(c, 'Top tools', 'tool', report.by_tool, top));
  lines.push(...numberSection(c, 'Top rules', 'rule', report.by_rule, top));
  lines.push(...numberSection(c, 'Top reason codes', 'code', report.by_code, top));
  lines.push(...changesSection(c, report));
  lines.push(...malformedSection(c, report));

  const verdict = [blockedPhrase(report), newPhrase(report)].filter(Boolean).join(' ');
  const styles: Record<Verdict, [string, ChalkInstance]> = {
    blocked: ['✖', c.red.bold],
    clear: ['✔', c.green.bold],
    empty: ['⚠', c.yellow.bold],
  };
  const [mark, paint] = styles[verdictOf(report)];
  lines.push(paint(`${mark} ${verdict}`));
  return `${lines.join('\n')}\n`;
}

function header(report: SimulationReport, c: ChalkInstance): string[] {
  const parts = [
    `policy ${cellText(report.policy.revision)} (${cellText(report.policy.engine)})`,
    ...(report.baseline ? [`baseline ${cellText(report.baseline.revision)}`] : []),
    ...(report.shard !== undefined ? [`shard ${cellText(report.shard)}`] : []),
  ];
  const records = [
    `${formatCount(report.evaluated)} evaluated`,
    `${formatCount(report.skipped)} skipped`,
    `${formatCount(report.malformed)} malformed`,
    ...(report.filtered !== undefined
      ? [`${formatCount(report.filtered)} outside --since/--until`]
      : []),
    ...(report.late > 0 ? [`${formatCount(report.late)} late`] : []),
    ...(report.erased > 0 ? [`${formatCount(report.erased)} with erased input`] : []),
  ];
  return [
    `${c.bold('Simulation')}  ${c.dim(parts.join('  '))}`,
    `  ${formatCount(report.events)} records: ${records.join(', ')}`,
  ];
}

function outcomePaint(c: ChalkInstance, outcome: string): (s: string) => string {
  if (outcome === 'deny') return c.red;
  if (outcome === 'approval_needed') return c.yellow;
  if (outcome === 'sanitize') return c.cyan;
  return c.green;
}

function countsSection(
  c: ChalkInstance,
  title: string,
  column: string,
  table: Record<string, CountsWithBlocks>,
  top: number,
): string[] {
  const { entries, omitted } = topEntries(table, (v) => [v.would_block, v.events], top);
  if (entries.length === 0) return [];
  const head: Cell[] = [column, 'events', 'would block', ...OUTCOMES].map((text, i) => ({
    text,
    right: i > 0,
    paint: c.dim,
  }));
  const rows: Cell[][] = entries.map(([id, v]) => [
    { text: cellText(id) },
    { text: formatCount(v.events), right: true },
    {
      text: formatCount(v.would_block),
      right: true,
      ...(v.would_block > 0 ? { paint: c.red } : {}),
    },
    ...OUTCOMES.map((o) => ({ text: formatCount(v[o]), right: true })),
  ]);
  return [
    `${c.bold(title)} ${c.dim('by would-block')}`,
    ...textTable([head, ...rows]),
    ...more(c, omitted),
    '',
  ];
}

function numberSection(
  c: ChalkInstance,
  title: string,
  column: string,
  table: Record<string, number>,
  top: number,
): string[] {
  const { entries, omitted } = topEntries(table, (n) => [n], top);
  if (entries.length === 0) return [];
  const rows: Cell[][] = [
    [
      { text: column, paint: c.dim },
      { text: 'hits', right: true, paint: c.dim },
    ],
    ...entries.map(([id, n]) => [
      { text: cellText(id, 72) },
      { text: formatCount(n), right: true },
    ]),
  ];
  return [c.bold(title), ...textTable(rows), ...more(c, omitted), ''];
}

function changesSection(c: ChalkInstance, report: SimulationReport): string[] {
  if (report.compared_with === 'none') return [];
  const title = `${c.bold('Changes')} ${c.dim(`against ${COMPARED_WITH_TEXT[report.compared_with]}`)}`;
  const changes = transitions(report);
  if (changes.length === 0) return [title, '  no outcome changed', ''];
  const rows: Cell[][] = changes.map((t) => [
    { text: `${cellText(t.from, 24)} -> ${t.to}` },
    { text: formatCount(t.count), right: true },
    {
      text: t.kind.replace('-', ' '),
      paint: t.kind === 'new-block' ? c.red : t.kind === 'unblock' ? c.green : c.dim,
    },
  ]);
  return [title, ...textTable(rows), ''];
}

function malformedSection(c: ChalkInstance, report: SimulationReport): string[] {
  if (report.first_malformed.length === 0) return [];
  const shown = report.first_malformed.length;
  const title =
    shown < report.malformed
      ? `Malformed records ${c.dim(`(first ${formatCount(shown)} of ${formatCount(report.malformed)})`)}`
      : 'Malformed records';
  const rows: Cell[][] = report.first_malformed.map((m) => [
    { text: `${cellText(m.file, 60)}:${m.line}`, paint: c.dim },
    { text: cellText(m.error, 100) },
  ]);
  return [c.yellow.bold(title), ...textTable(rows), ''];
}

function more(c: ChalkInstance, omitted: number): string[] {
  return omitted > 0 ? [c.dim(`  … and ${formatCount(omitted)} more`)] : [];
}
