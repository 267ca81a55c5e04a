// Small statistics and formatting helpers shared by the benchmark modules.
import { cpus, loadavg } from 'node:os';

export const median = (xs) => percentile(xs, 50);

/** Nearest-rank percentile of an array (or typed array) of numbers. */
export function percentile(xs, p) {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}

export const int = (x) => Math.round(x).toLocaleString('en-US');

/** Nanoseconds as µs or ms, three significant digits. */
export function duration(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e3).toPrecision(3)} µs`;
}

export const elapsedMs = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/** The 1-minute load average over the CPU count: other work on the machine skews the tails. */
export function loadNote() {
  return `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs at the start`;
}
