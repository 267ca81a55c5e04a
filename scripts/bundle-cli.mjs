#!/usr/bin/env node
// Bundles the command line (dist/cli.js, as tsc emitted it, and every module it loads) into
// dist/bin/: a handful of files instead of ~70 ES modules, each of which Node would resolve,
// stat and read on every `aegis` run (about 40 ms of a one-file `aegis validate`). Commands
// stay lazy: each command's dynamic import becomes its own chunk. npm packages and Node's own
// modules are left as imports. Worker threads are entries of their own, next to the chunks
// that start them (they are loaded by `new URL('./<name>.js', import.meta.url)`).
// The library (`dist/index.js`) is not bundled.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'bin');

/** Modules started as worker threads: [entry name, module under dist/]. */
const WORKERS = [['replay-worker', 'simulator/replay-worker.js']];

const input = { cli: join(dist, 'cli.js') };
for (const [name, path] of WORKERS) {
  if (!existsSync(join(dist, path))) throw new Error(`worker module dist/${path} is missing`);
  input[name] = join(dist, path);
}

rmSync(out, { recursive: true, force: true });
await build({
  input,
  platform: 'node',
  // Bare specifiers (npm packages, node: builtins) stay imports; our relative ones are bundled.
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  logLevel: 'warn',
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
  },
});
