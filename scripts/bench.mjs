#!/usr/bin/env node
// Benchmarks (`npm run bench [-- name...]`). Each benchmark measures the built CLI or library
// in this run, beside a baseline measured in the same run, and the results replace that
// benchmark's section of docs/benchmarks.md. Timing goals live here, never in tests.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBench } from './bench/compile.mjs';
import { evaluateBench } from './bench/evaluate.mjs';
import { opaScaleBench } from './bench/opa-scale.mjs';
import { generatePolicies } from './bench/policies.mjs';
import { simulateBench } from './bench/simulate.mjs';

export { generatePolicies };

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'aegis');
const doc = join(root, 'docs', 'benchmarks.md');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(0)} ms`;

function timeCommand(args, runs, env = {}) {
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    last = spawnSync(process.execPath, args, {
      env: { ...process.env, NO_COLOR: '1', ...env },
      encoding: 'utf8',
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), last };
}

const benchmarks = {
  validate() {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-bench-'));
    try {
      const policies = join(dir, 'policies');
      mkdirSync(policies);
      const lines = generatePolicies(policies, 1000);
      const run = timeCommand([bin, 'validate', policies, '--format', 'json'], 7);
      const result = JSON.parse(run.last.stdout);
      if (!result.valid || result.policies !== 1000) {
        throw new Error(`generated policies did not validate: ${run.last.stdout.slice(0, 500)}`);
      }
      const node = timeCommand(['-e', '0'], 7);
      return {
        command: 'npm run bench -- validate',
        rows: [
          [
            '`aegis validate` 1,000 files, ' +
              lines.toLocaleString('en-US') +
              ' lines (median of 7)',
            ms(run.median),
            `min ${ms(run.min)}, max ${ms(run.max)}`,
            'goal < 1000 ms',
          ],
          ['baseline: `node -e 0` (median of 7)', ms(node.median), '', ''],
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  version() {
    const run = timeCommand([bin, '--version'], 15);
    const node = timeCommand(['-e', '0'], 15);
    return {
      command: 'npm run bench -- version',
      rows: [
        ['`aegis --version` (median of 15)', ms(run.median), `min ${ms(run.min)}`, 'goal < 150 ms'],
        [
          'baseline: `node -e 0` (median of 15)',
          ms(node.median),
          `ratio ${(run.median / node.median).toFixed(2)}x`,
          '',
        ],
      ],
    };
  },
  evaluate: () => evaluateBench({ root }),
  'opa-scale': () => opaScaleBench({ root }),
  compile: () => compileBench({ root }),
  simulate: () => simulateBench({ root }),
};

function writeSection(name, result) {
  let text;
  try {
    text = readFileSync(doc, 'utf8');
  } catch {
    text =
      '# Benchmarks\n\nMeasured with `npm run bench` (all) or `npm run bench -- NAME`. Each section is rewritten by the run that measured it.\n';
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  const body = [
    `<!-- bench:${name} -->`,
    `## ${name}`,
    '',
    `Command: \`${result.command}\` — ${new Date().toISOString().slice(0, 10)}, ${machine}.`,
    '',
    '| measurement | median | spread | goal |',
    '| --- | --- | --- | --- |',
    ...result.rows.map((r) => `| ${r.join(' | ')} |`),
    `<!-- /bench:${name} -->`,
  ].join('\n');
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  text = re.test(text) ? text.replace(re, body) : `${text.trimEnd()}\n\n${body}\n`;
  writeFileSync(doc, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  for (const name of names.length ? names : Object.keys(benchmarks)) {
    const bench = benchmarks[name];
    if (!bench) {
      console.error(
        `bench: unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(', ')}`,
      );
      process.exit(2);
    }
    const result = await bench();
    writeSection(name, result);
    console.log(`${name}:`);
    for (const row of result.rows) console.log(`  ${row.filter(Boolean).join('  ')}`);
  }
}
