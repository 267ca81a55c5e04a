/**
 * `aegis test` results as text (the terminal), JSON (`TestReport`, for scripts), JUnit XML (CI
 * test tabs: a test suite per file, a test case per case) and GitHub annotations (a failing
 * case marked on its line in the pull request). Names and paths come from the user's files:
 * printable() keeps their control characters off the terminal.
 */
import { Chalk } from 'chalk';
import { escapeData, escapeProperty } from '../render/github.js';
import { printable } from '../render/printable.js';
import { xml, xmlAttribute } from '../simulator/render/junit.js';
import type { Mismatch } from './check-case.js';
import type { TestCase } from './test-file.js';

export interface CaseOutcome {
  case: TestCase;
  mismatches: Mismatch[];
}

/** Rule ids a decision of the policy set can cite, and which no case's decision cited. */
export interface Coverage {
  rules: number;
  cited: number;
  uncited: string[];
}

export interface TestRun {
  engine: string;
  revision: string;
  outcomes: CaseOutcome[];
  coverage?: Coverage;
}

/** The JSON document of `aegis test --format json`. */
export interface TestReport {
  passed: number;
  failed: number;
  engine: string;
  policy: { revision: string };
  files: {
    file: string;
    cases: {
      name: string;
      line: number;
      ok: boolean;
      mismatches: Mismatch[];
    }[];
  }[];
  coverage?: Coverage;
}

export function testReport(run: TestRun): TestReport {
  const files = new Map<string, TestReport['files'][number]>();
  for (const { case: c, mismatches } of run.outcomes) {
    let entry = files.get(c.file);
    if (!entry) {
      entry = { file: c.file, cases: [] };
      files.set(c.file, entry);
    }
    entry.cases.push({ name: c.name, line: c.line, ok: mismatches.length === 0, mismatches });
  }
  const failed = run.outcomes.filter((o) => o.mismatches.length > 0).length;
  return {
    passed: run.outcomes.length - failed,
    failed,
    engine: run.engine,
    policy: { revision: run.revision },
    files: [...files.values()],
    ...(run.coverage ? { coverage: run.coverage } : {}),
  };
}

export function renderJson(run: TestRun): string {
  return `${JSON.stringify(testReport(run), null, 2)}\n`;
}

export function renderText(run: TestRun, color: boolean): string {
  const report = testReport(run);
  // An explicit level: colour is the caller's decision (CLI.md), not chalk's TTY detection.
  const c = new Chalk({ level: color ? 1 : 0 });
  const lines: string[] = [];
  for (const file of report.files) {
    lines.push(printable(file.file));
    for (const one of file.cases) {
      const mark = one.ok ? c.green('PASS') : c.red('FAIL');
      lines.push(`  ${mark}  ${printable(one.name)}${one.ok ? '' : `  (line ${one.line})`}`);
      for (const m of one.mismatches) lines.push(`        ${mismatch(m)}`);
    }
  }
  lines.push(summary(report, (failed) => (report.failed > 0 ? c.red(failed) : failed)));
  const coverage = report.coverage;
  if (coverage) {
    const share = coverage.rules === 0 ? 100 : Math.floor((coverage.cited * 100) / coverage.rules);
    lines.push(
      `coverage: ${coverage.cited} of ${coverage.rules} rule ids cited by some case (${share}%)`,
    );
    for (const rule of coverage.uncited) lines.push(`  never cited: ${printable(rule)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderJunit(run: TestRun, version: string): string {
  const report = testReport(run);
  const total = report.passed + report.failed;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="aegis test" tests="${total}" failures="${report.failed}" errors="0">`,
  ];
  for (const file of report.files) {
    const failures = file.cases.filter((c) => !c.ok).length;
    out.push(
      `  <testsuite name="${xmlAttribute(file.file)}" tests="${file.cases.length}" failures="${failures}" errors="0" skipped="0">`,
      '    <properties>',
      `      <property name="aegis.version" value="${xmlAttribute(version)}"/>`,
      `      <property name="policy.revision" value="${xmlAttribute(report.policy.revision)}"/>`,
      `      <property name="engine" value="${xmlAttribute(report.engine)}"/>`,
      '    </properties>',
    );
    for (const c of file.cases) {
      const open = `    <testcase classname="${xmlAttribute(file.file)}" name="${xmlAttribute(c.name)}" file="${xmlAttribute(file.file)}" line="${c.line}"`;
      if (c.ok) {
        out.push(`${open}/>`);
        continue;
      }
      const body = c.mismatches.map(mismatch).join('\n');
      out.push(
        `${open}>`,
        `      <failure message="${xmlAttribute(differ(c.mismatches))}">${xml(body)}</failure>`,
        '    </testcase>',
      );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/**
 * One annotation per failing case, on its line (`::error file=F,line=L,title=...::message`),
 * and the count as a plain log line.
 */
export function renderGithub(run: TestRun): string {
  const report = testReport(run);
  const lines: string[] = [];
  for (const file of report.files) {
    for (const one of file.cases) {
      if (one.ok) continue;
      const props = [
        `file=${escapeProperty(printable(file.file.replaceAll('\\', '/')))}`,
        `line=${one.line}`,
        `title=${escapeProperty(`aegis test: ${printable(one.name)}`)}`,
      ].join(',');
      lines.push(`::error ${props}::${escapeData(one.mismatches.map(mismatch).join('\n'))}`);
    }
  }
  lines.push(summary(report));
  return `${lines.join('\n')}\n`;
}

/** `9 cases: 8 passed, 1 failed (native engine, policy sha256:…)`; `paint` colours "1 failed". */
function summary(report: TestReport, paint: (failed: string) => string = (f) => f): string {
  const total = report.passed + report.failed;
  return (
    `${total} case${total === 1 ? '' : 's'}: ${report.passed} passed, ${paint(`${report.failed} failed`)} ` +
    `(${report.engine} engine, policy ${report.policy.revision})`
  );
}

function mismatch(m: Mismatch): string {
  return `${m.field}: expected ${show(m.expected)}, got ${show(m.actual)}`;
}

function differ(mismatches: readonly Mismatch[]): string {
  const fields = mismatches.map((m) => m.field).join(', ');
  return `${fields} ${mismatches.length === 1 ? 'differs' : 'differ'} from what was expected`;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'nothing';
}
