/**
 * The report renderers over hand-made reports: golden files per format (UPDATE_GOLDEN=1
 * refreshes test/golden/simulate/), colour only when asked, and hostile trace strings that
 * arrive as text in every format.
 */
import { describe, expect, it } from 'vitest';
import { canonicalReport } from '../../../src/simulator/render/json.js';
import { xml, xmlAttribute } from '../../../src/simulator/render/junit.js';
import { md, mdCode } from '../../../src/simulator/render/markdown.js';
import {
  isReportFormat,
  REPORT_FORMATS,
  REPORT_RENDERERS,
} from '../../../src/simulator/render/renderers.js';
import type { SimulationReport } from '../../../src/simulator/types.js';
import { expectGolden } from '../../render/golden.js';
import { CLEAN, HOSTILE, OPTIONS, REPORT } from './sample-report.js';

const EXTENSION = { text: 'txt', json: 'json', markdown: 'md', html: 'html', junit: 'xml' };
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
const ANSI = /\u001b\[[\d;]*m/g;

describe('report renderers', () => {
  it('has one renderer per --format choice', () => {
    expect(REPORT_FORMATS).toEqual(['text', 'json', 'markdown', 'html', 'junit']);
    expect(isReportFormat('html')).toBe(true);
    expect(isReportFormat('sarif')).toBe(false);
    expect(isReportFormat('constructor')).toBe(false);
  });

  for (const format of REPORT_FORMATS) {
    it(`renders ${format} (golden)`, () => {
      expectGolden(
        `simulate/report.${EXTENSION[format]}`,
        REPORT_RENDERERS[format](REPORT, OPTIONS),
      );
      expectGolden(`simulate/clean.${EXTENSION[format]}`, REPORT_RENDERERS[format](CLEAN, OPTIONS));
    });
  }
});

/** A trace of malformed records only: nothing evaluated, which must not read as a pass. */
const NOTHING: SimulationReport = {
  ...CLEAN,
  events: 3,
  evaluated: 0,
  skipped: 0,
  malformed: 3,
  outcomes: { allow: 0, sanitize: 0, approval_needed: 0, deny: 0 },
  by_agent: {},
  by_tool: {},
  by_rule: {},
  by_code: {},
};

describe('a run that evaluated no call says so in every format, not that none would be blocked', () => {
  it.each([
    ['text', (out: string) => out.trimEnd().split('\n').at(-1), '⚠ No call was evaluated'],
    ['markdown', (out: string) => out.split('\n')[0], '### ⚠️ **No call was evaluated**'],
    [
      'html',
      (out: string) => /<p class="verdict[^"]*"[^>]*>.*?<\/p>/.exec(out)?.[0],
      '<p class="verdict warn" id="verdict"><span class="dot"></span>No call was evaluated</p>',
    ],
  ] as const)('%s', (format, pick, expected) => {
    expect(pick(REPORT_RENDERERS[format](NOTHING, OPTIONS))).toBe(expected);
  });
});

describe('text', () => {
  const render = REPORT_RENDERERS.text;

  it('states the verdict with the new blocks last', () => {
    expect(render(REPORT, OPTIONS).trimEnd().split('\n').at(-1)).toBe(
      '✖ 150 calls would be blocked (15 new)',
    );
    expect(render(CLEAN, OPTIONS).trimEnd().split('\n').at(-1)).toBe('✔ No call would be blocked');
  });

  it('uses ANSI colour only when asked, without moving a column', () => {
    const plain = render(REPORT, OPTIONS);
    const coloured = render(REPORT, { ...OPTIONS, color: true });
    expect(plain).not.toMatch(ANSI);
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(ANSI, '')).toBe(plain);
  });

  it('keeps control characters from the trace off the terminal', () => {
    const out = render(HOSTILE, OPTIONS);
    expect(out).not.toContain('\u001b');
    expect(out).toContain('a|b\\u001b[31m<b>');
    expect(out).toContain('\\u000asecond line');
  });

  it('shortens a long id in the middle and says how many rows it left out', () => {
    const long = `agent-${'x'.repeat(100)}-end`;
    const many: Record<string, SimulationReport['by_agent'][string]> = {};
    for (let i = 0; i < 14; i++) many[`a${i}`] = { ...zero, events: i };
    many[long] = { ...zero, events: 99, would_block: 1, deny: 1 };
    const out = render({ ...CLEAN, by_agent: many }, OPTIONS);
    expect(out).toMatch(/ {2}agent-x+…x+-end +99 +1 /);
    expect(out).toContain('  … and 5 more');
  });
});

const zero = { events: 0, would_block: 0, allow: 0, sanitize: 0, approval_needed: 0, deny: 0 };

describe('json', () => {
  it('is one document of the report, maps sorted by key, unknown fields kept', () => {
    const shuffled = {
      ...REPORT,
      changes: { 'deny->allow': 4, 'allow->deny': 9 },
      future_field: { kept: true },
    } as SimulationReport;
    const out = REPORT_RENDERERS.json(shuffled, OPTIONS);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(parsed.changes as object)).toEqual(['allow->deny', 'deny->allow']);
    expect(parsed.future_field).toEqual({ kept: true });
    expect(Object.keys(parsed).slice(0, 4)).toEqual([
      'format_version',
      'events',
      'evaluated',
      'skipped',
    ]);
    expect(out.endsWith('}\n')).toBe(true);
  });

  it('keeps an agent called __proto__ as a key', () => {
    const out = canonicalReport(HOSTILE);
    expect(Object.hasOwn(out.by_agent, '__proto__')).toBe(true);
    const parsed = JSON.parse(REPORT_RENDERERS.json(HOSTILE, OPTIONS)) as SimulationReport;
    expect(Object.getOwnPropertyDescriptor(parsed.by_agent, '__proto__')?.value.events).toBe(1);
  });
});

describe('markdown', () => {
  const render = REPORT_RENDERERS.markdown;

  it('opens with the headline of a pull-request comment', () => {
    expect(render(REPORT, OPTIONS).split('\n')[0]).toBe(
      '### ⛔ **150 calls would be blocked** (15 new)',
    );
    expect(render(CLEAN, OPTIONS).split('\n')[0]).toBe('### ✅ **No call would be blocked**');
  });

  it('folds the examples into <details>', () => {
    const out = render(REPORT, OPTIONS);
    expect(out).toMatch(/<details>\n<summary>Examples \(3\)<\/summary>\n/);
    expect(out.match(/<details>/g)).toHaveLength(out.match(/<\/details>/g)?.length ?? -1);
  });

  it('cannot be broken out of by an id: no raw tags outside code spans, no extra columns', () => {
    const out = render(HOSTILE, OPTIONS);
    // The only tags outside code spans are the renderer's own.
    const outside = out.replace(/(`+)[\s\S]*?[^`]\1(?!`)/g, '');
    const tags = outside.match(/<\/?[a-z][^>]*>/gi) ?? [];
    expect(new Set(tags)).toEqual(new Set(['<details>', '</details>', '<summary>', '</summary>']));
    // Each table row has exactly as many cells as its header.
    for (const table of out.split('\n\n').filter((b) => b.startsWith('|'))) {
      const rows = table.split('\n');
      const cells = (row: string) => row.replace(/\\\|/g, '').split('|').length;
      for (const row of rows) expect(cells(row), row).toBe(cells(rows[0] ?? ''));
    }
  });

  it('escapes inline text and fences code spans around backticks', () => {
    expect(md('a|b <i>*x*</i>\nnext')).toBe('a\\|b &#60;i&#62;\\*x\\*&#60;/i&#62; next');
    expect(mdCode('plain')).toBe('`plain`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b')).toBe('`a\\|b`');
  });

  it('shortens a long id in the middle, so one record cannot make the comment unpostable', () => {
    const long = `${'A'.repeat(35_000)}${'B'.repeat(35_000)}`;
    const code = mdCode(long);
    expect(code).toBe(`\`${'A'.repeat(50)}…${'B'.repeat(49)}\``);
    const report = structuredClone(REPORT);
    const counts = Object.values(REPORT.by_agent)[0];
    if (!counts) throw new Error('the sample report has no agent');
    report.by_agent = { [long]: { ...counts } };
    const out = REPORT_RENDERERS.markdown(report, OPTIONS);
    expect(out.length).toBeLessThan(20_000);
  });

  it("puts a malformed record's message in a code span: no @mention, issue link or autolink", () => {
    const report = structuredClone(REPORT);
    report.malformed = 1;
    report.first_malformed = [
      { file: 't.jsonl', line: 1, error: 'context.time "@octocat see https://evil.example #1"' },
    ];
    const out = REPORT_RENDERERS.markdown(report, OPTIONS);
    expect(out).toContain('- `t.jsonl:1` `context.time "@octocat see https://evil.example #1"`');
  });
});

describe('junit', () => {
  const render = REPORT_RENDERERS.junit;

  it('keeps a tab, line break or carriage return in an attribute as a reference', () => {
    expect(xmlAttribute('a\tb\nc\rd"')).toBe('a&#9;b&#10;c&#13;d&#34;');
    // In text, a raw \n is kept (the failure body has lines); \r is a reference.
    expect(xml('a\nb\rc')).toBe('a\nb&#13;c');
  });

  it('has one test case per agent, failing when it has would-blocks', () => {
    const out = render(REPORT, OPTIONS);
    expect(out.match(/<testcase /g)).toHaveLength(4);
    expect(out).toContain('tests="4" failures="3"');
    expect(out).toContain('<testcase classname="aegis.simulate" name="agent research-crawler"/>');
    expect(out).toMatch(
      /name="agent payments-bot">\n\s+<failure type="would-block" message="100 calls of 510 would be blocked/,
    );
  });

  it('puts an agent’s examples (keyed tenant/agent) into its failure', () => {
    const keyed = { ...REPORT, by_agent: { 'acme/payments-bot': REPORT.by_agent['payments-bot'] } };
    const out = render(keyed as SimulationReport, OPTIONS);
    expect(out).toContain('stripe.refund allow-&#62;deny: amount_over_max');
  });

  it('escapes markup and the characters XML cannot hold', () => {
    const out = render(HOSTILE, OPTIONS);
    expect(out).not.toContain('<script>');
    expect(out).toContain('name="agent &#60;script&#62;alert(1)&#60;/script&#62;"');
    expect(out).toContain('name="agent &#34; onmouseover=&#34;alert(2)"');
    expect(REPORT_RENDERERS.junit({ ...CLEAN, by_agent: { 'a\u0001b': zero } }, OPTIONS)).toContain(
      'name="agent a\\u0001b"',
    );
  });
});
