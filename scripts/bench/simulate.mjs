// The `simulate` benchmark: the built `aegis simulate` CLI replaying a generated 1,000,000-event
// aegis JSON Lines trace (POLICY-LANGUAGE.md 9.1) against fixtures/policies, beside a floor
// measured in the same run: a node process that only reads the same file line by line and
// JSON.parses each line. Every figure is a child process timed from spawn to exit (node start
// and policy compile included, for the floor too), peak RSS from `/usr/bin/time -f %M`.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile } from '../../dist/compiler/compile.js';
import { evaluate } from '../../dist/engine/evaluate.js';
import { readTraceBatches } from '../../dist/simulator/readers/read-traces.js';
import { Random, realisticInputs } from './inputs.mjs';
import { elapsedMs, int, loadNote, median } from './stats.mjs';

const EVENTS = 1_000_000;
const SLICE = 100_000;
const SEED = 7;
const TEMPLATES = 4096;
const RUNS = 5;
// Friday 2026-03-06 00:00 UTC: a mean gap of 250 ms spans about 69 hours, so the trace runs
// through a Friday evening and a weekend (the fixtures' time rules) and over three UTC days
// (the daily budgets reset).
const START_MS = Date.UTC(2026, 2, 6);
const MEAN_GAP_US = 250_000;
const TIMEOUT_MS = 15 * 60_000;

/**
 * The floor, run as `node --input-type=module -e FLOOR <file>`: a stream of 64 KiB chunks
 * decoded to strings and cut with indexOf (hand-rolled rather than readline, which costs an
 * event and a closure per line and was slower when measured here), one JSON.parse per line.
 */
const FLOOR = `
import { createReadStream } from 'node:fs';
let carry = '';
let lines = 0;
let objects = 0;
const take = (line) => {
  if (line.length === 0) return;
  lines++;
  const value = JSON.parse(line);
  if (value !== null && typeof value === 'object') objects++;
};
for await (const chunk of createReadStream(process.argv[1], { encoding: 'utf8', highWaterMark: 1 << 16 })) {
  const data = carry + chunk;
  let start = 0;
  for (let nl = data.indexOf('\\n'); nl >= 0; nl = data.indexOf('\\n', start)) {
    take(data.slice(start, nl));
    start = nl + 1;
  }
  carry = data.slice(start);
}
take(carry);
process.stdout.write(JSON.stringify({ lines, objects }));
`;

/** The same floor through node:readline, measured once for comparison. */
const FLOOR_READLINE = `
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
let lines = 0;
let objects = 0;
const rl = createInterface({ input: createReadStream(process.argv[1]), crlfDelay: Infinity });
for await (const line of rl) {
  if (line.length === 0) continue;
  lines++;
  const value = JSON.parse(line);
  if (value !== null && typeof value === 'object') objects++;
}
process.stdout.write(JSON.stringify({ lines, objects }));
`;

const OUTCOMES = ['allow', 'sanitize', 'approval_needed', 'deny'];
const pad = (n, width) => String(n).padStart(width, '0');

/** RFC 3339 for microseconds since the epoch: mostly ms precision, some µs, some +01:00. */
function rfc3339(us, style) {
  const ms = Math.floor(us / 1000);
  if (style === 'offset') {
    const local = new Date(ms + 3_600_000).toISOString();
    return `${local.slice(0, 23)}+01:00`;
  }
  const text = new Date(ms).toISOString();
  return style === 'micro' ? `${text.slice(0, 23)}${pad(us % 1000, 3)}Z` : text;
}

function hex(r, digits) {
  let out = '';
  while (out.length < digits) out += pad(r.int(2 ** 24).toString(16), 6);
  return out.slice(0, digits);
}

/** Decision-input templates: realistic calls of the fixture agents, without time and cost. */
function templates(ir) {
  return realisticInputs(ir, TEMPLATES, SEED).map((input) => {
    if (input === null || typeof input !== 'object') return { input, recorded: undefined };
    const { usage: _usage, time: _time, cost_usd: _cost, ...context } = input.context ?? {};
    const at = new Date(START_MS + 10 * 3_600_000).toISOString();
    const decided = evaluate(ir, { ...input, context: { ...context, time: at } });
    return {
      input: { ...input, context },
      recorded: { decision: decided.decision, outcome: decided.outcome },
    };
  });
}

/**
 * Writes the trace to `path` (its first `SLICE` lines to `slicePath` too, and each half of it
 * to `halfPaths`) a megabyte at a time, never holding it in memory. Time only moves forward,
 * except for ties (3%) and events stamped up to 3 s early (2%, under the default 5 s reorder
 * window); 2% of events start a burst of 3-12 calls by the same agent to the same tool
 * 20-120 ms apart (the rate limits). 65% of calls cost nothing, the rest up to 0.002 USD; 30%
 * carry a recorded decision (2% of them not what the policy decides, as if recorded under an
 * older one), half a trace id.
 */
export function writeTrace(ir, path, slicePath, halfPaths = []) {
  const r = new Random(SEED);
  const pool = templates(ir);
  const fd = openSync(path, 'w');
  const sliceFd = openSync(slicePath, 'w');
  const halfFds = halfPaths.map((half) => openSync(half, 'w'));
  const stats = { bytes: 0, ties: 0, early: 0, recorded: 0, bursts: 0 };
  let buffer = '';
  let clockUs = START_MS * 1000;
  let burst = 0;
  let template = pool[0];
  let half = 0;
  const flush = (toSlice) => {
    writeSync(fd, buffer);
    if (toSlice) writeSync(sliceFd, buffer);
    if (halfFds[half] !== undefined) writeSync(halfFds[half], buffer);
    stats.bytes += Buffer.byteLength(buffer);
    buffer = '';
  };
  try {
    for (let i = 0; i < EVENTS; i++) {
      if (i === SLICE) flush(true);
      if (i === EVENTS / 2) {
        flush(i < SLICE);
        half = 1;
      }
      if (burst > 0) {
        burst--;
        clockUs += 20_000 + r.int(100_000);
      } else {
        template = r.pick(pool);
        if (r.chance(0.02)) {
          burst = 2 + r.int(10);
          stats.bursts++;
        }
        if (r.chance(0.03)) stats.ties++;
        else clockUs += Math.round(-Math.log(1 - r.next()) * MEAN_GAP_US);
      }
      let us = clockUs;
      if (r.chance(0.02)) {
        us -= r.int(3_000_000);
        stats.early++;
      }
      const { input, recorded } = template;
      if (input === null || typeof input !== 'object') {
        buffer += `${JSON.stringify(input)}\n`;
      } else {
        const style = r.chance(0.05) ? 'offset' : r.chance(0.1) ? 'micro' : 'ms';
        const context = { time: rfc3339(us, style), ...input.context };
        context.cost_usd = r.chance(0.65) ? 0 : (5 + r.int(196)) / 100_000;
        const line = { ...input, context };
        if (r.chance(0.3)) {
          stats.recorded++;
          line.recorded = r.chance(0.02)
            ? { decision: recorded.outcome === 'allow' ? 'deny' : 'allow' }
            : recorded;
        }
        if (r.chance(0.5)) {
          line.trace_id = hex(r, 32);
          line.span_id = hex(r, 16);
        }
        buffer += `${JSON.stringify(line)}\n`;
      }
      if (buffer.length >= 1 << 20) flush(i < SLICE);
    }
    flush(false);
  } finally {
    closeSync(fd);
    closeSync(sliceFd);
    for (const halfFd of halfFds) closeSync(halfFd);
  }
  return stats;
}

/**
 * A node child process (or `command`), timed from spawn to exit, peak RSS by /usr/bin/time
 * (KiB), CPU counting the children it waited for.
 */
function timedNode(args, dir, cwd, env = {}, command = [process.execPath]) {
  const rssFile = join(dir, 'rss');
  const start = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, ...command, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: TIMEOUT_MS,
  });
  const ms = elapsedMs(start);
  if (run.status !== 0) {
    throw new Error(
      `node ${args.slice(0, 3).join(' ')} exited ${run.status ?? run.signal}: ${run.stderr.slice(0, 2000)}`,
    );
  }
  const [rssKb, user, system] = readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ');
  const cpuMs = (Number(user) + Number(system)) * 1000;
  return { ms, rssMb: Number(rssKb) / 1024, cpuMs, stdout: run.stdout };
}

/**
 * Each of `commands` run `runs` times, taking turns (a, b, a, b, ...): this host's speed drifts
 * by a fifth within minutes, and a ratio of two medians taken minutes apart measures the drift
 * as much as the code. Each command's median, spread, peak RSS and last run.
 */
function alternate(runs, commands) {
  const results = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, command] of commands.entries()) results[j].push(command());
  }
  return results.map((runsOf) => {
    const ms = runsOf.map((r) => r.ms);
    return {
      ms: median(ms),
      min: Math.min(...ms),
      max: Math.max(...ms),
      rssMb: median(runsOf.map((r) => r.rssMb)),
      rssMax: Math.max(...runsOf.map((r) => r.rssMb)),
      cpuMs: median(runsOf.map((r) => r.cpuMs)),
      last: runsOf[runsOf.length - 1],
    };
  });
}

/** One run of a floor program over the trace. */
function floorRun(dir, trace, code) {
  const run = timedNode(['--input-type=module', '-e', code, trace], dir);
  const { lines } = JSON.parse(run.stdout);
  if (lines !== EVENTS) throw new Error(`the floor read ${lines} lines, not ${EVENTS}`);
  return run;
}

/**
 * One run of the built CLI's simulate, with its JSON report. `threads`: AEGIS_SIMULATE_THREADS
 * (src/simulator/replay-threads.ts); default one thread.
 */
function simulateRun(root, dir, trace, engine, events, threads = 1) {
  const bin = join(root, 'bin', 'aegis');
  const args = [bin, 'simulate', trace, '--policy', 'fixtures/policies', '--format', 'json'];
  if (engine !== 'native') args.push('--engine', engine);
  const run = timedNode(args, dir, root, { AEGIS_SIMULATE_THREADS: String(threads) });
  const report = JSON.parse(run.stdout);
  if (report.events !== events) {
    throw new Error(`simulate --engine ${engine} counted ${report.events} events, not ${events}`);
  }
  return { ...run, report };
}

/**
 * What any split of the replay over two cores could reach at best, with the work per event the
 * code has today: two `aegis simulate` processes at once, each on one half of the trace, timed
 * from spawning them to both exiting. Not a replay of the trace (usage does not carry from one
 * half to the other, and nothing is merged): a bound, which a threaded replay can only come
 * near, since it does the same work and hands events between its threads on top.
 */
function halvesRun(root, dir, halves) {
  const bin = join(root, 'bin', 'aegis');
  const one = (half, i) =>
    `"$NODE" "$BIN" simulate "${half}" --policy fixtures/policies --format json > "${join(dir, `report-half-${i + 1}.json`)}" & p${i}=$!`;
  const script = `${halves.map(one).join('\n')}\nwait $p0 && wait $p1`;
  const run = timedNode([], dir, root, { NODE: process.execPath, BIN: bin }, [
    '/bin/sh',
    '-c',
    script,
  ]);
  const events = [1, 2]
    .map((i) => JSON.parse(readFileSync(join(dir, `report-half-${i}.json`), 'utf8')).events)
    .reduce((a, b) => a + b, 0);
  if (events !== EVENTS) throw new Error(`the two halves counted ${events} events, not ${EVENTS}`);
  return run;
}

/** alternate() for one command, with the report of its last run. */
function simulateCli(root, dir, trace, engine, runs, events) {
  const [result] = alternate(runs, [() => simulateRun(root, dir, trace, engine, events)]);
  return { ...result, report: result.last.report };
}

/** The reader stage alone, in this process: records per second, for the profile row. */
async function readersOnly(trace, root) {
  const start = process.hrtime.bigint();
  let records = 0;
  for await (const batch of readTraceBatches([trace], { cwd: root })) records += batch.length;
  if (records !== EVENTS) throw new Error(`readTraceBatches gave ${records} records`);
  return elapsedMs(start);
}

const PROFILE_PARTS = [
  ['evaluate()', (url) => url.includes('/dist/engine/') || url.includes('/re2js/')],
  ['readers (JSON.parse included)', (url) => url.includes('/dist/simulator/readers/')],
  ['replay, usage, report', (url) => url.includes('/dist/simulator/')],
  ['startup and policy compile', (url) => url.includes('/dist/') || url.includes('/node_modules/')],
  ['garbage collector', (_url, name) => name === '(garbage collector)'],
  ['node internals (I/O, promises, module loading)', () => true],
];

/**
 * One more native run on the 1M events under `node --cpu-prof`: self time by where the code
 * lives, as shares (the profiler slows the run, so only the shares mean something). It runs the
 * unbundled modules (dist/cli.js as tsc wrote it, not bin/aegis's bundle in dist/bin/), whose
 * file names say where each function lives.
 */
function profile(root, dir, trace) {
  const profDir = join(dir, 'profile');
  const launcher = join(dir, 'launch-cli.mjs');
  writeFileSync(
    launcher,
    `import { run } from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'cli.js')).href)};\nrun(process.argv);\n`,
  );
  const run = spawnSync(
    process.execPath,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      profDir,
      launcher,
      'simulate',
      trace,
      '--policy',
      'fixtures/policies',
    ],
    { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: 'ignore', timeout: TIMEOUT_MS },
  );
  if (run.status !== 0) throw new Error(`simulate under --cpu-prof exited ${run.status}`);
  const [file] = readdirSync(profDir);
  const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
  const part = new Map();
  for (const node of nodes) {
    const { url, functionName } = node.callFrame;
    const index = PROFILE_PARTS.findIndex(([, test]) => test(url, functionName));
    part.set(node.id, functionName === '(idle)' ? -1 : index);
  }
  const totals = PROFILE_PARTS.map(() => 0);
  let idle = 0;
  samples.forEach((id, i) => {
    const index = part.get(id) ?? PROFILE_PARTS.length - 1;
    if (index < 0) idle += timeDeltas[i] ?? 0;
    else totals[index] += timeDeltas[i] ?? 0;
  });
  const sum = totals.reduce((a, b) => a + b, 0);
  return PROFILE_PARTS.map(([name], i) => `${name} ${((totals[i] * 100) / sum).toFixed(0)}%`)
    .join('; ')
    .concat(`; (idle, waiting for reads, ${((idle * 100) / (sum + idle)).toFixed(0)}% of samples)`);
}

const rate = (events, ms) => (events * 1000) / ms;
const perSecond = (events, ms) => `${int(rate(events, ms))}/s`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const spread = (r) => `min ${seconds(r.min)}, max ${seconds(r.max)}`;

function mix(report) {
  const n = report.evaluated;
  return OUTCOMES.map((o) => `${o} ${((report.outcomes[o] * 100) / n).toFixed(0)}%`).join(', ');
}

function sameOutcomes(a, b) {
  return OUTCOMES.every((o) => a.outcomes[o] === b.outcomes[o]) && a.would_block === b.would_block;
}

export async function simulateBench({ root }) {
  const load = loadNote();
  const compiled = await compile([join(root, 'fixtures', 'policies')], {
    cwd: root,
    compilerVersion: 'bench',
  });
  if (!compiled.ok) throw new Error('fixtures/policies did not compile');
  const dir = mkdtempSync(join(tmpdir(), 'aegis-bench-simulate-'));
  try {
    const trace = join(dir, 'trace-1m.jsonl');
    const slice = join(dir, 'trace-100k.jsonl');
    const halves = [join(dir, 'trace-half-1.jsonl'), join(dir, 'trace-half-2.jsonl')];
    let start = process.hrtime.bigint();
    const stats = writeTrace(compiled.ir, trace, slice, halves);
    console.error(`simulate: wrote ${int(EVENTS)} events in ${seconds(elapsedMs(start))}`);

    // The floor and the native runs (on one thread, on two, and the two halves at once as a
    // bound) take turns: see alternate().
    const [base, native, threaded, split] = alternate(RUNS, [
      () => floorRun(dir, trace, FLOOR),
      () => simulateRun(root, dir, trace, 'native', EVENTS),
      () => simulateRun(root, dir, trace, 'native', EVENTS, 2),
      () => halvesRun(root, dir, halves),
    ]);
    console.error(`simulate: two halves at once ${seconds(split.ms)}`);
    const [readline] = alternate(1, [() => floorRun(dir, trace, FLOOR_READLINE)]);
    console.error(`simulate: floor ${seconds(base.ms)}, readline ${seconds(readline.ms)}`);
    console.error(`simulate: native 1M ${seconds(native.ms)}, ${native.rssMb.toFixed(0)} MB`);
    if (JSON.stringify(threaded.last.report) !== JSON.stringify(native.last.report))
      throw new Error('simulate on two threads gave another report than on one');
    console.error(`simulate: native 1M on 2 threads ${seconds(threaded.ms)}`);
    const small = simulateCli(root, dir, slice, 'native', RUNS, SLICE);
    const opa = simulateCli(root, dir, slice, 'opa', 1, SLICE);
    console.error(`simulate: opa 100k ${seconds(opa.ms)}`);
    start = process.hrtime.bigint();
    const wasm = simulateCli(root, dir, slice, 'wasm', 1, SLICE);
    console.error(`simulate: wasm 100k ${seconds(elapsedMs(start))}`);
    const readMs = median([await readersOnly(trace, root), await readersOnly(trace, root)]);
    const shares = profile(root, dir, trace);

    const r = native.last.report;
    const ratio = rate(EVENTS, native.ms) / rate(EVENTS, base.ms);
    const traceNote =
      `${int(EVENTS)} events, ${(stats.bytes / 1e6).toFixed(0)} MB, seed ${SEED}: ` +
      `${int(stats.ties)} time ties, ${int(stats.early)} stamped up to 3 s early, ${int(stats.bursts)} bursts, ` +
      `${int(stats.recorded)} with a recorded decision`;
    const agree = (other) =>
      sameOutcomes(other.report, small.report)
        ? 'same outcomes as native'
        : 'OUTCOMES DIFFER from native';
    const engineRow = (name, run) => [
      `\`aegis simulate --engine ${name}\` on the first ${int(SLICE)} events (one run; 1M would take too long), ` +
        `${name === 'wasm' ? 'policy.wasm built by the real OPA at .tools/bin/opa included, ' : ''}node's peak RSS ${run.rssMb.toFixed(0)} MB`,
      perSecond(SLICE, run.ms),
      `${seconds(run.ms)}; ${(rate(SLICE, run.ms) / rate(SLICE, small.ms)).toFixed(2)}x native's rate on the same slice; ${agree(run)}`,
      '',
    ];
    return {
      command: 'npm run build && node scripts/bench.mjs simulate',
      rows: [
        [
          `floor: \`node\` reading the 1M-event trace (${traceNote}) as a stream of 64 KiB chunks cut ` +
            `with indexOf (hand-rolled), \`JSON.parse\` per line; process spawn to exit (median of ${RUNS}, taking turns with the native runs below; ${load})`,
          perSecond(EVENTS, base.ms),
          `${seconds(base.ms)}; ${spread(base)}; the same through node:readline ${perSecond(EVENTS, readline.ms)}`,
          '',
        ],
        [
          `\`aegis simulate trace --policy fixtures/policies --format json\`, native engine, the same 1M events ` +
            `(${mix(r)}; would-block ${int(r.would_block)}, malformed ${int(r.malformed)}, late ${int(r.late)}), ` +
            `built CLI spawn to exit, policy compile included (median of ${RUNS}, taking turns with the floor)`,
          perSecond(EVENTS, native.ms),
          `${seconds(native.ms)}; ${spread(native)}; CPU (user + system) ${seconds(native.cpuMs)}`,
          '',
        ],
        ['ratio simulate / floor (events/s)', `${ratio.toFixed(2)}x`, '', 'goal ≥ 0.5'],
        [
          `the same native run on two threads (\`AEGIS_SIMULATE_THREADS=2\`: this thread reads, parses and orders every event and replays some of the usage keys, a worker thread replays the rest from the lines it is sent; same report, checked), median of ${RUNS}`,
          perSecond(EVENTS, threaded.ms),
          `${seconds(threaded.ms)}; ${spread(threaded)}; ${(rate(EVENTS, threaded.ms) / rate(EVENTS, base.ms)).toFixed(2)}x the floor; CPU ${seconds(threaded.cpuMs)} (${(threaded.cpuMs / native.cpuMs).toFixed(2)}x one thread's); peak RSS ${threaded.rssMb.toFixed(0)} MB`,
          '',
        ],
        [
          `a bound on any split over two cores, with today's work per event: two \`aegis simulate\` processes at once, one on each half of the trace (lines 1 to ${int(EVENTS / 2)}, and the rest; not a replay of the trace: usage does not carry over from the first half, nothing is merged), spawn to both exiting, median of ${RUNS} taking turns with the floor`,
          perSecond(EVENTS, split.ms),
          `${seconds(split.ms)}; ${spread(split)}; ${(rate(EVENTS, split.ms) / rate(EVENTS, base.ms)).toFixed(2)}x the floor; CPU ${seconds(split.cpuMs)}`,
          '',
        ],
        [
          `peak RSS of native \`aegis simulate\` (\`/usr/bin/time -f %M\`, median of ${RUNS}): ${int(SLICE)} events / ${int(EVENTS)} events`,
          `${small.rssMb.toFixed(0)} MB / ${native.rssMb.toFixed(0)} MB`,
          `max ${small.rssMax.toFixed(0)} MB / ${native.rssMax.toFixed(0)} MB; ${int(SLICE)} events at ${perSecond(SLICE, small.ms)}`,
          'goal < 300 MB, flat',
        ],
        engineRow('opa', opa),
        engineRow('wasm', wasm),
        [
          `where the time goes: the readers alone (\`readTraceBatches\` over the 1M events in one process, no replay; median of 2)`,
          perSecond(EVENTS, readMs),
          `${seconds(readMs)}, ${((readMs / native.ms) * 100).toFixed(0)}% of the native run's wall time`,
          '',
        ],
        [
          'where the time goes: one more native 1M run under `node --cpu-prof`, self time by where the code lives (share of the busy samples)',
          '',
          shares,
          '',
        ],
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
