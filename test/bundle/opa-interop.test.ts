/**
 * The bundle layer against the real OPA: what aegis writes, OPA loads; what `opa build`
 * writes, aegis reads. Without OPA these tests fail (never skip) and say how to install it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/bundle/canonical-json.js';
import { buildManifest, parseManifest, serializeManifest } from '../../src/bundle/manifest.js';
import { readBundleFile } from '../../src/bundle/read-bundle.js';
import { writeBundle } from '../../src/bundle/write-bundle.js';
import { findOpa, opaBuildWasm } from '../../src/engine/opa-binary.js';

const POLICY = 'package aegis\n\ndecision := {"allow": true, "limit": data.aegis.limit}\n';
const SHA = 'b'.repeat(64);

let opa: string;
let dir: string;

beforeAll(async () => {
  const found = await findOpa({ env: { PATH: process.env.PATH }, cwd: process.cwd() });
  if (!found.ok) throw new Error(`${found.message}: ${found.hint}`);
  opa = found.path;
  dir = await mkdtemp(join(tmpdir(), 'aegis-opa-interop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function evalBundle(bundle: string, query: string): Promise<unknown> {
  const { stdout } = await execa(opa, ['eval', '--format', 'json', '--bundle', bundle, query]);
  const output = JSON.parse(stdout) as { result?: { expressions: { value: unknown }[] }[] };
  return output.result?.[0]?.expressions[0]?.value;
}

describe('OPA interop', () => {
  it('OPA loads and evaluates a bundle written by writeBundle', async () => {
    const path = join(dir, 'aegis.tar.gz');
    await writeFile(
      path,
      writeBundle([
        { path: 'aegis/policy.rego', content: POLICY },
        { path: 'data.json', content: canonicalJson({ aegis: { limit: 5000 } }) },
        {
          path: '.manifest',
          content: serializeManifest(
            buildManifest({ revision: 'rev-7', compiler: '0.1.0', sourceSha256: SHA }),
          ),
        },
      ]),
    );
    expect(await evalBundle(path, 'data.aegis.decision')).toEqual({ allow: true, limit: 5000 });
    // The manifest OPA read is ours.
    const { stdout } = await execa(opa, ['inspect', '--format', 'json', path]);
    const inspected = JSON.parse(stdout) as {
      manifest: { revision: string; roots: string[]; metadata: unknown };
    };
    expect(inspected.manifest.revision).toBe('rev-7');
    expect(inspected.manifest.roots).toEqual(['aegis']);
    expect(inspected.manifest.metadata).toEqual({
      aegis: { compiler: '0.1.0', format: 1, source_sha256: SHA },
    });
  });

  it('OPA refuses data outside the roots we declare, so the manifest is really enforced', async () => {
    const path = join(dir, 'outside.tar.gz');
    await writeFile(
      path,
      writeBundle([
        { path: 'aegis/policy.rego', content: POLICY },
        { path: 'data.json', content: canonicalJson({ aegis: { limit: 1 }, other: {} }) },
        {
          path: '.manifest',
          content: serializeManifest(
            buildManifest({ revision: 'r', compiler: '0.1.0', sourceSha256: SHA }),
          ),
        },
      ]),
    );
    const result = await execa(opa, ['eval', '--bundle', path, 'data.aegis'], { reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/roots/);
  });

  it('readBundle reads what `opa build` writes, wasm included', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'aegis'), { recursive: true });
    await writeFile(join(src, 'aegis', 'policy.rego'), POLICY);
    await writeFile(join(src, 'data.json'), '{"aegis":{"limit":3}}');
    const out = join(dir, 'built.tar.gz');
    await execa(
      opa,
      [
        'build',
        '--bundle',
        '.',
        '--target',
        'wasm',
        '--entrypoint',
        'aegis/decision',
        '--output',
        out,
      ],
      {
        cwd: src,
      },
    );
    const read = await readBundleFile(out);
    if (!read.ok) throw new Error(read.message);
    expect([...read.files.keys()].sort()).toEqual([
      '.manifest',
      'aegis/policy.rego',
      'data.json',
      'policy.wasm',
    ]);
    expect([...(read.files.get('policy.wasm') ?? new Uint8Array()).subarray(0, 4)]).toEqual([
      0, 0x61, 0x73, 0x6d,
    ]);
    const manifest = parseManifest(read.files.get('.manifest') ?? new Uint8Array());
    expect(manifest).toMatchObject({
      ok: true,
      manifest: { wasm: [{ entrypoint: 'aegis/decision', module: '/policy.wasm' }] },
    });
  });

  // This OPA build has no wasm runtime ("WebAssembly: unavailable"), so it cannot evaluate
  // policy.wasm; `opa inspect` still loads and validates the bundle, manifest entry included.
  it('OPA loads an aegis bundle that carries policy.wasm and its manifest entry', async () => {
    const files = [
      { path: 'aegis/policy.rego', content: POLICY },
      { path: 'data.json', content: canonicalJson({ aegis: { limit: 9 } }) },
    ];
    const built = await opaBuildWasm({ opa, source: { files }, entrypoint: 'aegis/decision' });
    if (!built.ok) throw new Error(built.message);
    const manifest = buildManifest({
      revision: 'r',
      compiler: '0.1.0',
      sourceSha256: SHA,
      wasm: true,
    });
    const path = join(dir, 'with-wasm.tar.gz');
    await writeFile(
      path,
      writeBundle([
        ...files,
        { path: 'policy.wasm', content: built.wasm },
        { path: '.manifest', content: serializeManifest(manifest) },
      ]),
    );
    const { stdout } = await execa(opa, ['inspect', '--format', 'json', path]);
    const inspected = JSON.parse(stdout) as {
      manifest: { wasm: unknown };
      wasm_modules?: unknown[];
    };
    expect(inspected.manifest.wasm).toEqual([
      { entrypoint: 'aegis/decision', module: '/policy.wasm' },
    ]);
    expect(inspected.wasm_modules).toHaveLength(1);
  });
});
