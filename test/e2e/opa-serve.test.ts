/**
 * `aegis serve` feeding REAL OPA: OPA downloads the prod channel from the serve URL, verifies
 * its signature, and follows publish and rollback; a tampered bundle put into the registry by
 * hand is refused and OPA keeps the last good one. A missing opa fails with the install hint.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundle/read-bundle.js';
import { writeBundle } from '../../src/bundle/write-bundle.js';
import { findOpa } from '../../src/engine/opa-binary.js';
import { sha256Hex } from '../../src/registry/file-registry.js';
import { freePort } from '../support/free-port.js';
import { aegis, REPO, tempDir, writeSignedBundles } from './run-cli.js';

const BIN = join(REPO, 'bin', 'aegis');
const V1 = 'version: 1\nagent: bot\nallowed_tools:\n  - name: search\n';
const V2 = `${V1}    rules:\n      - id: no-search\n        when: { param: q, eq: x }\n        effect: deny\n        reason: v2 says no\n`;
const INPUT = { agent: { id: 'bot' }, tool: { name: 'search' }, params: { q: 'x' } };

let dir: { path: string; remove: () => void };
let cwd: string;
let opaUrl: string;
let serveUrl: string;
let opaLog = '';
const started = new Set<ChildProcess>();

function must(args: string[]): string {
  const result = aegis(args, { cwd });
  if (result.code !== 0) throw new Error(`aegis ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function startServe(): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve', '--registry', 'reg', '--port', '0'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started.add(child);
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`aegis serve did not start: ${stderr}`)),
      10_000,
    );
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(stderr)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.on('exit', (code) => reject(new Error(`aegis serve exited ${code}: ${stderr}`)));
  });
}

async function decision(): Promise<string | undefined> {
  try {
    const response = await fetch(`${opaUrl}/v1/data/aegis/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: INPUT }),
    });
    const body = (await response.json()) as { result?: { decision?: string } };
    return body.result?.decision;
  } catch {
    return undefined;
  }
}

async function waitForDecision(expected: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < deadline) {
    last = await decision();
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`OPA still answers ${last} instead of ${expected}; OPA log:\n${opaLog}`);
}

beforeAll(async () => {
  const opa = await findOpa({ env: process.env, cwd: REPO });
  if (!opa.ok) {
    throw new Error(
      `these tests need real OPA: ${opa.message}; run \`npm run install-opa\` (${opa.hint})`,
    );
  }
  dir = tempDir('opa-serve');
  cwd = dir.path;
  writeSignedBundles(cwd, { v1: V1, v2: V2 }, must);
  must([
    'publish',
    'v1.tar.gz',
    '--registry',
    'reg',
    '--version',
    'v1',
    '--channel',
    'prod',
    '--pub',
    'keys/k1.pub.pem',
  ]);
  serveUrl = await startServe();

  const opaPort = await freePort();
  opaUrl = `http://127.0.0.1:${opaPort}`;
  const publicPem = readFileSync(join(cwd, 'keys', 'k1.pub.pem'), 'utf8');
  const config = {
    services: { aegis: { url: serveUrl } },
    bundles: {
      aegis: {
        service: 'aegis',
        resource: 'bundles/prod.tar.gz',
        polling: { min_delay_seconds: 1, max_delay_seconds: 1 },
        signing: { keyid: 'k1' },
      },
    },
    keys: { k1: { key: publicPem, algorithm: 'ES256' } },
  };
  // JSON is YAML: OPA reads it as its config file.
  writeFileSync(join(cwd, 'opa.yaml'), JSON.stringify(config, null, 2));
  const child = spawn(
    opa.path,
    [
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${opaPort}`,
      '--config-file',
      'opa.yaml',
      '--skip-version-check',
      '--log-level',
      'error',
    ],
    { cwd, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  started.add(child);
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    opaLog += s;
  });
}, 30_000);

afterAll(async () => {
  await Promise.all(
    [...started].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }),
  );
  dir?.remove();
});

describe('OPA pulling from aegis serve', () => {
  it('follows publish and rollback, and refuses a tampered bundle', async () => {
    await waitForDecision('allow', 15_000);

    must([
      'publish',
      'v2.tar.gz',
      '--registry',
      'reg',
      '--version',
      'v2',
      '--channel',
      'prod',
      '--pub',
      'keys/k1.pub.pem',
    ]);
    await waitForDecision('deny');

    must(['rollback', '--registry', 'reg', '--channel', 'prod', '--pub', 'keys/k1.pub.pem']);
    await waitForDecision('allow');

    const logBefore = opaLog.length;
    // By hand, past aegis: v2's files under v1's signature as v3, and prod pointed at it.
    const one = await readBundle(readFileSync(join(cwd, 'v1.tar.gz')));
    const two = await readBundle(readFileSync(join(cwd, 'v2.tar.gz')));
    if (!one.ok || !two.ok) throw new Error('cannot read the compiled bundles');
    const tampered = writeBundle(
      [...two.files].map(([path, content]) => ({
        path,
        content: path === '.signatures.json' ? (one.files.get(path) ?? content) : content,
      })),
    );
    writeFileSync(join(cwd, 'reg', 'bundles', 'v3.tar.gz'), tampered);
    const indexPath = join(cwd, 'reg', 'index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as {
      versions: Array<{ version: string; digest: string; time: string }>;
      channels: Record<string, string>;
    };
    index.versions.push({
      version: 'v3',
      digest: sha256Hex(tampered),
      time: new Date().toISOString(),
    });
    index.channels.prod = 'v3';
    writeFileSync(indexPath, JSON.stringify(index));

    // The server hands it out (it serves what is there) ...
    const served = await fetch(`${serveUrl}/bundles/prod.tar.gz`);
    expect(served.headers.get('etag')).toBe(`"${sha256Hex(tampered)}"`);
    await served.arrayBuffer();
    // ... OPA refuses it on its next polls and keeps deciding with v1.
    const refused = /Bundle load failed: .*digest mismatch/;
    const deadline = Date.now() + 10_000;
    while (!refused.test(opaLog.slice(logBefore)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(opaLog.slice(logBefore)).toMatch(refused);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await decision()).toBe('allow');
  }, 40_000);
});
