// The `compile` benchmark: `aegis compile` on 1,000 generated agents with 5 tools each, as a
// user runs it (process spawn to exit, beside `node -e 0` in the same run), the same pipeline
// in-process (compileBundle, what the command runs, and compile(), the library's), and
// compileBundle's steps timed one by one to show where the time goes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBundleWithDigests } from '../../dist/bundle/write-bundle.js';
import { compile, compileBundle } from '../../dist/compiler/compile.js';
import { comparePolicies, normalizeOne, setReasons } from '../../dist/compiler/normalize.js';
import { regoModules } from '../../dist/compiler/rego/emit-rego.js';
import {
  newPolicyDataStats,
  policyDataText,
  policyText,
} from '../../dist/compiler/rego/policy-data.js';
import { validate } from '../../dist/policy/validate.js';
import { generatePolicies } from './policies.mjs';
import { elapsedMs, int, loadNote, median } from './stats.mjs';

const AGENTS = 1000;
const TOOLS = 5;
const RUNS = 5;
const STAGE_RUNS = 3;
const CLI_RUNS = 5;
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'aegis');

function timed(args) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = elapsedMs(start);
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr.slice(0, 500)}`);
  return ms;
}

/**
 * `aegis compile` as a user runs it, the bundle written to disk, interleaved with `node -e 0`
 * (the host's speed moves by tens of percent within minutes, so the ratio is the steadier figure).
 */
function cliRuns(dir) {
  const cli = [];
  const node = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    node.push(timed(['-e', '0']));
    cli.push(timed([BIN, 'compile', dir, '-o', join(dir, 'out.tar.gz')]));
  }
  return { cli, node };
}

/** compileBundle's steps, timed one by one (the manifest and hashes are left in "bundle"). */
async function stages(dir) {
  const stats = newPolicyDataStats();
  const texts = [];
  let normalizeNs = 0n;
  let textNs = 0n;
  let start = process.hrtime.bigint();
  await validate([dir], {
    cwd: dir,
    lines: true,
    keepPolicies: false,
    onPolicy: (policy) => {
      const a = process.hrtime.bigint();
      const ir = normalizeOne(policy);
      const b = process.hrtime.bigint();
      texts.push(policyText(ir, stats));
      textNs += process.hrtime.bigint() - b;
      normalizeNs += b - a;
    },
  });
  const normalizeMs = Number(normalizeNs) / 1e6;
  const textMs = Number(textNs) / 1e6;
  const validateMs = elapsedMs(start) - normalizeMs - textMs;
  start = process.hrtime.bigint();
  texts.sort(comparePolicies);
  const dataJson = policyDataText(texts, setReasons());
  const modules = regoModules(stats);
  const assembleMs = elapsedMs(start);
  start = process.hrtime.bigint();
  writeBundleWithDigests([
    { path: 'data.json', content: dataJson },
    ...modules.map((m) => ({ path: m.path, content: m.text })),
  ]);
  const bundleMs = elapsedMs(start);
  return { validateMs, normalizeMs, textMs, assembleMs, bundleMs };
}

/** Median of `RUNS` in-process runs of `fn`, and the first result. */
async function inProcess(fn) {
  const times = [];
  let first;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = await fn();
    times.push(elapsedMs(start));
    first ??= result;
  }
  if (!first.ok || first.policies !== AGENTS) throw new Error('generated policies did not compile');
  return { times, first };
}

const spread = (times) =>
  `min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`;

export async function compileBench() {
  const load = loadNote();
  const dir = mkdtempSync(join(tmpdir(), 'aegis-bench-compile-'));
  try {
    const lines = generatePolicies(dir, AGENTS, TOOLS);
    const options = { cwd: dir, compilerVersion: 'bench' };
    const { cli, node } = cliRuns(dir);
    const streamed = await inProcess(() => compileBundle([dir], options));
    const library = await inProcess(() => compile([dir], options));
    if (!streamed.first.bundle.equals(library.first.bundle))
      throw new Error('compileBundle and compile wrote different bundles');
    const parts = [];
    for (let i = 0; i < STAGE_RUNS; i++) parts.push(await stages(dir));
    const part = (key) => median(parts.map((p) => p[key]));
    const keys = ['validateMs', 'normalizeMs', 'textMs', 'assembleMs', 'bundleMs'];
    const sum = keys.reduce((acc, key) => acc + part(key), 0);
    const share = (key) => `${part(key).toFixed(0)} ms (${((part(key) / sum) * 100).toFixed(0)}%)`;
    const what = `${int(AGENTS)} agents × ${TOOLS} tools, ${int(lines)} lines of YAML, bundle ${(streamed.first.bundle.length / 1e6).toFixed(1)} MB`;
    return {
      command: 'npm run bench -- compile',
      rows: [
        [
          `\`aegis compile\` of ${what}: process spawn to exit, bundle written (median of ${CLI_RUNS}, interleaved with the baseline below; ${load})`,
          `${median(cli).toFixed(0)} ms`,
          spread(cli),
          'goal < 2000 ms',
        ],
        [
          'baseline: `node -e 0`, the same runs',
          `${median(node).toFixed(0)} ms`,
          `aegis compile is ${(median(cli) / median(node)).toFixed(1)}x`,
          '',
        ],
        [
          `in-process \`compileBundle()\` (what the command runs), the same policies (median of ${RUNS} in one process: the first run is as cold as the command's, the others warm)`,
          `${median(streamed.times).toFixed(0)} ms`,
          `first ${streamed.times[0].toFixed(0)} ms; ${spread(streamed.times)}`,
          '',
        ],
        [
          `in-process \`compile()\` (the library's: the same bundle, and the IR and data objects it keeps), median of ${RUNS}`,
          `${median(library.times).toFixed(0)} ms`,
          spread(library.times),
          '',
        ],
        [
          `where the time goes: compileBundle's steps timed one by one (${STAGE_RUNS === 1 ? 'one run' : `median of ${STAGE_RUNS}`}, warm; share of their sum)`,
          `${sum.toFixed(0)} ms`,
          [
            `validate (read, parse, schema, rules) ${share('validateMs')}`,
            `normalize ${share('normalizeMs')}`,
            `data.json text of each policy ${share('textMs')}`,
            `sorting and data.json's pieces ${share('assembleMs')}`,
            `writeBundle (tar, gzip, digests) ${share('bundleMs')}`,
          ].join('; '),
          '',
        ],
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
