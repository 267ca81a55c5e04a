/**
 * What `eval`, `test` and `simulate` evaluate against: a compiled bundle, or policy sources
 * compiled in memory. Either way the result carries everything each engine needs: the IR
 * (native), the Rego and data (opa), and policy.wasm when asked for (wasm).
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseManifest } from '../bundle/manifest.js';
import { readBundleFile } from '../bundle/read-bundle.js';
import { compileSources } from '../compiler/compile-sources.js';
import type { PolicySetIR } from '../compiler/ir.js';
import type { RegoModule } from '../compiler/rego/emit-rego.js';
import { irFromPolicyData } from '../compiler/rego/ir-from-policy-data.js';
import { InputError } from '../errors.js';
import type { JsonValue } from '../policy/types.js';
import type { ValidationResult } from '../policy/validate.js';

/** Where bundles of earlier aegis versions carried the IR, beside data.json. */
const EARLIER_IR_FILE = 'aegis/ir.json';

export interface PolicySet {
  origin: 'bundle' | 'sources';
  revision: string;
  ir: PolicySetIR;
  modules: RegoModule[];
  data: JsonValue;
  wasm?: Uint8Array;
}

export interface LoadPolicySetOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Build policy.wasm when compiling sources (a bundle must already carry it). */
  wasm?: boolean;
  compilerVersion: string;
}

export type LoadPolicySetResult =
  | { ok: true; set: PolicySet }
  | { ok: false; validation: ValidationResult };

const GZIP_MAGIC = [0x1f, 0x8b];

export async function isBundlePath(path: string): Promise<boolean> {
  if (/\.(tar\.gz|tgz)$/i.test(path)) return true;
  try {
    if (!(await stat(path)).isFile()) return false;
    const file = await open(path, 'r');
    try {
      const head = new Uint8Array(2);
      const { bytesRead } = await file.read(head, 0, 2, 0);
      return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
}

export async function loadPolicySet(
  paths: readonly string[],
  options: LoadPolicySetOptions,
): Promise<LoadPolicySetResult> {
  const first = paths[0];
  if (
    paths.length === 1 &&
    first !== undefined &&
    (await isBundlePath(resolve(options.cwd, first)))
  ) {
    return { ok: true, set: await loadBundle(resolve(options.cwd, first), first, options) };
  }
  if (paths.length > 1) {
    for (const path of paths) {
      if (await isBundlePath(resolve(options.cwd, path)))
        throw new InputError(
          `${path} is a bundle, given with other paths`,
          'give one bundle alone, or policy sources (files and directories)',
        );
    }
  }
  if (options.wasm) return compileWithWasm(paths, options);
  // Without wasm there is no bundle to assemble: the IR, Rego and data are all the engines use.
  const compiled = await compileSources(paths, { cwd: options.cwd });
  if (!compiled.ok) return { ok: false, validation: compiled.validation };
  const { revision, ir, modules, data } = compiled;
  return { ok: true, set: { origin: 'sources', revision, ir, modules, data } };
}

async function compileWithWasm(
  paths: readonly string[],
  options: LoadPolicySetOptions,
): Promise<LoadPolicySetResult> {
  // Loaded on demand: bundle assembly (tar, gzip) and the OPA lookup only serve --engine wasm.
  const { compile } = await import('../compiler/compile.js');
  const compiled = await compile(paths, {
    cwd: options.cwd,
    compilerVersion: options.compilerVersion,
    ...(options.env ? { env: options.env } : {}),
    wasm: true,
  });
  if (!compiled.ok) return { ok: false, validation: compiled.validation };
  const { revision, ir, modules, data, wasm } = compiled;
  return {
    ok: true,
    set: { origin: 'sources', revision, ir, modules, data, ...(wasm ? { wasm } : {}) },
  };
}

async function loadBundle(
  path: string,
  shown: string,
  options: LoadPolicySetOptions,
): Promise<PolicySet> {
  const read = await readBundleFile(path);
  if (!read.ok) throw new InputError(`${shown}: ${read.message}`);
  const files = read.files;
  const manifestBytes = files.get('.manifest');
  const manifest = manifestBytes ? parseManifest(manifestBytes) : undefined;
  if (!manifest?.ok) {
    throw new InputError(
      `${shown}: ${manifest ? manifest.message : 'the bundle has no .manifest'}`,
    );
  }
  const dataBytes = files.get('data.json');
  let data: JsonValue = {};
  if (dataBytes) {
    try {
      data = JSON.parse(new TextDecoder().decode(dataBytes));
    } catch {
      throw new InputError(`${shown}: data.json is not valid JSON`);
    }
  }
  // The IR comes back from data.json, checked against what compile writes. Bundles from aegis
  // versions before that carried it as aegis/ir.json too, which nothing checked against the
  // data.json OPA enforces: such a bundle is recompiled, not read.
  if (files.has(EARLIER_IR_FILE)) {
    throw new InputError(
      `${shown}: the bundle was compiled by an earlier aegis (it carries ${EARLIER_IR_FILE}, which this aegis does not read)`,
      'recompile it with `aegis compile`',
    );
  }
  if (!hasPolicyData(data)) {
    throw new InputError(
      `${shown}: the bundle has no aegis policy data; it was not compiled by aegis`,
      'evaluate bundles made by `aegis compile`, or pass the policy sources',
    );
  }
  const ir = irFromPolicyData(data);
  if (!ir.ok) throw new InputError(`${shown}: ${ir.message}`);
  const decoder = new TextDecoder();
  const modules = [...files]
    .filter(([name]) => name.endsWith('.rego'))
    .map(([name, bytes]) => ({ path: name, text: decoder.decode(bytes) }));
  const wasm = files.get('policy.wasm');
  if (options.wasm && !wasm) {
    throw new InputError(
      `${shown}: the bundle has no policy.wasm`,
      'compile it with `aegis compile --wasm`',
    );
  }
  return {
    origin: 'bundle',
    revision: manifest.manifest.revision,
    ir: ir.ir,
    modules,
    data,
    ...(wasm ? { wasm } : {}),
  };
}

/** data.json as aegis writes it: data.aegis.format is there (whichever version). */
function hasPolicyData(data: JsonValue): boolean {
  const aegis =
    typeof data === 'object' && data !== null && !Array.isArray(data) ? data.aegis : undefined;
  return typeof aegis === 'object' && aegis !== null && !Array.isArray(aegis) && 'format' in aegis;
}
