/**
 * Bundle signing against the REAL OPA: what aegis signs, `opa run --verification-key` serves
 * (and refuses once tampered); what `opa build --signing-key` and `opa sign` sign, aegis
 * verifies. Without OPA these tests fail, never skip.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, type KeyPairPem } from '../../src/bundle/keys.js';
import { readBundle } from '../../src/bundle/read-bundle.js';
import { signBundle } from '../../src/bundle/sign.js';
import type { SigningAlgorithm } from '../../src/bundle/signing-algorithm.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { writeBundle } from '../../src/bundle/write-bundle.js';
import { compile } from '../../src/compiler/compile.js';
import { findOpa } from '../../src/engine/opa-binary.js';
import { freePort } from '../support/free-port.js';

const REPO = new URL('../..', import.meta.url).pathname;
const ALGS: SigningAlgorithm[] = ['ES256', 'RS256', 'PS256'];

let opa: string;
let dir: string;
let unsigned: Buffer;
const keys = new Map<SigningAlgorithm, KeyPairPem>();
const started = new Set<ChildProcess>();

beforeAll(async () => {
  const found = await findOpa({ env: { PATH: process.env.PATH }, cwd: REPO });
  if (!found.ok) throw new Error(`these tests need real OPA: ${found.message}: ${found.hint}`);
  opa = found.path;
  dir = await mkdtemp(join(tmpdir(), 'aegis-sign-'));
  const compiled = await compile([join(REPO, 'fixtures', 'policies', 'fintech.yaml')], {
    cwd: REPO,
    compilerVersion: '0.0.0-test',
  });
  if (!compiled.ok) throw new Error('the fintech fixture does not compile');
  unsigned = compiled.bundle;
  const pairs = await Promise.all(ALGS.map((alg) => generateSigningKeyPair(alg)));
  ALGS.forEach((alg, i) => {
    const pair = pairs[i];
    if (pair) keys.set(alg, pair);
  });
}, 30_000);

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function pair(alg: SigningAlgorithm): KeyPairPem {
  const found = keys.get(alg);
  if (!found) throw new Error(`no ${alg} key`);
  return found;
}

async function files(bundle: Uint8Array): Promise<Map<string, Uint8Array>> {
  const read = await readBundle(bundle);
  if (!read.ok) throw new Error(read.message);
  return read.files;
}

/** Rewrites a bundle's files (a tamperer re-tarring it). */
async function retar(
  bundle: Uint8Array,
  edit: (files: Map<string, Uint8Array>) => void,
): Promise<Buffer> {
  const map = await files(bundle);
  edit(map);
  return writeBundle([...map].map(([path, content]) => ({ path, content })));
}

type Served = { ok: true; decision: unknown } | { ok: false; output: string };

/** `opa run --server` with verification: the decision it serves, or why it would not start. */
async function serve(bundle: string, pub: string, id: string, alg: string): Promise<Served> {
  const port = await freePort();
  const child = spawn(
    opa,
    [
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${port}`,
      '--log-level',
      'error',
      '--bundle',
      bundle,
      '--verification-key',
      pub,
      '--verification-key-id',
      id,
      '--signing-alg',
      alg,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.add(child);
  let output = '';
  child.stdout.on('data', (s: Buffer) => {
    output += s.toString();
  });
  child.stderr.on('data', (s: Buffer) => {
    output += s.toString();
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  try {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (exited) return { ok: false, output };
      try {
        const response = await fetch(`http://127.0.0.1:${port}/v1/data/aegis/decision`, {
          method: 'POST',
          body: JSON.stringify({ input: {} }),
        });
        const body = (await response.json()) as { result?: unknown };
        return { ok: true, decision: body.result };
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`opa run did not start or stop within 10s: ${output}`);
  } finally {
    child.kill('SIGKILL');
    started.delete(child);
  }
}

describe('aegis-signed bundles in real OPA', () => {
  it('opa run --verification-key serves a signed bundle and refuses it once data.json changes', async () => {
    const { privateKeyPem, publicKeyPem } = pair('ES256');
    const signed = await signBundle(unsigned, { privateKeyPem, keyId: 'prod' });
    const bundlePath = join(dir, 'signed.tar.gz');
    const pubPath = join(dir, 'es256.pub.pem');
    await writeFile(bundlePath, signed);
    await writeFile(pubPath, publicKeyPem);

    const served = await serve(bundlePath, pubPath, 'prod', 'ES256');
    expect(served.ok).toBe(true);
    expect(served.ok && served.decision).toMatchObject({ allow: expect.any(Boolean) });

    // One byte of data.json changed (a digit), everything else as signed.
    const tampered = await retar(signed, (map) => {
      const data = Buffer.from(map.get('data.json') ?? new Uint8Array());
      const at = data.findIndex((byte) => byte >= 0x30 && byte <= 0x38);
      expect(at).toBeGreaterThan(-1);
      data[at] = (data[at] ?? 0x30) + 1;
      map.set('data.json', data);
    });
    const tamperedPath = join(dir, 'tampered.tar.gz');
    await writeFile(tamperedPath, tampered);
    const refused = await serve(tamperedPath, pubPath, 'prod', 'ES256');
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.output).toMatch(/digest mismatch/);
    expect(await verifyBundle(tampered, [publicKeyPem])).toMatchObject({
      ok: false,
      reason: 'file-mismatch',
      files: { changed: ['data.json'], extra: [], missing: [] },
    });
  }, 30_000);

  it.each(ALGS)(
    '%s: aegis signs, aegis and opa build --verification-key verify',
    async (alg) => {
      const { privateKeyPem, publicKeyPem } = pair(alg);
      const signed = await signBundle(unsigned, { privateKeyPem, keyId: `k-${alg}`, alg });
      const token = (
        JSON.parse(Buffer.from((await files(signed)).get('.signatures.json') ?? '').toString()) as {
          signatures: string[];
        }
      ).signatures[0];
      expect(decodeProtectedHeader(token ?? '')).toMatchObject({ alg, kid: `k-${alg}` });
      expect(await verifyBundle(signed, [publicKeyPem])).toEqual({
        ok: true,
        keyId: `k-${alg}`,
        files: (await files(unsigned)).size,
      });

      const bundlePath = join(dir, `${alg}.tar.gz`);
      const pubPath = join(dir, `${alg}.pub.pem`);
      await writeFile(bundlePath, signed);
      await writeFile(pubPath, publicKeyPem);
      const opaVerify = (algorithm: string) =>
        execa(
          opa,
          [
            'build',
            '--bundle',
            bundlePath,
            '--verification-key',
            pubPath,
            '--signing-alg',
            algorithm,
            '-o',
            join(dir, `${alg}-out.tar.gz`),
          ],
          { reject: false },
        );
      const accepted = await opaVerify(alg);
      expect(accepted.stderr).toBe('');
      expect(accepted.exitCode).toBe(0);
      // The control: OPA really checks, so another algorithm for the same key fails.
      const other = alg === 'ES256' ? 'RS256' : 'ES256';
      expect((await opaVerify(other)).exitCode).not.toBe(0);
    },
    30_000,
  );

  it('an RSA key cannot be forced into ES256, nor an EC key into RS256', async () => {
    await expect(
      signBundle(unsigned, {
        privateKeyPem: pair('RS256').privateKeyPem,
        keyId: 'k',
        alg: 'ES256',
      }),
    ).rejects.toThrow(/ES256/);
    await expect(
      signBundle(unsigned, {
        privateKeyPem: pair('ES256').privateKeyPem,
        keyId: 'k',
        alg: 'RS256',
      }),
    ).rejects.toThrow(/ES256/);
  });
});

describe('OPA-signed bundles in aegis verify', () => {
  /** A bundle directory whose JSON is not in canonical form, so hashing must canonicalize. */
  async function bundleDir(name: string): Promise<string> {
    const root = join(dir, name);
    await mkdir(join(root, 'aegis', 'nested'), { recursive: true });
    await writeFile(
      join(root, 'aegis', 'policy.rego'),
      'package aegis\n\ndecision := {"allow": data.aegis.limit > 1}\n',
    );
    await writeFile(
      join(root, 'data.json'),
      '{ "aegis" : { "limit" : 5.0e3, "b": [1, 2], "a": "\u00e9" } }\n',
    );
    await writeFile(join(root, 'aegis', 'nested', 'data.json'), '{"z": 1, "y": {"x": 1.50}}');
    await writeFile(join(root, '.manifest'), '{"roots": ["aegis"], "revision": "r1"}\n');
    return root;
  }

  it('verifies what opa build --signing-key signs (kid "default", not one of our ids)', async () => {
    const { privateKeyPem, publicKeyPem } = pair('ES256');
    const root = await bundleDir('opa-build');
    const keyPath = join(dir, 'opa-build.key.pem');
    await writeFile(keyPath, privateKeyPem);
    const out = join(dir, 'opa-built.tar.gz');
    const built = await execa(
      opa,
      ['build', '--bundle', '.', '--signing-key', keyPath, '--signing-alg', 'ES256', '-o', out],
      { cwd: root, reject: false },
    );
    expect(built.stderr).toBe('');
    const bytes = await readFile(out);
    expect((await files(bytes)).has('.signatures.json')).toBe(true);
    expect(await verifyBundle(bytes, [{ pem: publicKeyPem, id: 'mine' }])).toMatchObject({
      ok: true,
      keyId: 'default',
    });
    // And the control: another key does not verify it.
    expect(await verifyBundle(bytes, [pair('RS256').publicKeyPem])).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  }, 30_000);

  it('verifies what opa sign signs (no kid at all), tarred by aegis', async () => {
    const { privateKeyPem, publicKeyPem } = pair('PS256');
    const root = await bundleDir('opa-sign');
    const keyPath = join(dir, 'opa-sign.key.pem');
    await writeFile(keyPath, privateKeyPem);
    const signed = await execa(
      opa,
      ['sign', '--bundle', '.', '--signing-key', keyPath, '--signing-alg', 'PS256', '-o', '.'],
      { cwd: root, reject: false },
    );
    expect(signed.stderr).toBe('');
    const paths = [
      '.manifest',
      'data.json',
      'aegis/policy.rego',
      'aegis/nested/data.json',
      '.signatures.json',
    ];
    const bundle = writeBundle(
      await Promise.all(
        paths.map(async (path) => ({ path, content: await readFile(join(root, path)) })),
      ),
    );
    const result = await verifyBundle(bundle, [pair('ES256').publicKeyPem, publicKeyPem]);
    expect(result).toEqual({ ok: true, keyId: '', files: 4 });
  }, 30_000);
});

describe('verifyBundle', () => {
  it('rotation: a bundle signed with key B verifies with A and B given, chosen by kid', async () => {
    const a = pair('ES256');
    const b = await generateSigningKeyPair('ES256');
    const signed = await signBundle(unsigned, { privateKeyPem: b.privateKeyPem, keyId: 'b' });
    expect(
      await verifyBundle(signed, [
        { pem: a.publicKeyPem, id: 'a' },
        { pem: b.publicKeyPem, id: 'b' },
      ]),
    ).toMatchObject({ ok: true, keyId: 'b' });
    expect(await verifyBundle(signed, [a.publicKeyPem, b.publicKeyPem])).toMatchObject({
      ok: true,
      keyId: 'b',
    });
    const onlyA = await verifyBundle(signed, [{ pem: a.publicKeyPem, id: 'a' }]);
    expect(onlyA).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(!onlyA.ok && onlyA.message).toContain('"b"');
  });

  it('unsigned, extra, missing and changed files each fail with their reason', async () => {
    const { privateKeyPem, publicKeyPem } = pair('ES256');
    const signed = await signBundle(unsigned, { privateKeyPem, keyId: 'k' });
    expect(await verifyBundle(unsigned, [publicKeyPem])).toMatchObject({
      ok: false,
      reason: 'unsigned',
    });

    const extra = await retar(signed, (map) =>
      map.set('aegis/extra.rego', Buffer.from('package aegis\n')),
    );
    expect(await verifyBundle(extra, [publicKeyPem])).toMatchObject({
      ok: false,
      reason: 'file-mismatch',
      files: { extra: ['aegis/extra.rego'], missing: [], changed: [] },
    });

    const original = await files(unsigned);
    const rego = [...original.keys()].find((path) => path.endsWith('.rego'));
    expect(rego).toBeDefined();
    const missing = await retar(signed, (map) => map.delete(rego ?? ''));
    expect(await verifyBundle(missing, [publicKeyPem])).toMatchObject({
      ok: false,
      reason: 'file-mismatch',
      files: { extra: [], missing: [rego], changed: [] },
    });

    const changed = await retar(signed, (map) => {
      const text = Buffer.from(map.get(rego ?? '') ?? new Uint8Array()).toString();
      map.set(rego ?? '', Buffer.from(`${text}\n`));
    });
    expect(await verifyBundle(changed, [publicKeyPem])).toMatchObject({
      ok: false,
      reason: 'file-mismatch',
      files: { extra: [], missing: [], changed: [rego] },
    });

    // data.json is hashed over its canonical form: reformatting it is not a change.
    const reformatted = await retar(signed, (map) => {
      const data = JSON.parse(Buffer.from(map.get('data.json') ?? '').toString()) as unknown;
      map.set('data.json', Buffer.from(JSON.stringify(data, null, 2)));
    });
    expect(await verifyBundle(reformatted, [publicKeyPem])).toMatchObject({ ok: true });
  });

  it('a changed signature or a malformed signature file fails', async () => {
    const { privateKeyPem, publicKeyPem } = pair('ES256');
    const signed = await signBundle(unsigned, { privateKeyPem, keyId: 'k' });
    const forged = await retar(signed, (map) => {
      const sigs = JSON.parse(Buffer.from(map.get('.signatures.json') ?? '').toString()) as {
        signatures: string[];
      };
      const [header, , signature] = (sigs.signatures[0] ?? '').split('.');
      const payload = Buffer.from(JSON.stringify({ files: [] })).toString('base64url');
      map.set(
        '.signatures.json',
        Buffer.from(JSON.stringify({ signatures: [`${header}.${payload}.${signature}`] })),
      );
    });
    expect(await verifyBundle(forged, [publicKeyPem])).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    const two = await retar(signed, (map) =>
      map.set('.signatures.json', Buffer.from('{"signatures": ["a.b.c", "d.e.f"]}')),
    );
    expect(await verifyBundle(two, [publicKeyPem])).toMatchObject({
      ok: false,
      reason: 'malformed-signature',
    });
    expect(await verifyBundle(Buffer.from('not a bundle'), [publicKeyPem])).toMatchObject({
      ok: false,
      reason: 'unreadable',
    });
  });

  it('re-signing replaces the old signature, and RS256 gives the same bytes again', async () => {
    const { privateKeyPem, publicKeyPem } = pair('RS256');
    const once = await signBundle(unsigned, { privateKeyPem, keyId: 'r' });
    const twice = await signBundle(once, { privateKeyPem, keyId: 'r' });
    // RS256 (PKCS#1 v1.5) signatures are deterministic, so re-signing gives the same bytes.
    expect(twice.equals(once)).toBe(true);
    expect([...(await files(twice)).keys()].filter((p) => p === '.signatures.json')).toHaveLength(
      1,
    );
    expect(await verifyBundle(twice, [publicKeyPem])).toMatchObject({ ok: true, keyId: 'r' });
  });
});
