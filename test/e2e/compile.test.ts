/**
 * `aegis compile` through the built CLI: reproducible bytes wherever the sources sit, the
 * manifest, --rego-out, the JSON report (checked against the tarball with the system `tar`,
 * not with aegis's own reader), --wasm, and every refusal: exit code, one clean line, and no
 * bundle written or overwritten.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aegis, isCleanError, REPO, tempDir } from './run-cli.js';

const POLICIES = join(REPO, 'fixtures', 'policies');
/** Documents in fixtures/policies: one each in devops, fintech, saas; two in healthcare, mssp. */
const FIXTURE_POLICIES = 7;

let dir: { path: string; remove: () => void };

beforeAll(() => {
  dir = tempDir('compile');
  cpSync(POLICIES, join(dir.path, 'fixtures', 'policies'), { recursive: true });
  writeFileSync(
    join(dir.path, 'invalid.yaml'),
    readFileSync(join(REPO, 'fixtures', 'invalid', 'duplicate-policy.yaml')),
  );
});

afterAll(() => dir.remove());

const compile = (args: string[], env?: Record<string, string>) =>
  aegis(['compile', ...args], { cwd: dir.path, ...(env ? { env } : {}) });

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Extracts a bundle with the system tar; returns the directory. */
function untar(bundle: string): string {
  const out = join(dir.path, `x-${sha256(readFileSync(bundle)).slice(0, 12)}`);
  mkdirSync(out, { recursive: true });
  const result = spawnSync('tar', ['-xzf', bundle, '-C', out], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  return out;
}

/** Every regular file below `root`, as `/relative/path`, sorted. */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(`/${relative(root, full).split('\\').join('/')}`);
    }
  };
  walk(root);
  return out.sort();
}

function expectOneCleanLine(stderr: string): void {
  expect(isCleanError(stderr), stderr).toBe(true);
  expect(stderr.trimEnd().split('\n')[0]).toMatch(/^aegis: /);
}

describe('aegis compile', () => {
  it('is reproducible: twice, and from a copy of the sources elsewhere, gives the same bytes', () => {
    const a = compile(['fixtures/policies', '-o', 'a.tar.gz']);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(
      new RegExp(`^compiled ${FIXTURE_POLICIES} policies \\(\\d+ rules\\) into a\\.tar\\.gz\\n`),
    );
    expect(compile(['fixtures/policies', '-o', 'b.tar.gz']).code).toBe(0);
    const bytesA = readFileSync(join(dir.path, 'a.tar.gz'));
    expect(readFileSync(join(dir.path, 'b.tar.gz')).equals(bytesA)).toBe(true);

    // Another directory, same relative layout and working directory: the same bundle.
    const other = tempDir('compile-copy');
    try {
      cpSync(POLICIES, join(other.path, 'fixtures', 'policies'), { recursive: true });
      const c = aegis(['compile', 'fixtures/policies', '-o', 'c.tar.gz'], { cwd: other.path });
      expect(c.code).toBe(0);
      expect(readFileSync(join(other.path, 'c.tar.gz')).equals(bytesA)).toBe(true);
    } finally {
      other.remove();
    }
  });

  it('--revision lands in .manifest', () => {
    const result = compile(['fixtures/policies', '-o', 'rev.tar.gz', '--revision', 'v1.2.3+ci.7']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('revision v1.2.3+ci.7');
    const manifest = JSON.parse(
      readFileSync(join(untar(join(dir.path, 'rev.tar.gz')), '.manifest'), 'utf8'),
    );
    expect(manifest.revision).toBe('v1.2.3+ci.7');
    expect(manifest.roots).toEqual(['aegis']);
    expect(manifest.wasm).toBeUndefined();
  });

  it('--rego-out writes the modules and data.json, the same as in the bundle', () => {
    const result = compile(['fixtures/policies', '-o', 'r.tar.gz', '--rego-out', 'rego']);
    expect(result.code).toBe(0);
    const out = join(dir.path, 'rego');
    const written = listFiles(out);
    expect(written).toContain('/data.json');
    expect(written.filter((f) => f.endsWith('.rego')).length).toBeGreaterThan(0);
    const bundle = untar(join(dir.path, 'r.tar.gz'));
    const inBundle = listFiles(bundle).filter((f) => f.endsWith('.rego'));
    expect(written.filter((f) => f.endsWith('.rego'))).toEqual(inBundle);
    for (const file of inBundle) {
      expect(readFileSync(join(out, file), 'utf8'), file).toBe(
        readFileSync(join(bundle, file), 'utf8'),
      );
    }
    expect(JSON.parse(readFileSync(join(out, 'data.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(join(bundle, 'data.json'), 'utf8')),
    );
  });

  it('refuses `-` for -o and --rego-out (no file or directory named `-`, nothing on stdout)', () => {
    for (const [args, option, what] of [
      [['-o', '-'], '-o', 'a bundle'],
      [['-o', 'dash.tar.gz', '--rego-out', '-'], '--rego-out', 'Rego modules'],
    ] as const) {
      const result = compile(['fixtures/policies', ...args]);
      expect(result.code, option).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `aegis: ${option} -: aegis does not write ${what} to standard output; name a path\n`,
      );
    }
    expect(existsSync(join(dir.path, '-'))).toBe(false);
    expect(existsSync(join(dir.path, 'dash.tar.gz'))).toBe(false);
  });

  it('refuses to write over a policy it compiles (-o, or --rego-out into a policy directory)', () => {
    const policy = join(dir.path, 'fixtures', 'policies', 'fintech.yaml');
    const before = readFileSync(policy, 'utf8');
    symlinkSync(policy, join(dir.path, 'linked.tar.gz'));
    linkSync(policy, join(dir.path, 'hard-linked.tar.gz'));
    for (const output of [
      'fixtures/policies/fintech.yaml',
      'linked.tar.gz',
      'hard-linked.tar.gz',
    ]) {
      const result = compile(['fixtures/policies', '-o', output]);
      expect(result.code, output).toBe(2);
      expect(result.stderr).toBe(
        `aegis: ${join(dir.path, output)} is one of the policy files being compiled; write elsewhere\n`,
      );
    }
    expect(readFileSync(policy, 'utf8')).toBe(before);
    for (const regoOut of ['fixtures/policies', 'fixtures/policies/rego']) {
      const result = compile(['fixtures/policies', '-o', 'never.tar.gz', '--rego-out', regoOut]);
      expect(result.code, regoOut).toBe(2);
      expect(result.stderr).toBe(
        `aegis: --rego-out ${join(dir.path, regoOut)} is inside the policy directory ${join(dir.path, 'fixtures', 'policies')}: its data.json would be read as a policy\n`,
      );
    }
    expect(existsSync(join(dir.path, 'never.tar.gz'))).toBe(false);
    expect(readdirSync(join(dir.path, 'fixtures', 'policies')).sort()).toEqual(
      readdirSync(POLICIES).sort(),
    );
  });

  it('refuses to write over the signing key, to a .pem name, or the bundle and --rego-out into one file', () => {
    const key = join(dir.path, 'signing.key');
    expect(aegis(['keys', 'generate', '--id', 'guard'], { cwd: dir.path }).code).toBe(0);
    cpSync(join(dir.path, 'guard.key.pem'), key);
    const keyText = readFileSync(key, 'utf8');
    const over = compile(['fixtures/policies', '--sign-key', 'signing.key', '-o', 'signing.key']);
    expect(over.code).toBe(2);
    expect(over.stderr).toBe(`aegis: ${key} is the signing key (--sign-key); write elsewhere\n`);
    expect(readFileSync(key, 'utf8')).toBe(keyText);

    const pem = compile(['fixtures/policies', '-o', 'guard.pub.pem']);
    expect(pem.code).toBe(2);
    expect(pem.stderr).toMatch(
      /^aegis: -o guard\.pub\.pem: a bundle is not written to a \.pem file/,
    );
    expect(isCleanError(pem.stderr)).toBe(true);

    const twice = compile(['fixtures/policies', '-o', 'rg/data.json', '--rego-out', 'rg']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(
      `aegis: the bundle (-o) and --rego-out's data.json are one file (${join(dir.path, 'rg', 'data.json')}); write them apart\n`,
    );
    expect(existsSync(join(dir.path, 'rg'))).toBe(false);
  });

  it('a --rego-out that cannot be written leaves the bundle as it was, and no Rego behind', () => {
    writeFileSync(join(dir.path, 'kept.tar.gz'), 'OLD');
    writeFileSync(join(dir.path, 'notadir'), 'x');
    const file = compile(['fixtures/policies', '-o', 'kept.tar.gz', '--rego-out', 'notadir/sub']);
    expect(file.code).toBe(2);
    expect(isCleanError(file.stderr)).toBe(true);
    expect(readFileSync(join(dir.path, 'kept.tar.gz'), 'utf8')).toBe('OLD');

    // aegis/lib is a file: the modules above it could be written, the library's cannot.
    mkdirSync(join(dir.path, 'rp', 'aegis'), { recursive: true });
    writeFileSync(join(dir.path, 'rp', 'aegis', 'lib'), 'x');
    const partial = compile(['fixtures/policies', '-o', 'kept.tar.gz', '--rego-out', 'rp']);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/^aegis: cannot write .*rp\/aegis\/lib\/.*\.rego: /);
    expect(readFileSync(join(dir.path, 'kept.tar.gz'), 'utf8')).toBe('OLD');
    expect(readdirSync(join(dir.path, 'rp', 'aegis'))).toEqual(['lib']);
    expect(readdirSync(dir.path).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('--format json prints the CLI.md document, and it describes the file on disk', () => {
    const result = compile(['fixtures/policies', '-o', 'out/j.tar.gz', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report).toEqual(
      expect.objectContaining({
        bundle: 'out/j.tar.gz',
        revision: expect.any(String),
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        files: expect.any(Array),
        policies: FIXTURE_POLICIES,
        rules: expect.any(Number),
      }),
    );
    expect(Number.isInteger(report.rules) && report.rules > 0).toBe(true);
    const bundlePath = join(dir.path, 'out', 'j.tar.gz');
    expect(report.sha256).toBe(sha256(readFileSync(bundlePath)));

    const extracted = untar(bundlePath);
    // Without --revision the revision is derived from the sources, and the manifest has it.
    expect(report.revision).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(JSON.parse(readFileSync(join(extracted, '.manifest'), 'utf8')).revision).toBe(
      report.revision,
    );
    const files = report.files as { path: string; sha256: string; size: number }[];
    for (const f of files) expect(Object.keys(f).sort()).toEqual(['path', 'sha256', 'size']);
    expect(files.map((f) => f.path)).toEqual(listFiles(extracted));
    for (const f of files) {
      const bytes = readFileSync(join(extracted, f.path));
      expect({ path: f.path, sha256: sha256(bytes), size: bytes.length }).toEqual(f);
    }
  });

  it('--wasm adds /policy.wasm and the manifest names it', () => {
    const result = compile(['fixtures/policies', '-o', 'w.tar.gz', '--wasm', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.files.map((f: { path: string }) => f.path)).toContain('/policy.wasm');
    const extracted = untar(join(dir.path, 'w.tar.gz'));
    const wasm = readFileSync(join(extracted, 'policy.wasm'));
    expect([...wasm.subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
    const manifest = JSON.parse(readFileSync(join(extracted, '.manifest'), 'utf8'));
    expect(manifest.wasm).toEqual([{ entrypoint: 'aegis/decision', module: '/policy.wasm' }]);
  });

  it('an invalid policy: exit 1, diagnostics on stderr, no bundle, an old bundle untouched', () => {
    const fresh = compile(['invalid.yaml', '-o', 'never.tar.gz']);
    expect(fresh.code).toBe(1);
    expect(fresh.stdout).toBe('');
    expect(fresh.stderr).toContain('duplicate-policy');
    expect(fresh.stderr).toMatch(/invalid\.yaml\n\s+\d+:\d+\s+error/);
    expect(existsSync(join(dir.path, 'never.tar.gz'))).toBe(false);

    writeFileSync(join(dir.path, 'keep.tar.gz'), 'the previous bundle');
    const over = compile(['fixtures/policies', 'invalid.yaml', '-o', 'keep.tar.gz']);
    expect(over.code).toBe(1);
    expect(readFileSync(join(dir.path, 'keep.tar.gz'), 'utf8')).toBe('the previous bundle');
    // No temporary file is left beside it either.
    expect(readdirSync(dir.path).filter((f) => f.startsWith('keep.tar.gz'))).toEqual([
      'keep.tar.gz',
    ]);
  });

  it('a missing path exits 2 and writes nothing', () => {
    const result = compile(['no-such-dir', '-o', 'missing.tar.gz']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-dir');
    expect(isCleanError(result.stderr)).toBe(true);
    expect(existsSync(join(dir.path, 'missing.tar.gz'))).toBe(false);
  });

  it('an unwritable -o (under a regular file) exits 2 with one line, no stack', () => {
    writeFileSync(join(dir.path, 'plain-file'), 'x');
    const result = compile(['fixtures/policies', '-o', 'plain-file/sub/b.tar.gz']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expectOneCleanLine(result.stderr);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('plain-file/sub/b.tar.gz');
    expect(statSync(join(dir.path, 'plain-file')).isFile()).toBe(true);
  });

  it('--wasm without opa exits 2 with a hint to install it', () => {
    const result = compile(['fixtures/policies', '-o', 'nowasm.tar.gz', '--wasm'], {
      AEGIS_OPA: '/nonexistent',
    });
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr);
    expect(result.stderr).toContain('install-opa');
    expect(existsSync(join(dir.path, 'nowasm.tar.gz'))).toBe(false);
  });

  it('a --revision with a space exits 2', () => {
    const result = compile(['fixtures/policies', '-o', 'badrev.tar.gz', '--revision', 'v1 beta']);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr);
    expect(result.stderr).toContain('--revision');
    expect(existsSync(join(dir.path, 'badrev.tar.gz'))).toBe(false);
  });
});
