// The `evaluate` benchmark: the native evaluate() of the built library on fixtures/policies,
// over a fixed mix of realistic inputs, beside a JSON round trip of the same inputs (a floor
// any evaluator that reads its input pays something like).
import { join } from 'node:path';
import { compile } from '../../dist/compiler/compile.js';
import { evaluate } from '../../dist/engine/evaluate.js';
import { realisticInputs } from './inputs.mjs';
import { duration, int, loadNote, median, percentile } from './stats.mjs';

const INPUTS = 1000;
const SEED = 42;
const WARMUP = 50_000;
const RUNS = 5;
const PER_RUN = 200_000;
const TIMED = 100_000;

/** Decisions per second: median (and range) of RUNS loops of PER_RUN calls. */
function throughput(fn, inputs) {
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += fn(inputs[i % inputs.length]);
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < PER_RUN; i++) sink += fn(inputs[i % inputs.length]);
    rates.push(PER_RUN / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return { median: median(rates), min: Math.min(...rates), max: Math.max(...rates), sink };
}

/** Per-call latency in ns over TIMED individually timed calls (timer cost included). */
function latency(fn, inputs) {
  const ns = new Float64Array(TIMED);
  let sink = 0;
  for (let i = 0; i < TIMED; i++) {
    const input = inputs[i % inputs.length];
    const start = process.hrtime.bigint();
    sink += fn(input);
    ns[i] = Number(process.hrtime.bigint() - start);
  }
  return { p50: percentile(ns, 50), p99: percentile(ns, 99), sink };
}

export async function evaluateBench({ root }) {
  const load = loadNote();
  const compiled = await compile([join(root, 'fixtures', 'policies')], {
    cwd: root,
    compilerVersion: 'bench',
  });
  if (!compiled.ok) throw new Error('fixtures/policies did not compile');
  const { ir } = compiled;
  const inputs = realisticInputs(ir, INPUTS, SEED);
  // Every input must be decidable before timing; the outcome mix goes in the table.
  const mix = {};
  for (const input of inputs) {
    const { outcome } = evaluate(ir, input);
    mix[outcome] = (mix[outcome] ?? 0) + 1;
  }
  // The fixed clock is never read: every well-formed input carries context.time.
  const options = { now: () => 0n };
  const decide = (input) => (evaluate(ir, input, options).allow ? 1 : 0);
  const clone = (input) => (JSON.parse(JSON.stringify(input)) === null ? 0 : 1);

  const native = throughput(decide, inputs);
  const nativeLatency = latency(decide, inputs);
  const base = throughput(clone, inputs);
  const baseLatency = latency(clone, inputs);
  const mixText = ['allow', 'sanitize', 'approval_needed', 'deny']
    .map((o) => `${o} ${(((mix[o] ?? 0) * 100) / INPUTS).toFixed(0)}%`)
    .join(', ');
  const runs = `median of ${RUNS} × ${int(PER_RUN)} calls`;
  return {
    command: 'npm run bench -- evaluate',
    rows: [
      [
        `native \`evaluate()\`, fixtures/policies (${ir.policies.length} policies), ` +
          `${int(INPUTS)} seeded inputs (${mixText}): decisions/s (${runs}; ${load})`,
        `${int(native.median)}/s`,
        `min ${int(native.min)}, max ${int(native.max)}`,
        '',
      ],
      [
        `native \`evaluate()\` latency per decision, p50 / p99 (${int(TIMED)} timed calls)`,
        duration(nativeLatency.p50),
        `p99 ${duration(nativeLatency.p99)}`,
        '',
      ],
      [
        `baseline: \`JSON.parse(JSON.stringify(input))\` on the same inputs: calls/s (${runs})`,
        `${int(base.median)}/s`,
        // Rates: a decision takes base/native of the time a copy of its input takes.
        `a decision takes ${(base.median / native.median).toFixed(2)}x the time of this copy`,
        '',
      ],
      [
        `baseline latency per call, p50 / p99 (${int(TIMED)} timed calls)`,
        duration(baseLatency.p50),
        `p99 ${duration(baseLatency.p99)}`,
        '',
      ],
    ],
  };
}
