/**
 * The HTML report in a real browser: headless Chromium (the Debian package, driven by
 * playwright-core) opens the page the built CLI wrote from a trace with hostile agent ids, and
 * the hand-made hostile sample report. No console error, no page error, no request but the
 * file itself, no script element; the charts draw one bar per timeline hour and per change;
 * nothing overflows the page; the screenshot is a real PNG.
 *
 * Chromium missing is a failure, not a skip: `apt-get install -y chromium` (CI does).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/simulator/render/html.js';
import type { SimulationReport } from '../../src/simulator/types.js';
import { HOSTILE, OPTIONS } from '../simulator/render/sample-report.js';
import { aegis, tempDir } from './run-cli.js';

const CHROMIUM = process.env.AEGIS_CHROMIUM ?? '/usr/bin/chromium';
const WIDTH = 1200;
const SCRIPT_AGENT = '<script>alert(1)</script>';
const TITLE_AGENT = `<img src=x onerror="document.title='pwned'">`;

let dir: { path: string; remove: () => void };
let browser: Browser | undefined;

/** Two working days of payments, hourly, plus calls by agents no policy names (denied). */
function hostileTrace(): string {
  const lines: string[] = [];
  const hours = [
    ...[8, 9, 10, 11, 13, 15, 16, 19].map((h) => `2026-11-16T${String(h).padStart(2, '0')}`),
    ...[7, 9, 10, 14].map((h) => `2026-11-17T${String(h).padStart(2, '0')}`),
  ];
  hours.forEach((hour, i) => {
    for (let j = 0; j <= i % 4; j++) {
      const amount = [250, 1500, 7200][(i + j) % 3];
      lines.push(
        JSON.stringify({
          agent: { id: 'finance-agent' },
          tool: { name: 'stripe-payments', action: 'create_payment' },
          params: { amount, currency: 'USD', recipient: { country: 'US' } },
          egress: { host: 'api.stripe.com' },
          context: { time: `${hour}:${String(10 + j * 7).padStart(2, '0')}:00Z`, cost_usd: 0.01 },
          recorded: { decision: 'allow' },
        }),
      );
    }
    const intruder = i % 2 === 0 ? SCRIPT_AGENT : TITLE_AGENT;
    lines.push(
      JSON.stringify({
        agent: { id: intruder },
        tool: { name: `<svg onload=alert(${i})>` },
        params: {},
        context: { time: `${hour}:45:00Z` },
        recorded: { decision: 'allow' },
      }),
    );
  });
  return `${lines.join('\n')}\n`;
}

const MISSING = `headless Chromium is missing at ${CHROMIUM}: the HTML report test needs it. Install it with \`apt-get install -y chromium\` (Debian/Ubuntu; .ci/run does), or point AEGIS_CHROMIUM at a Chromium binary`;

beforeAll(async () => {
  dir = tempDir('html-report');
  // Each test then fails on its own, saying how to install it: never a silent skip.
  if (!existsSync(CHROMIUM)) return;
  expect(aegis(['init', '.'], { cwd: dir.path }).code).toBe(0);
  writeFileSync(join(dir.path, 'hostile.jsonl'), hostileTrace());
  mkdirSync(join(dir.path, 'shots'));
  writeFileSync(join(dir.path, 'sample.html'), renderReportHtml(HOSTILE, OPTIONS));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  dir?.remove();
});

interface PageFacts {
  problems: string[];
  requests: string[];
  title: string;
  scripts: number;
  bars: string[];
  changes: string[];
  agents: string[];
  overflow: number;
}

async function open(file: string, shot: string): Promise<PageFacts> {
  if (!browser) throw new Error(MISSING);
  const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.goto(pathToFileURL(join(dir.path, file)).href, { waitUntil: 'load' });
    await page.screenshot({ path: join(dir.path, 'shots', shot), fullPage: true });
    // A string, not a function: this project's types have no DOM (tsconfig lib ES2023).
    const facts = (await page.evaluate(`(() => ({
      title: document.title,
      scripts: document.querySelectorAll('script').length,
      bars: [...document.querySelectorAll('#timeline-chart rect.bar')].map(
        (b) => b.getAttribute('data-hour') + '=' + b.getAttribute('data-count'),
      ),
      changes: [...document.querySelectorAll('#changes-chart g.change')].map(
        (g) => g.getAttribute('data-transition') ?? '',
      ),
      agents: [...document.querySelectorAll('#agents td.id')].map((td) => td.textContent ?? ''),
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    }))()`)) as Omit<PageFacts, 'problems' | 'requests'>;
    return { problems, requests, ...facts };
  } finally {
    await page.close();
  }
}

/** Width and height from the IHDR chunk, after checking the PNG signature. */
function pngSize(path: string): { width: number; height: number; bytes: number } {
  const png = readFileSync(path);
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bytes: statSync(path).size };
}

function expectCleanPage(facts: PageFacts, file: string) {
  expect(facts.problems).toEqual([]);
  expect(facts.requests).toEqual([pathToFileURL(join(dir.path, file)).href]);
  expect(facts.scripts).toBe(0);
  expect(facts.overflow, 'the page scrolls sideways').toBeLessThanOrEqual(0);
}

describe('the HTML report in headless Chromium', () => {
  it('runs in an installed Chromium', () => {
    expect(existsSync(CHROMIUM), MISSING).toBe(true);
  });

  it('renders the report the CLI wrote, hostile agent ids as text', async () => {
    if (!browser) throw new Error(MISSING);
    const html = aegis(
      ['simulate', 'hostile.jsonl', '--policy', 'policies', '--format', 'html', '-o', 'r.html'],
      { cwd: dir.path },
    );
    expect(html.code, html.stderr).toBe(0);
    const data = aegis(['simulate', 'hostile.jsonl', '--policy', 'policies', '--format', 'json'], {
      cwd: dir.path,
    });
    const report = JSON.parse(data.stdout) as SimulationReport;
    expect(Object.keys(report.timeline).length).toBeGreaterThan(8);
    expect(report.compared_with).toBe('recorded');

    const facts = await open('r.html', 'cli.png');
    expectCleanPage(facts, 'r.html');
    expect(facts.title).toBe(`${report.would_block} calls would be blocked · aegis simulate`);
    expect(facts.bars).toEqual(Object.entries(report.timeline).map(([h, n]) => `${h}=${n}`));
    expect(facts.changes.sort()).toEqual(Object.keys(report.changes).sort());
    // by_agent's keys, as text: the `/` of `</script>` is written %2F there (report.ts).
    expect(facts.agents.sort()).toEqual(Object.keys(report.by_agent).sort());
    expect(facts.agents).toEqual(
      expect.arrayContaining([SCRIPT_AGENT.replace('/', '%2F'), TITLE_AGENT]),
    );

    const png = pngSize(join(dir.path, 'shots', 'cli.png'));
    expect(png.width).toBe(WIDTH);
    expect(png.height).toBeGreaterThan(1500);
    expect(png.bytes).toBeGreaterThan(40_000);
  });

  it('renders the hand-made hostile report the same way', async () => {
    if (!browser) throw new Error(MISSING);
    const facts = await open('sample.html', 'sample.png');
    expectCleanPage(facts, 'sample.html');
    expect(facts.bars).toHaveLength(Object.keys(HOSTILE.timeline).length);
    expect(facts.changes).toHaveLength(Object.keys(HOSTILE.changes).length);
    expect(facts.agents).toContain(SCRIPT_AGENT);
    expect(facts.agents).toContain('" onmouseover="alert(2)');
    expect(pngSize(join(dir.path, 'shots', 'sample.png')).bytes).toBeGreaterThan(40_000);
  });
});
