/**
 * A policy.wasm that is not what `opa build -t wasm` writes, and an opa that builds none: the
 * bundle's or the tool's fault, so InputError (exit 2) with the way out, never an internal error.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { findOpa, opaBuildWasm } from '../../src/engine/opa-binary.js';
import { createWasmEngine } from '../../src/engine/wasm-engine.js';
import { InputError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-wasm-module-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('policy.wasm', () => {
  it('that is not WebAssembly is refused', async () => {
    const error = await refusal(createWasmEngine({ wasm: new Uint8Array([1, 2, 3, 4]), data: {} }));
    expect(error.message).toMatch(/^policy\.wasm is not a WebAssembly module: /);
    expect(error.hint).toContain('aegis compile --wasm');
  });

  it('that is WebAssembly but no OPA policy is refused, naming what it lacks', async () => {
    // The smallest module there is: the magic number and version 1, nothing in it.
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const error = await refusal(createWasmEngine({ wasm: empty, data: {} }));
    expect(error.message).toBe(
      'policy.wasm is not an OPA policy module: it does not export opa_wasm_abi_version, builtins, opa_malloc, opa_json_parse',
    );
  });
});

describe('a real policy.wasm that does not decide as aegis does', () => {
  // Built by the pinned OPA: modules that load and run, but are not aegis's Rego.
  async function build(rego: string): Promise<Uint8Array> {
    const found = await findOpa({ env: { PATH: process.env.PATH }, cwd: process.cwd() });
    if (!found.ok) throw new Error(`${found.message}: ${found.hint}`);
    const built = await opaBuildWasm({
      opa: found.path,
      source: { files: [{ path: 'aegis/policy.rego', content: rego }] },
      entrypoint: 'aegis/decision',
    });
    if (!built.ok) throw new Error(built.message);
    return built.wasm;
  }

  it('one that leaves the decision undefined is refused when it decides (exit 2, not a bug)', async () => {
    const engine = await createWasmEngine({
      wasm: await build('package aegis\n\ndecision := 1 if input.never\n'),
      data: {},
    });
    const error = await refusal(Promise.resolve().then(() => engine.evaluate({})));
    expect(error.message).toBe('policy.wasm left the decision undefined');
    expect(error.hint).toContain('aegis compile --wasm');
  });

  it('one that decides something else is refused, naming what is wrong', async () => {
    const engine = await createWasmEngine({
      wasm: await build('package aegis\n\ndecision := {"decision": "maybe"}\n'),
      data: {},
    });
    const error = await refusal(Promise.resolve().then(() => engine.evaluate({})));
    expect(error.message).toBe(
      'policy.wasm decided something that is not a decision: /decision is not one of allow, deny, approval_needed, sanitize',
    );
  });
});

describe('compile --wasm', () => {
  it('with an opa that writes no bundle is refused, naming that opa', async () => {
    const fake = join(dir, 'opa');
    await writeFile(fake, '#!/bin/sh\necho "Version: 1.0.0"\n');
    await chmod(fake, 0o755);
    const policies = join(process.cwd(), 'fixtures', 'policies', 'fintech.yaml');
    const error = await refusal(
      compile([policies], {
        cwd: dir,
        compilerVersion: 'test',
        wasm: true,
        env: { AEGIS_OPA: fake },
      }),
    );
    expect(error.message).toBe(
      `--wasm: opa build -t wasm exited 0 but wrote no bundle (opa at ${fake})`,
    );
    expect(error.hint).toContain('npm run install-opa');
  });
});
