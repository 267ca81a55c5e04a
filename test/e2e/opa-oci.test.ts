/**
 * REAL OPA pulls a signed aegis bundle from a REAL OCI registry: the OCI backend publishes
 * v1 to channel `prod`, `opa run --server` configured with an `oci` service and the bundle
 * resource `<host:port>/<repo>:prod` (with signature verification on) answers
 * data.aegis.decision; then the channel tag moves to v2 and OPA, polling every second,
 * follows. Both the registry and OPA are required: a missing binary fails the suite.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signBundle } from '../../src/bundle/sign.js';
import { compile } from '../../src/compiler/compile.js';
import { findOpa } from '../../src/engine/opa-binary.js';
import { OciRegistry, parseOciUrl } from '../../src/registry/oci-registry.js';
import {
  startTestRegistry,
  stopProcess,
  type TestRegistry,
} from '../registry/oci-test-registry.js';
import { freePort } from '../support/free-port.js';
import { REPO } from './run-cli.js';

const POLICIES = join(REPO, 'fixtures', 'policies');
const REPOSITORY = 'e2e/policies';
const KEY_ID = 'e2e-key';
const FOLLOW_TIMEOUT_MS = 15_000;

const firstCase = JSON.parse(
  readFileSync(join(REPO, 'fixtures', 'cases', 'fintech.jsonl'), 'utf8').split('\n')[0] ?? '',
) as { input: unknown; expect: { decision: string } };

let registry: TestRegistry;
let opa: ChildProcess | undefined;
let opaUrl = '';
let dir = '';
let oci: OciRegistry;
let privateKeyPem = '';
/** OPA's error log: where a refused bundle shows. */
let opaLog = '';
let publicKeyPem = '';

async function signedBundle(policy: string, revision: string): Promise<Uint8Array> {
  const compiled = await compile([join(POLICIES, policy)], {
    cwd: REPO,
    env: process.env,
    compilerVersion: 'test',
    revision,
  });
  if (!compiled.ok) throw new Error(`${policy} does not compile`);
  return signBundle(compiled.bundle, { privateKeyPem, keyId: KEY_ID });
}

beforeAll(async () => {
  const opaBinary = await findOpa({ env: process.env, cwd: REPO });
  if (!opaBinary.ok) {
    throw new Error(`this test needs real OPA: ${opaBinary.message}; run \`npm run install-opa\``);
  }
  registry = await startTestRegistry();
  dir = mkdtempSync(join(tmpdir(), 'aegis-opa-oci-'));
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  oci = new OciRegistry(parseOciUrl(`oci://127.0.0.1:${registry.port}/${REPOSITORY}`));
  const put = await oci.put('v1', await signedBundle('fintech.yaml', 'v1'), {
    user: 'e2e',
    channel: 'prod',
  });
  expect(put.ok).toBe(true);

  const port = await freePort();
  const config = join(dir, 'opa.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      services: { registry: { url: registry.url, type: 'oci' } },
      bundles: {
        aegis: {
          service: 'registry',
          resource: `127.0.0.1:${registry.port}/${REPOSITORY}:prod`,
          polling: { min_delay_seconds: 1, max_delay_seconds: 1 },
          signing: { keyid: KEY_ID },
        },
      },
      keys: { [KEY_ID]: { key: publicKeyPem, algorithm: 'ES256' } },
      persistence_directory: join(dir, 'persist'),
    }),
  );
  opa = spawn(
    opaBinary.path,
    [
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${port}`,
      '--config-file',
      config,
      '--log-level',
      'error',
      '--skip-version-check',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  opa.stderr?.setEncoding('utf8').on('data', (s: string) => {
    opaLog += s;
  });
  opaUrl = `http://127.0.0.1:${port}`;
  // /health?bundles is 200 only once the bundle was downloaded, verified and activated.
  const deadline = Date.now() + FOLLOW_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (opa.exitCode !== null) throw new Error(`opa exited with ${opa.exitCode}: ${opaLog}`);
    try {
      if ((await fetch(`${opaUrl}/health?bundles`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`OPA did not activate the bundle from the registry: ${opaLog}`);
});

afterAll(async () => {
  if (opa) await stopProcess(opa);
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function decision(): Promise<{ decision?: string } | undefined> {
  const response = await fetch(`${opaUrl}/v1/data/aegis/decision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: firstCase.input }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { result?: { decision?: string } }).result;
}

async function revision(): Promise<unknown> {
  const response = await fetch(`${opaUrl}/v1/data/system/bundles/aegis/manifest/revision`);
  return ((await response.json()) as { result?: unknown }).result;
}

it('OPA pulls the signed bundle from the prod tag and follows the tag to v2', async () => {
  expect(await revision()).toBe('v1');
  expect((await decision())?.decision).toBe(firstCase.expect.decision);

  // v2 is another policy: the same input is decided differently, so a stale OPA shows.
  const put = await oci.put('v2', await signedBundle('devops.yaml', 'v2'), { user: 'e2e' });
  expect(put.ok).toBe(true);
  expect(await revision()).toBe('v1');
  expect((await oci.setChannel('prod', 'v2', { user: 'e2e' })).ok).toBe(true);

  const deadline = Date.now() + FOLLOW_TIMEOUT_MS;
  while ((await revision()) !== 'v2' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(await revision()).toBe('v2');
  expect((await decision())?.decision).not.toBe(firstCase.expect.decision);
});

it('OPA refuses a bundle that does not verify, and keeps the one it has', async () => {
  // Signed with another key under the same key id: OPA must not activate it.
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const compiled = await compile([join(POLICIES, 'saas.yaml')], {
    cwd: REPO,
    env: process.env,
    compilerVersion: 'test',
    revision: 'v3-forged',
  });
  if (!compiled.ok) throw new Error('saas.yaml does not compile');
  const forged = await signBundle(compiled.bundle, {
    privateKeyPem: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    keyId: KEY_ID,
  });
  expect((await oci.put('v3', forged, { user: 'mallory', channel: 'prod' })).ok).toBe(true);
  // OPA logs the refusal; the active bundle stays v2.
  const deadline = Date.now() + FOLLOW_TIMEOUT_MS;
  while (!/failed to verify JWT signature/.test(opaLog) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(opaLog).toMatch(/failed to verify JWT signature/);
  expect(await revision()).toBe('v2');
});
