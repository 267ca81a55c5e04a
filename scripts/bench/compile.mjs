// The `compile` benchmark: in-process compile() of the built library on 1,000 generated agents
// with 5 tools each, and the same pipeline stage by stage to show where the time goes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBundle } from '../../dist/bundle/write-bundle.js';
import { compile } from '../../dist/compiler/compile.js';
import { normalize } from '../../dist/compiler/normalize.js';
import { emitRego } from '../../dist/compiler/rego/emit-rego.js';
import { validate } from '../../dist/policy/validate.js';
import { generatePolicies } from './policies.mjs';
import { elapsedMs, int, loadNote, median } from './stats.mjs';

const AGENTS = 1000;
const TOOLS = 5;
const RUNS = 5;
const STAGE_RUNS = 3;
const CLI_RUNS = 3;
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'aegis');

/** `aegis compile` as a user runs it: process spawn to exit, the bundle written to disk. */
function cliRuns(dir) {
  const times = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [BIN, 'compile', dir, '-o', join(dir, 'out.tar.gz')], {
      encoding: 'utf8',
    });
    times.push(elapsedMs(start));
    if (run.status !== 0) throw new Error(`aegis compile failed: ${run.stderr.slice(0, 500)}`);
  }
  return times;
}

/** compile()'s steps, timed one by one (the manifest and hashes are left in "bundle"). */
async function stages(dir) {
  let start = process.hrtime.bigint();
  // As compile() does: the fast parse records where mappings begin for normalize's lines.
  const validation = await validate([dir], { cwd: dir, lines: true });
  const validateMs = elapsedMs(start);
  // normalize() asks each policy for its source lines (parse.ts). Asking here first separates
  // that cost from normalize's own.
  start = process.hrtime.bigint();
  for (const { source } of validation.loaded) source.line('');
  const locateMs = elapsedMs(start);
  start = process.hrtime.bigint();
  const ir = normalize(validation.loaded);
  const normalizeMs = elapsedMs(start);
  start = process.hrtime.bigint();
  const { modules, data } = emitRego(ir);
  const emitMs = elapsedMs(start);
  start = process.hrtime.bigint();
  const json = Buffer.from(JSON.stringify(data));
  const jsonMs = elapsedMs(start);
  start = process.hrtime.bigint();
  writeBundle([
    { path: 'data.json', content: json },
    ...modules.map((m) => ({ path: m.path, content: m.text })),
  ]);
  const bundleMs = elapsedMs(start);
  return { validateMs, locateMs, normalizeMs, emitMs, jsonMs, bundleMs };
}

export async function compileBench() {
  const load = loadNote();
  const dir = mkdtempSync(join(tmpdir(), 'aegis-bench-compile-'));
  try {
    const lines = generatePolicies(dir, AGENTS, TOOLS);
    const options = { cwd: dir, compilerVersion: 'bench' };
    const times = [];
    let first;
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint();
      const result = await compile([dir], options);
      times.push(elapsedMs(start));
      first ??= result;
    }
    if (!first.ok || first.policies !== AGENTS)
      throw new Error('generated policies did not compile');
    const cli = cliRuns(dir);
    const parts = [];
    for (let i = 0; i < STAGE_RUNS; i++) parts.push(await stages(dir));
    const part = (key) => median(parts.map((p) => p[key]));
    const total = median(times);
    const keys = ['validateMs', 'locateMs', 'normalizeMs', 'emitMs', 'jsonMs', 'bundleMs'];
    const sum = keys.reduce((acc, key) => acc + part(key), 0);
    const share = (key) => `${part(key).toFixed(0)} ms (${((part(key) / sum) * 100).toFixed(0)}%)`;
    return {
      command: 'npm run bench -- compile',
      rows: [
        [
          `in-process \`compile()\` of ${int(AGENTS)} agents × ${TOOLS} tools, ${int(lines)} lines ` +
            `of YAML, bundle ${(first.bundle.length / 1e6).toFixed(1)} MB (median of ${RUNS}; ${load})`,
          `${total.toFixed(0)} ms`,
          `min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`,
          'goal < 2000 ms',
        ],
        [
          `\`aegis compile\` of the same policies, process spawn to exit, bundle written (median of ${CLI_RUNS}; cold: one compile per process, so the JIT has not warmed up as in the runs above)`,
          `${median(cli).toFixed(0)} ms`,
          `min ${Math.min(...cli).toFixed(0)} ms, max ${Math.max(...cli).toFixed(0)} ms`,
          'goal < 2000 ms',
        ],
        [
          `where the time goes: the same steps timed one by one (${STAGE_RUNS === 1 ? 'one run' : `median of ${STAGE_RUNS}`}; share of their sum)`,
          `${sum.toFixed(0)} ms`,
          [
            `validate ${share('validateMs')}`,
            `source lines (\`line()\` of each policy, recorded by the fast parse) ${share('locateMs')}`,
            `normalize ${share('normalizeMs')}`,
            `emitRego ${share('emitMs')}`,
            `data.json text and bytes ${share('jsonMs')}`,
            `writeBundle (tar, gzip) ${share('bundleMs')}`,
          ].join('; '),
          '',
        ],
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
