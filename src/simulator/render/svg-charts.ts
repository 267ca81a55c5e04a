/**
 * The two charts of the HTML report, drawn as inline SVG so that the file needs no script and
 * no network: would-blocks per UTC hour on a true time axis (an hour without would-blocks is a
 * gap, not a missing slot), and the outcome changes as horizontal bars.
 */
import { h, num } from './html-escape.js';
import { formatCount, type Transition } from './report-facts.js';

const HOUR_MS = 3_600_000;
const WIDTH = 960;
const HEIGHT = 280;
const MARGIN = { top: 16, right: 16, bottom: 48, left: 56 };
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** `YYYY-MM-DDTHH` -> hours since the epoch, or undefined for a key that is not one. */
export function hourIndex(key: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/.exec(key);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  return Number.isFinite(ms) ? ms / HOUR_MS : undefined;
}

/** A round axis maximum (1, 2, 5 x 10^k) at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((f) => f * magnitude >= max) ?? 10;
  return step * magnitude;
}

/** Gridlines at whole counts: 5 for 5 and 10 x 10^k, fewer for 1 and 2. */
function tickCount(yMax: number): number {
  return [5, 4, 2, 1].find((n) => yMax % n === 0) ?? 1;
}

/** Label spacing in hours: the smallest step that keeps about eight labels across the axis. */
const LABEL_STEPS = [1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720, 2160, 8760];

export function timelineChart(timeline: Record<string, number>): string {
  const points = Object.entries(timeline)
    .map(([key, count]) => ({ key, count, hour: hourIndex(key) }))
    .filter(
      (p): p is { key: string; count: number; hour: number } =>
        p.hour !== undefined && Number.isFinite(p.count) && p.count >= 0,
    )
    .sort((a, b) => a.hour - b.hour);
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) return '<p class="empty">No call would be blocked: nothing to chart.</p>';

  const span = last.hour - first.hour + 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotW / span;
  const barW = Math.max(1, Math.min(48, slot * 0.8));
  const yMax = niceMax(Math.max(1, ...points.map((p) => p.count)));
  const y = (n: number) => MARGIN.top + plotH - (n / yMax) * plotH;
  const x = (hour: number) => MARGIN.left + (hour - first.hour) * slot + slot / 2;

  const parts: string[] = [];
  const ticks = tickCount(yMax);
  for (let i = 0; i <= ticks; i++) {
    const value = (yMax / ticks) * i;
    const yy = y(value);
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${num(yy)}" y2="${num(yy)}"/>`,
      `<text class="tick" x="${MARGIN.left - 8}" y="${num(yy + 4)}" text-anchor="end">${formatCount(value)}</text>`,
    );
  }
  const step = LABEL_STEPS.find((s) => span / s <= 8) ?? Math.ceil(span / 8);
  let previousDay = '';
  for (let hour = Math.ceil(first.hour / step) * step; hour <= last.hour; hour += step) {
    const d = new Date(hour * HOUR_MS);
    const day = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
    const xx = x(hour);
    parts.push(
      `<line class="axis" x1="${num(xx)}" x2="${num(xx)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}"/>`,
    );
    if (step < 24) {
      parts.push(
        `<text class="tick" x="${num(xx)}" y="${MARGIN.top + plotH + 19}" text-anchor="middle">${String(d.getUTCHours()).padStart(2, '0')}:00</text>`,
      );
    }
    if (step >= 24 || day !== previousDay) {
      parts.push(
        `<text class="tick day" x="${num(xx)}" y="${MARGIN.top + plotH + (step < 24 ? 35 : 19)}" text-anchor="middle">${day}</text>`,
      );
      previousDay = day;
    }
  }
  for (const p of points) {
    const top = y(p.count);
    const label = `${p.key.replace('T', ' ')}:00 UTC: ${formatCount(p.count)} would-block${p.count === 1 ? '' : 's'}`;
    parts.push(
      `<rect class="bar" data-hour="${h(p.key)}" data-count="${num(p.count)}" x="${num(x(p.hour) - barW / 2)}" y="${num(top)}" width="${num(barW)}" height="${num(MARGIN.top + plotH - top)}" rx="${barW >= 6 ? 2 : 0}"><title>${h(label)}</title></rect>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}"/>`,
  );
  return `<svg id="timeline-chart" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Would-blocks per hour (UTC)">${parts.join('')}</svg>`;
}

/** Drawn for a half-width panel: a smaller canvas keeps its text the size of the page's. */
const CHANGES_WIDTH = 520;
const ROW = 28;
const LABEL_W = 200;
const COUNT_W = 56;

export function changesChart(changes: readonly Transition[]): string {
  if (changes.length === 0) return '<p class="empty">No outcome changed.</p>';
  const height = changes.length * ROW + 8;
  const plotW = CHANGES_WIDTH - LABEL_W - COUNT_W;
  const max = Math.max(1, ...changes.map((t) => t.count));
  const rows = changes.map((t, i) => {
    const yy = 4 + i * ROW;
    const w = Math.max(2, (t.count / max) * plotW);
    const label = `${t.from} → ${t.to}`;
    return (
      `<g class="change ${t.kind}" data-transition="${h(t.key)}">` +
      `<text class="label" x="${LABEL_W - 12}" y="${yy + 18}" text-anchor="end">${h(clip(label, 25))}</text>` +
      `<rect class="bar" x="${LABEL_W}" y="${yy + 4}" width="${num(w)}" height="${ROW - 10}" rx="3"><title>${h(`${label}: ${formatCount(t.count)} (${t.kind})`)}</title></rect>` +
      `<text class="count" x="${num(LABEL_W + w + 8)}" y="${yy + 18}">${formatCount(t.count)}</text></g>`
    );
  });
  return `<svg id="changes-chart" class="chart" viewBox="0 0 ${CHANGES_WIDTH} ${height}" role="img" aria-label="Outcome changes">${rows.join('')}</svg>`;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
