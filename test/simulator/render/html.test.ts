/**
 * The HTML report as text: self-contained (no network, no script), every trace string escaped,
 * and charts that draw one bar per timeline hour and per change. test/e2e/html-report.test.ts
 * opens the same page in headless Chromium.
 */
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../../src/simulator/render/html.js';
import { h } from '../../../src/simulator/render/html-escape.js';
import { hourIndex, niceMax, timelineChart } from '../../../src/simulator/render/svg-charts.js';
import { CLEAN, HOSTILE, OPTIONS, REPORT } from './sample-report.js';

describe('html report', () => {
  it('loads nothing: no script, no external resource, a CSP that forbids both', () => {
    for (const report of [REPORT, CLEAN, HOSTILE]) {
      const page = renderReportHtml(report, OPTIONS);
      expect(page).not.toMatch(/<script|<link|<img|<iframe|<object|@import|url\(/i);
      expect(page).not.toMatch(/<[^>]*\s(src|href|xlink:href)=/i);
      expect(page).not.toMatch(/https?:\/\//);
      expect(page).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
      );
    }
  });

  it('escapes every string from the trace', () => {
    const page = renderReportHtml(HOSTILE, OPTIONS);
    expect(page).toContain('<td class="id">&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(page).toContain('&quot; onmouseover=&quot;alert(2)');
    // No tag of the page carries an event handler (the ids are text between tags).
    expect(page).not.toMatch(/<[^>]*\son\w+=/i);
    expect(page).toContain(
      'x&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;img src=x onerror=alert(3)&gt;',
    );
    expect(page).toContain('&lt;/details&gt;&lt;script&gt;');
    expect(page).toContain('&lt;svg onload=alert(4)&gt;');
    expect(page).toContain('a|b\\u001b[31m&lt;b&gt;');
    expect(page).not.toContain('\u001b');
    // The page's own tags are balanced: nothing from the trace closed or opened one.
    for (const tag of ['table', 'tr', 'td', 'details', 'section', 'svg', 'code']) {
      const open = page.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length ?? 0;
      const close = page.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect(close, tag).toBe(open);
    }
  });

  it('h() escapes markup, both quotes and control characters', () => {
    expect(h(`<a href='x'>"&"</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;');
    expect(h('a\u202eb')).toBe('a\\u202eb');
  });

  it('draws one timeline bar per hour entry, on a true time axis', () => {
    const svg = timelineChart(REPORT.timeline);
    const bars = [
      ...svg.matchAll(/<rect class="bar" data-hour="([^"]+)" data-count="(\d+)" x="([\d.]+)"/g),
    ];
    expect(bars.map((b) => b[1])).toEqual(Object.keys(REPORT.timeline));
    expect(bars.map((b) => Number(b[2]))).toEqual(Object.values(REPORT.timeline));
    // 08 and 09 are one hour apart, 11 and 14 three: the gaps are proportional.
    const x = bars.map((b) => Number(b[3]));
    const hour = (x[1] ?? 0) - (x[0] ?? 0);
    expect(hour).toBeGreaterThan(0);
    expect((x[4] ?? 0) - (x[3] ?? 0)).toBeCloseTo(3 * hour, 1);
  });

  it('says so instead of drawing an empty chart', () => {
    expect(timelineChart({})).toContain('No call would be blocked');
    expect(renderReportHtml(CLEAN, OPTIONS)).not.toContain('id="timeline-chart"');
  });

  it('draws the changes as one bar per transition, coloured by kind', () => {
    const page = renderReportHtml(REPORT, OPTIONS);
    const groups = [...page.matchAll(/<g class="change ([\w-]+)" data-transition="([^"]+)">/g)];
    expect(groups).toHaveLength(Object.keys(REPORT.changes).length);
    expect(groups.map((g) => [g[2], g[1]])).toContainEqual(['allow-&gt;deny', 'new-block']);
    expect(groups.map((g) => [g[2], g[1]])).toContainEqual(['deny-&gt;allow', 'unblock']);
  });

  it('reads the hour keys and rounds the axis', () => {
    expect(hourIndex('1970-01-01T01')).toBe(1);
    expect(hourIndex('2025-03-04')).toBeUndefined();
    expect([0, 1, 3, 35, 101, 2000].map(niceMax)).toEqual([1, 1, 5, 50, 200, 2000]);
  });
});
