/**
 * The compiled bundles in REAL OPA servers: for each reference scenario, the compiler writes
 * a bundle, `opa run --server --bundle` serves it, and every hand-written case's input POSTed
 * to /v1/data/aegis/decision must come back exactly as `aegis eval` (native engine) decides it,
 * once both are serialized with sorted keys.
 *
 * Three servers per scenario: the plain bundle; the `--wasm` bundle as written (OPA evaluates
 * its Rego: a data path defined by rules never goes to a Wasm resolver); and that bundle with
 * the Rego left out, so that OPA must answer from policy.wasm (checked by its wasm metrics).
 * Real OPA is required: a missing binary fails the suite with how to install it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/bundle/canonical-json.js';
import { readBundleFile } from '../../src/bundle/read-bundle.js';
import { writeBundle } from '../../src/bundle/write-bundle.js';
import { compile } from '../../src/compiler/compile.js';
import { findOpa } from '../../src/engine/opa-binary.js';
import { freePort } from '../support/free-port.js';
import { REPO, tempDir } from './run-cli.js';

const POLICIES = join(REPO, 'fixtures', 'policies');
const CASES = join(REPO, 'fixtures', 'cases');
const BIN = join(REPO, 'bin', 'aegis');
const READY_TIMEOUT_MS = 15_000;

const scenarios = readdirSync(POLICIES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

let opaPath: string;
let dir: { path: string; remove: () => void };
/** Every OPA process this file started, so afterAll can stop any a failed test left behind. */
const started = new Set<ChildProcess>();

beforeAll(async () => {
  const opa = await findOpa({ env: process.env, cwd: REPO });
  if (!opa.ok) {
    throw new Error(
      `these tests need real OPA: ${opa.message}; run \`npm run install-opa\` (${opa.hint})`,
    );
  }
  opaPath = opa.path;
  dir = tempDir('opa-run');
});

afterAll(async () => {
  await Promise.all([...started].map(stop));
  dir?.remove();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI, asynchronously. */
function runAegis(args: readonly string[]): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir.path,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

async function mustRun(args: readonly string[]): Promise<string> {
  const result = await runAegis(args);
  if (result.code !== 0) throw new Error(`aegis ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

interface OpaServer {
  url: string;
  process: ChildProcess;
}

/** Starts `opa run --server` on a free port and waits until /health?bundles says OK. */
async function startOpa(bundle: string): Promise<OpaServer> {
  let lastError = '';
  // A port found free can be taken before OPA binds it: then OPA exits, and we try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      opaPath,
      [
        'run',
        '--server',
        '--addr',
        `127.0.0.1:${port}`,
        '--bundle',
        bundle,
        '--log-level',
        'error',
        '--skip-version-check',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    started.add(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      try {
        const health = await fetch(`${url}/health?bundles`);
        if (health.ok) return { url, process: child };
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    lastError =
      child.exitCode !== null
        ? `opa exited with ${child.exitCode}: ${stderr}`
        : `not ready within ${READY_TIMEOUT_MS} ms: ${stderr}`;
    await stop(child);
  }
  throw new Error(`opa run --bundle ${bundle}: ${lastError}`);
}

async function stop(child: ChildProcess): Promise<void> {
  started.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

async function ask(
  server: OpaServer,
  input: unknown,
  query = '',
): Promise<{ result?: unknown; metrics?: Record<string, number> }> {
  const response = await fetch(`${server.url}/v1/data/aegis/decision${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { result?: unknown; metrics?: Record<string, number> };
}

describe.each(scenarios)('opa run: %s', (scenario) => {
  const inputs = readFileSync(join(CASES, `${scenario}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { input: unknown }).input);
  /** `aegis eval` native decisions, canonical JSON, one per input. */
  let expected: string[];
  const servers: Partial<Record<'plain' | 'wasm' | 'wasmOnly', OpaServer>> = {};

  beforeAll(async () => {
    const source = join(POLICIES, `${scenario}.yaml`);
    const plain = join(dir.path, `${scenario}.tar.gz`);
    const wasm = join(dir.path, `${scenario}-wasm.tar.gz`);
    const wasmOnly = join(dir.path, `${scenario}-wasm-only.tar.gz`);
    const inputFile = join(dir.path, `${scenario}.jsonl`);
    writeFileSync(inputFile, inputs.map((i) => `${JSON.stringify(i)}\n`).join(''));
    // Compiled in-process (the bytes `aegis compile` writes; compile.test.ts covers the
    // command): spawning the CLI twice per scenario would double this file's run time.
    for (const [out, withWasm] of [
      [plain, false],
      [wasm, true],
    ] as const) {
      const compiled = await compile([source], {
        cwd: REPO,
        env: process.env,
        compilerVersion: 'test',
        wasm: withWasm,
      });
      if (!compiled.ok) throw new Error(`${scenario} does not compile`);
      writeFileSync(out, compiled.bundle);
    }
    const stdout = await mustRun(['eval', plain, '--input', inputFile, '--engine', 'native']);
    expected = stdout
      .trimEnd()
      .split('\n')
      .map((line) => canonicalJson(JSON.parse(line)));
    expect(expected).toHaveLength(inputs.length);

    // The --wasm bundle without its Rego: only policy.wasm can answer.
    const read = await readBundleFile(wasm);
    if (!read.ok) throw new Error(`${wasm}: ${read.message}`);
    const kept = [...read.files].filter(([path]) => !path.endsWith('.rego'));
    expect(kept.map(([path]) => path)).toContain('policy.wasm');
    writeFileSync(wasmOnly, writeBundle(kept.map(([path, content]) => ({ path, content }))));

    [servers.plain, servers.wasm, servers.wasmOnly] = await Promise.all([
      startOpa(plain),
      startOpa(wasm),
      startOpa(wasmOnly),
    ]);
  });

  afterAll(async () => {
    await Promise.all(
      Object.values(servers).map((server) => (server ? stop(server.process) : undefined)),
    );
  });

  it.each(['plain', 'wasm', 'wasmOnly'] as const)(
    'the %s bundle answers as aegis eval does',
    async (kind) => {
      const server = servers[kind];
      if (!server) throw new Error(`no ${kind} server`);
      const answers = await Promise.all(inputs.map((input) => ask(server, input)));
      answers.forEach((answer, i) => {
        expect(answer.result, `${kind}: no result for ${JSON.stringify(inputs[i])}`).toBeDefined();
        expect(canonicalJson(answer.result), `${kind}: ${JSON.stringify(inputs[i])}`).toBe(
          expected[i],
        );
      });
    },
  );

  it('the Rego-less bundle is answered by the Wasm runtime', async () => {
    const server = servers.wasmOnly;
    if (!server) throw new Error('no wasm-only server');
    const answer = await ask(server, inputs[0], '?metrics=true');
    expect(Object.keys(answer.metrics ?? {})).toContain('timer_wasm_vm_eval_ns');
  });
});
