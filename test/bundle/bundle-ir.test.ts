/**
 * Where the native and wasm engines get the IR of a compiled bundle: from data.json, the one
 * copy of the policies a bundle carries, which OPA enforces too; and a clean refusal for
 * bundles of earlier aegis versions (which carried aegis/ir.json beside it) and for bundles
 * aegis did not make.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildManifest, serializeManifest } from '../../src/bundle/manifest.js';
import { type BundleFile, writeBundle } from '../../src/bundle/write-bundle.js';
import { compile } from '../../src/compiler/compile.js';
import { loadPolicySet } from '../../src/engine/policy-set.js';
import { InputError } from '../../src/errors.js';

const root = join(import.meta.dirname, '..', '..');
const fixture = join(root, 'fixtures', 'policies', 'healthcare.yaml');
const work = mkdtempSync(join(tmpdir(), 'aegis-bundle-ir-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const options = { cwd: root, compilerVersion: 'test' };

async function compiled() {
  const result = await compile([fixture], options);
  if (!result.ok) throw new Error('the fixture does not compile');
  return result;
}

/** A bundle of the given files plus a manifest, on disk. */
function bundleWith(name: string, files: BundleFile[]): string {
  const manifest = serializeManifest(
    buildManifest({ revision: 'r', compiler: 'test', sourceSha256: '0'.repeat(64) }),
  );
  const path = join(work, name);
  writeFileSync(path, writeBundle([...files, { path: '.manifest', content: manifest }]));
  return path;
}

describe('the IR of a bundle', () => {
  it('is not a file of its own: data.json carries the policies once', async () => {
    const result = await compiled();
    expect(result.files.map((f) => f.path)).not.toContain('/aegis/ir.json');
  });

  it('comes back from data.json as compile() made it', async () => {
    const result = await compiled();
    const path = join(work, 'compiled.tar.gz');
    writeFileSync(path, result.bundle);
    const loaded = await loadPolicySet([path], options);
    if (!loaded.ok) throw new Error('the bundle does not load');
    expect(loaded.set.ir).toStrictEqual(result.ir);
    expect(loaded.set.data).toStrictEqual(result.data);
  });

  it('is refused, with what to do, for a bundle of an earlier aegis carrying aegis/ir.json', async () => {
    // Its IR was read as it was, unchecked against the data.json OPA enforces: here one that
    // would have let the native engine decide a policy OPA does not have.
    const result = await compiled();
    const files = [
      { path: 'data.json', content: JSON.stringify(result.data) },
      ...result.modules.map((m) => ({ path: m.path, content: m.text })),
    ];
    const current = bundleWith('current.tar.gz', files);
    expect((await loadPolicySet([current], options)).ok).toBe(true);
    const earlier = bundleWith('earlier.tar.gz', [
      ...files,
      { path: 'aegis/ir.json', content: JSON.stringify({ ...result.ir, policies: [] }) },
    ]);
    const loading = loadPolicySet([earlier], options);
    await expect(loading).rejects.toBeInstanceOf(InputError);
    await expect(loading).rejects.toThrow(
      /earlier\.tar\.gz: the bundle was compiled by an earlier aegis \(it carries aegis\/ir\.json, which this aegis does not read\)$/,
    );
  });

  it('is refused, with what to do, for a bundle aegis did not make', async () => {
    const path = bundleWith('foreign.tar.gz', [
      { path: 'data.json', content: '{"other": 1}' },
      { path: 'x/p.rego', content: 'package x\n' },
    ]);
    const loading = loadPolicySet([path], options);
    await expect(loading).rejects.toBeInstanceOf(InputError);
    await expect(loading).rejects.toThrow(/foreign\.tar\.gz: .*not compiled by aegis/);
  });

  it('is refused for aegis data of another format', async () => {
    const path = bundleWith('future.tar.gz', [
      { path: 'data.json', content: '{"aegis": {"format": 4}}' },
    ]);
    // An InputError: the command says so on one line and exits 2.
    await expect(loadPolicySet([path], options)).rejects.toBeInstanceOf(InputError);
    await expect(loadPolicySet([path], options)).rejects.toThrow(
      /format 4; this aegis reads formats 2 and 3 \(recompile the bundle\)/,
    );
  });
});
