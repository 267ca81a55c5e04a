/**
 * `compile()`: policy paths -> an OPA bundle, in memory. validate -> normalize -> emit Rego
 * (compileSources) -> assemble. Only `--wasm` leaves the process (it runs `opa build -t
 * wasm`); writing the bundle to disk is the command's job.
 */
import { createHash } from 'node:crypto';
import { buildManifest, serializeManifest, WASM_MODULE_PATH } from '../bundle/manifest.js';
import { type BundleFile, writeBundle } from '../bundle/write-bundle.js';
import { InputError } from '../errors.js';
import type { ValidationResult } from '../policy/validate.js';
import {
  type CompiledSources,
  type CompileSourcesOptions,
  compileSources,
} from './compile-sources.js';
import { countRuleIds } from './rule-ids.js';

export interface CompileOptions extends CompileSourcesOptions {
  /** Add /policy.wasm built by `opa build -t wasm` (needs opa). */
  wasm?: boolean;
  /** The aegis version recorded in the manifest. */
  compilerVersion: string;
  env?: NodeJS.ProcessEnv;
}

export interface CompiledFile {
  path: string;
  sha256: string;
  size: number;
}

export type CompileResult =
  | { ok: false; validation: ValidationResult }
  | (Omit<CompiledSources, 'sourceSha256'> & {
      /** policy.wasm, when built. */
      wasm?: Uint8Array;
      bundle: Buffer;
      sha256: string;
      files: CompiledFile[];
      policies: number;
      rules: number;
    });

export async function compile(
  paths: readonly string[],
  options: CompileOptions,
): Promise<CompileResult> {
  const compiled = await compileSources(paths, options);
  if (!compiled.ok) return compiled;
  const { validation, ir, modules, data, revision, sourceSha256 } = compiled;
  // data.json carries the policies once, for OPA and (read back into the IR) for the native
  // and wasm engines: see rego/policy-data.ts.
  // Encoded once here: the bundle and the digests below read the same bytes (tens of MB for
  // thousands of agents).
  const files: BundleFile[] = [
    { path: 'data.json', content: Buffer.from(JSON.stringify(data)) },
    ...modules.map((m) => ({ path: m.path, content: Buffer.from(m.text) })),
  ];
  let wasm: Uint8Array | undefined;
  if (options.wasm) {
    // Loaded here: execa and the OPA lookup cost startup time that only --wasm needs.
    const { findOpa, opaBuildWasm } = await import('../engine/opa-binary.js');
    const opa = await findOpa({ env: options.env ?? process.env, cwd: options.cwd });
    if (!opa.ok) throw new InputError(`--wasm needs opa: ${opa.message}`, opa.hint);
    const built = await opaBuildWasm({
      opa: opa.path,
      source: { files },
      entrypoint: 'aegis/decision',
    });
    if (!built.ok) throw new Error(`opa build -t wasm failed: ${built.message}`);
    wasm = built.wasm;
    files.push({ path: WASM_MODULE_PATH, content: wasm });
  }
  const manifest = buildManifest({
    revision,
    compiler: options.compilerVersion,
    sourceSha256,
    wasm: options.wasm ?? false,
  });
  files.push({ path: '.manifest', content: serializeManifest(manifest) });
  const bundle = writeBundle(files);
  return {
    ok: true,
    validation,
    ir,
    modules,
    data,
    ...(wasm ? { wasm } : {}),
    bundle,
    revision,
    sha256: sha256Hex(bundle),
    files: files
      .map((f) => {
        const bytes = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
        return {
          path: `/${f.path.replace(/^\/+/, '')}`,
          sha256: sha256Hex(bytes),
          size: bytes.length,
        };
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    policies: ir.policies.length,
    rules: countRuleIds(ir),
  };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
