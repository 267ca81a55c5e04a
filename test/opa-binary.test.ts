import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOpa, opaBuildWasm, runOpa } from '../src/engine/opa-binary.js';
import { createOpaEngine, readOpaAnswer } from '../src/engine/opa-engine.js';
import { InputError } from '../src/errors.js';

let dir: string;

/** A stand-in opa that prints a version, so each search step can be told apart. */
async function fakeOpa(at: string, version: string, exitCode = 0): Promise<string> {
  await mkdir(at, { recursive: true });
  const path = join(at, 'opa');
  await writeFile(path, `#!/bin/sh\necho "Version: ${version}"\nexit ${exitCode}\n`);
  await chmod(path, 0o755);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-find-opa-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('findOpa', () => {
  it('finds the pinned OPA that `npm run install-opa` put in .tools/bin', async () => {
    const found = await findOpa({ env: { PATH: '' }, cwd: dir });
    if (!found.ok) throw new Error(`${found.message}: ${found.hint}`);
    const script = await readFile(join(process.cwd(), 'scripts', 'install-opa'), 'utf8');
    const pinned = /OPA_VERSION:-v([\d.]+)/.exec(script)?.[1];
    expect(found.path).toBe(join(process.cwd(), '.tools', 'bin', 'opa'));
    expect(found.version).toBe(pinned);
  });

  it('searches AEGIS_OPA, then the package, then the working directory, then PATH', async () => {
    const root = join(dir, 'order');
    const pkg = join(root, 'pkg');
    const cwd = join(root, 'project');
    const onPath = await fakeOpa(join(root, 'path-bin'), '4.0.0');
    const env = { PATH: join(root, 'path-bin') };
    expect(await findOpa({ env, cwd, packageRoot: pkg })).toEqual({
      ok: true,
      path: onPath,
      version: '4.0.0',
    });

    const inCwd = await fakeOpa(join(cwd, '.tools', 'bin'), '3.0.0');
    expect(await findOpa({ env, cwd, packageRoot: pkg })).toMatchObject({
      path: inCwd,
      version: '3.0.0',
    });

    const inPackage = await fakeOpa(join(pkg, '.tools', 'bin'), '2.0.0');
    expect(await findOpa({ env, cwd, packageRoot: pkg })).toMatchObject({
      path: inPackage,
      version: '2.0.0',
    });

    const explicit = await fakeOpa(join(root, 'explicit'), '1.0.0');
    // A relative AEGIS_OPA is taken from the working directory.
    const relative = await findOpa({
      env: { ...env, AEGIS_OPA: '../explicit/opa' },
      cwd,
      packageRoot: pkg,
    });
    expect(relative).toEqual({ ok: true, path: explicit, version: '1.0.0' });
  });

  it('reports a missing OPA with the way to install it', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    const result = await findOpa({ env: { PATH: empty }, cwd: empty, packageRoot: empty });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/not found/) });
    expect(!result.ok && result.hint).toMatch(/npm run install-opa/);
    expect(!result.ok && result.hint).toMatch(/AEGIS_OPA/);
  });

  it('does not fall back to another OPA when AEGIS_OPA is wrong', async () => {
    const result = await findOpa({ env: { AEGIS_OPA: join(dir, 'nope', 'opa') }, cwd: dir });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/AEGIS_OPA/) });
  });

  it('reports an opa that does not run', async () => {
    const broken = await fakeOpa(join(dir, 'broken'), '1.0.0', 3);
    const result = await findOpa({ env: { AEGIS_OPA: broken }, cwd: dir });
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining(broken) });
  });
});

describe('runOpa', () => {
  it('holds its time limit when a wrapper script leaves a child holding the pipes', async () => {
    // The child keeps stdout open after the script is killed: execa alone waits for it for ever.
    const wrapper = join(dir, 'hangs');
    await writeFile(wrapper, '#!/bin/sh\nsleep 30 &\nwait\n');
    await chmod(wrapper, 0o755);
    const started = Date.now();
    const result = await runOpa(wrapper, ['version'], { limitMs: 300 });
    expect(result).toMatchObject({
      failed: true,
      timedOut: true,
      message: `\`${wrapper} version\` timed out after 0.3 s`,
    });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('gives the output and failure of a run', async () => {
    const ok = await runOpa('/bin/sh', ['-c', 'cat; echo err >&2'], {
      limitMs: 10_000,
      input: 'in',
    });
    expect(ok).toEqual({
      failed: false,
      timedOut: false,
      message: '',
      stdout: 'in',
      stderr: 'err\n',
    });
    const failed = await runOpa('/bin/sh', ['-c', 'exit 3'], { limitMs: 10_000 });
    expect(failed).toMatchObject({
      failed: true,
      timedOut: false,
      message: expect.stringContaining('exit code 3'),
    });
  });
});

describe('the opa engine on an opa that is not one', () => {
  it('is an input error (exit 2) with the install hint, not an internal one', async () => {
    const fake = await fakeOpa(join(dir, 'fake'), '1.0.0');
    const engine = await createOpaEngine({ opaPath: fake, modules: [], data: {} });
    try {
      const error = await engine.evaluateMany([{}]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toBe(
        `${fake} did not answer \`opa eval --format json\` with JSON: "Version: 1.0.0\\n"`,
      );
      expect((error as InputError).hint).toContain('npm run install-opa');
      const failing = await fakeOpa(join(dir, 'failing'), '1.0.0', 2);
      const other = await createOpaEngine({ opaPath: failing, modules: [], data: {} });
      await expect(other.evaluateMany([{}])).rejects.toThrow(/^opa eval failed: Version: 1.0.0$/);
      await other.close();
    } finally {
      await engine.close();
    }
  });

  it('is an input error naming the opa when it answers JSON of another shape', async () => {
    for (const [i, [what, stdout, message]] of WRONG_SHAPES.entries()) {
      const fake = await answeringOpa(join(dir, `shape-${i}`), stdout);
      const engine = await createOpaEngine({ opaPath: fake, modules: [], data: {} });
      try {
        const error = await engine.evaluateMany([{}, {}]).catch((e: unknown) => e);
        expect(error, what).toBeInstanceOf(InputError);
        expect((error as InputError).message, what).toContain(
          `${fake} answered \`opa eval --format json\` with ${message}`,
        );
      } finally {
        await engine.close();
      }
    }
  });
});

/** A stand-in opa that passes `opa version` and answers every `opa eval` with `answer`. */
async function answeringOpa(at: string, answer: string): Promise<string> {
  await mkdir(at, { recursive: true });
  const path = join(at, 'opa');
  const quoted = `'${answer.replaceAll("'", `'\\''`)}'`;
  await writeFile(
    path,
    `#!/bin/sh\nif [ "$1" = version ]; then echo "Version: 1.0.0"; exit 0; fi\ncat >/dev/null\nprintf '%s\\n' ${quoted}\n`,
  );
  await chmod(path, 0o755);
  return path;
}

const DECISION = {
  allow: true,
  decision: 'allow',
  mode: 'enforce',
  outcome: 'allow',
  params: {},
  reasons: [],
  redactions: [],
};
const answer = (value: unknown) => JSON.stringify({ result: [{ expressions: [{ value }] }] });

/** Answers of the wrong shape, each with the end of its one-line message after "answered ...". */
const WRONG_SHAPES: [string, string, string][] = [
  [
    'null',
    'null',
    'no list of [input, decision] pairs in result[0].expressions[0].value: "null\\n"',
  ],
  ['a list', '[1]', 'no list of [input, decision] pairs'],
  ['no result', '{"result":[]}', 'no list of [input, decision] pairs'],
  ['a value that is not a list', answer({ 0: DECISION }), 'no list of [input, decision] pairs'],
  ['errors', '{"errors":[{"message":"boom"}]}', 'errors: [{"message":"boom"}]'],
  [
    'a pair without a decision',
    answer([[0]]),
    'pair 0 that is not [input index, decision] for 2 inputs: [0]',
  ],
  [
    'an index that is not a number',
    answer([['a', DECISION]]),
    'pair 0 that is not [input index, decision]',
  ],
  [
    'an index out of range',
    answer([
      [0, DECISION],
      [2, DECISION],
    ]),
    'pair 1 that is not [input index, decision] for 2 inputs',
  ],
  ['a fractional index', answer([[0.5, DECISION]]), 'pair 0 that is not [input index, decision]'],
  [
    'two decisions for one input',
    answer([
      [0, DECISION],
      [0, DECISION],
    ]),
    'two decisions for input 0',
  ],
  [
    'a decision that is not one',
    answer([[0, {}]]),
    'a decision for input 0 that is not a decision document: /decision is not one of',
  ],
  [
    'a decision without reasons',
    answer([[1, { ...DECISION, reasons: null }]]),
    'a decision for input 1 that is not a decision document: /reasons is not a list',
  ],
  [
    'an input left undecided',
    answer([[1, DECISION]]),
    'no decision for input 0 (data.aegis.decision undefined)',
  ],
];

describe('readOpaAnswer', () => {
  it('pairs each decision with its input, whatever the order OPA lists them in', () => {
    const deny = { ...DECISION, allow: false, decision: 'deny', outcome: 'deny' };
    expect(
      readOpaAnswer(
        'opa',
        answer([
          [1, deny],
          [0, DECISION],
        ]),
        2,
      ),
    ).toEqual([DECISION, deny]);
    expect(readOpaAnswer('opa', answer([]), 0)).toEqual([]);
  });

  it.each(WRONG_SHAPES)('refuses %s as an input error naming opa', (_what, stdout, message) => {
    const error = (() => {
      try {
        readOpaAnswer('/x/opa', `${stdout}\n`, 2);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(
      `/x/opa answered \`opa eval --format json\` with ${message}`,
    );
    expect((error as InputError).message).not.toContain('\n');
    expect((error as InputError).hint).toContain('AEGIS_OPA');
  });
});

describe('opaBuildWasm', () => {
  const rego = 'package aegis\n\ndecision := {"allow": true}\n';

  async function opa(): Promise<string> {
    const found = await findOpa({ env: { PATH: process.env.PATH }, cwd: process.cwd() });
    if (!found.ok) throw new Error(`${found.message}: ${found.hint}`);
    return found.path;
  }

  it('compiles a Rego v1 module to a wasm module, from files or from a directory', async () => {
    const fromFiles = await opaBuildWasm({
      opa: await opa(),
      source: { files: [{ path: 'aegis/policy.rego', content: rego }] },
      entrypoint: 'aegis/decision',
    });
    if (!fromFiles.ok) throw new Error(fromFiles.message);
    expect([...fromFiles.wasm.subarray(0, 8)]).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

    // The same module at the same path gives the same wasm: bundles that embed it stay
    // deterministic. (The module's path is part of the wasm, for error locations.)
    const bundleDir = join(dir, 'wasm-src');
    await mkdir(join(bundleDir, 'aegis'), { recursive: true });
    await writeFile(join(bundleDir, 'aegis', 'policy.rego'), rego);
    const fromDir = await opaBuildWasm({
      opa: await opa(),
      source: { dir: bundleDir },
      entrypoint: 'aegis/decision',
    });
    if (!fromDir.ok) throw new Error(fromDir.message);
    expect(Buffer.from(fromDir.wasm).equals(Buffer.from(fromFiles.wasm))).toBe(true);
  });

  it("returns OPA's error for Rego that does not compile", async () => {
    const result = await opaBuildWasm({
      opa: await opa(),
      source: { files: [{ path: 'policy.rego', content: 'package aegis\n\ndecision := {\n' }] },
      entrypoint: 'aegis/decision',
    });
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringMatching(/opa build -t wasm failed: .*rego_parse_error/s),
    });
  });
});
