/**
 * JUnit XML for CI test tabs: one test case per agent, failing when any of its calls would be
 * blocked, with the agent's examples in the failure body. Agent ids are untrusted: escaped,
 * and the characters XML 1.0 cannot hold at all are written as `\uXXXX`.
 */
import type { SimulationReport } from '../types.js';
import type { ReportRenderOptions } from './renderers.js';
import { compareKeys, formatCount, plural } from './report-facts.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what XML 1.0 forbids
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udfff]/gu;

/** Text content: a carriage return as a reference too, since parsers turn a raw one into \n. */
export function xml(text: string): string {
  return text
    .replace(NOT_XML, (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
    .replace(/[&<>"'\r]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** An attribute's value: tabs and line breaks as references, which parsers would make spaces. */
export function xmlAttribute(text: string): string {
  return xml(text).replace(/[\t\n]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function renderReportJunit(report: SimulationReport, options: ReportRenderOptions): string {
  const agents = Object.keys(report.by_agent).sort(compareKeys);
  const failures = agents.filter((a) => (report.by_agent[a]?.would_block ?? 0) > 0).length;
  const suite = `aegis simulate (policy ${report.policy.revision})`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="aegis simulate" tests="${agents.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="${xmlAttribute(suite)}" tests="${agents.length}" failures="${failures}" errors="0" skipped="0">`,
    '    <properties>',
    `      <property name="aegis.version" value="${xmlAttribute(options.version)}"/>`,
    `      <property name="policy.revision" value="${xmlAttribute(report.policy.revision)}"/>`,
    `      <property name="policy.engine" value="${xmlAttribute(report.policy.engine)}"/>`,
    ...(report.baseline
      ? [
          `      <property name="baseline.revision" value="${xmlAttribute(report.baseline.revision)}"/>`,
        ]
      : []),
    `      <property name="events" value="${report.events}"/>`,
    `      <property name="would_block" value="${report.would_block}"/>`,
    '    </properties>',
  ];
  for (const agent of agents) {
    const counts = report.by_agent[agent];
    if (!counts) continue;
    const name = `agent ${agent}`;
    if (counts.would_block === 0) {
      lines.push(`    <testcase classname="aegis.simulate" name="${xmlAttribute(name)}"/>`);
      continue;
    }
    const message = `${plural(counts.would_block, 'call')} of ${formatCount(counts.events)} would be blocked (${formatCount(counts.deny)} deny, ${formatCount(counts.approval_needed)} approval_needed)`;
    const body = report.examples
      // by_agent keys are `tenant/agent` for a call with a tenant (report.ts).
      .filter((e) => (e.tenant !== undefined ? `${e.tenant}/${e.agent}` : e.agent) === agent)
      .map((e) => {
        const tool = e.action !== undefined ? `${e.tool}.${e.action}` : e.tool;
        const codes = e.reasons.map((r) => `${r.code} (${r.rule})`).join(', ');
        return `${e.time} ${tool} ${e.transition}: ${codes} at ${e.file}:${e.line}`;
      });
    lines.push(
      `    <testcase classname="aegis.simulate" name="${xmlAttribute(name)}">`,
      `      <failure type="would-block" message="${xmlAttribute(message)}">${xml([message, ...body].join('\n'))}</failure>`,
      '    </testcase>',
    );
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}
