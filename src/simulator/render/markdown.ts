/**
 * A pull-request comment (GitHub-flavoured Markdown): a headline such as
 * "**12 calls would be blocked** (3 new)", small tables, and the examples folded away in a
 * `<details>` block. Every string from the trace goes through md() or mdCode(): GitHub renders
 * inline HTML and table pipes, and an agent id must not be able to close the `<details>`, add a
 * column or @mention someone.
 */
import { printable } from '../../render/printable.js';
import type { CountsWithBlocks, ReportExample, SimulationReport } from '../types.js';
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
  verdict,
} from './report-facts.js';
import { cellText } from './text-table.js';

const DEFAULT_TOP = 10;
const KIND_LABEL = {
  'new-block': '🔴 new block',
  unblock: '🟢 unblocked',
  tighter: 'tighter',
  looser: 'looser',
} as const;

/** Inline text: HTML entities and Markdown punctuation escaped, one line. */
export function md(text: string): string {
  return printable(oneLine(text))
    .replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`)
    .replace(/[\\`*_[\]|~]/g, (ch) => `\\${ch}`);
}

/** How long an id may be in a comment: GitHub refuses comments over 65,536 characters. */
const MAX_ID = 100;

/**
 * Text from the trace as a code span: shown verbatim, never HTML, never an @mention, an issue
 * reference or a link. Shortened in the middle past MAX_ID characters, so that one record's
 * 70,000-character agent id cannot make the comment too long to post. The fence is one
 * backtick longer than the longest run inside (CommonMark), and `|` is escaped because GFM
 * splits table cells before it parses code spans.
 */
export function mdCode(text: string): string {
  const body = cellText(oneLine(text), MAX_ID).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body === '' ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export function renderReportMarkdown(
  report: SimulationReport,
  options: ReportRenderOptions,
): string {
  const top = options.top ?? DEFAULT_TOP;
  const out: string[] = [];
  const blocked = `**${blockedPhrase(report)}**`;
  const fresh = newPhrase(report);
  const icon = { blocked: '⛔', clear: '✅', empty: '⚠️' }[verdict(report)];
  out.push(`### ${icon} ${blocked}${fresh ? ` ${fresh}` : ''}`, '');
  out.push(summaryLine(report), '');

  out.push('| outcome | calls | share |', '|---|---:|---:|');
  for (const o of OUTCOMES) {
    out.push(
      `| ${o} | ${formatCount(report.outcomes[o])} | ${formatShare(report.outcomes[o], report.evaluated)} |`,
    );
  }
  out.push('');

  if (report.compared_with !== 'none') {
    out.push(`**Changes** against ${COMPARED_WITH_TEXT[report.compared_with]}`, '');
    const changes = transitions(report);
    if (changes.length === 0) out.push('No outcome changed.', '');
    else {
      out.push('| from | to | calls | |', '|---|---|---:|---|');
      for (const t of changes) {
        out.push(
          `| ${mdCode(t.from)} | ${mdCode(t.to)} | ${formatCount(t.count)} | ${KIND_LABEL[t.kind]} |`,
        );
      }
      out.push('');
    }
  }

  out.push(...countsTable('Top agents', 'agent', report.by_agent, top));
  out.push(...countsTable('Top tools', 'tool', report.by_tool, top));
  out.push(...numberTable('Top rules', 'rule', report.by_rule, top));
  out.push(...numberTable('Top reason codes', 'code', report.by_code, top));
  out.push(...examples(report.examples));
  out.push(...malformed(report));
  return `${out.join('\n').trimEnd()}\n`;
}

function summaryLine(report: SimulationReport): string {
  const sentences = [
    `Replayed ${formatCount(report.evaluated)} of ${formatCount(report.events)} records ` +
      `(${formatCount(report.skipped)} skipped, ${formatCount(report.malformed)} malformed) ` +
      `against policy ${mdCode(report.policy.revision)} on the ${md(report.policy.engine)} engine` +
      (report.baseline ? `, baseline ${mdCode(report.baseline.revision)}` : '') +
      (report.shard !== undefined ? `, shard ${md(report.shard)}` : ''),
  ];
  if (report.filtered !== undefined && report.filtered > 0) {
    sentences.push(`${formatCount(report.filtered)} events outside --since/--until were left out`);
  }
  if (report.late > 0) {
    sentences.push(`${formatCount(report.late)} late events were replayed out of order`);
  }
  if (report.erased > 0) {
    sentences.push(`${formatCount(report.erased)} events had erased input fields`);
  }
  return sentences.map((s) => `${s}.`).join(' ');
}

function countsTable(
  title: string,
  column: string,
  table: Record<string, CountsWithBlocks>,
  top: number,
): string[] {
  const { entries, omitted } = topEntries(table, (v) => [v.would_block, v.events], top);
  if (entries.length === 0) return [];
  return [
    `**${title}** by would-block`,
    '',
    `| ${column} | events | would block | deny | approval_needed | sanitize |`,
    '|---|---:|---:|---:|---:|---:|',
    ...entries.map(
      ([id, v]) =>
        `| ${mdCode(id)} | ${formatCount(v.events)} | ${formatCount(v.would_block)} | ${formatCount(v.deny)} | ${formatCount(v.approval_needed)} | ${formatCount(v.sanitize)} |`,
    ),
    ...(omitted > 0 ? [`| … and ${formatCount(omitted)} more | | | | | |`] : []),
    '',
  ];
}

function numberTable(
  title: string,
  column: string,
  table: Record<string, number>,
  top: number,
): string[] {
  const { entries, omitted } = topEntries(table, (n) => [n], top);
  if (entries.length === 0) return [];
  return [
    `**${title}**`,
    '',
    `| ${column} | hits |`,
    '|---|---:|',
    ...entries.map(([id, n]) => `| ${mdCode(id)} | ${formatCount(n)} |`),
    ...(omitted > 0 ? [`| … and ${formatCount(omitted)} more | |`] : []),
    '',
  ];
}

function examples(list: readonly ReportExample[]): string[] {
  if (list.length === 0) return [];
  return [
    '<details>',
    `<summary>Examples (${formatCount(list.length)})</summary>`,
    '',
    '| transition | time | agent | tool | outcome | reasons | source |',
    '|---|---|---|---|---|---|---|',
    ...list.map((e) => {
      const tool = e.action !== undefined ? `${e.tool}.${e.action}` : e.tool;
      const agent = e.tenant !== undefined ? `${e.tenant}/${e.agent}` : e.agent;
      const reasons = e.reasons.map((r) => `${md(r.code)} ${mdCode(r.rule)}`).join('<br>');
      const trace = e.trace_id !== undefined ? ` trace ${mdCode(e.trace_id)}` : '';
      return `| ${mdCode(e.transition)} | ${md(e.time)} | ${mdCode(agent)} | ${mdCode(tool)} | ${md(e.outcome)} | ${reasons} | ${mdCode(`${e.file}:${e.line}`)}${trace} |`;
    }),
    '',
    '</details>',
    '',
  ];
}

function malformed(report: SimulationReport): string[] {
  if (report.first_malformed.length === 0) return [];
  return [
    '<details>',
    `<summary>Malformed records (${formatCount(report.malformed)})</summary>`,
    '',
    // The error quotes the record (`context.time "@octocat see https://..."`): a code span.
    ...report.first_malformed.map((m) => `- ${mdCode(`${m.file}:${m.line}`)} ${mdCode(m.error)}`),
    '',
    '</details>',
    '',
  ];
}
