/**
 * Policy paths -> an OPA bundle, in memory. Only `--wasm` leaves the process (it runs `opa
 * build -t wasm`); writing the bundle to disk is the command's job.
 *
 * - `compileBundle()`, what `aegis compile` runs: each policy goes from its source to its
 *   data.json text as soon as it is validated (validate's onPolicy), so a parsed document or
 *   its IR never outlives its turn: a thousand agents compile in a fraction of the memory, and
 *   the garbage collector has little to move.
 * - `compile()`, for the library: the same bundle, and the IR and data objects it came from
 *   (compileSources: validate -> normalize -> emit Rego).
 * The two write the same bytes (tested): the policies' data.json text is made by policyDataText
 * from entries in one case and JSON.stringify in the other, and the rest is assembleBundle.
 */
import { createHash } from 'node:crypto';
import { buildManifest, serializeManifest, WASM_MODULE_PATH } from '../bundle/manifest.js';
import {
  type BundleFile,
  type WrittenFile,
  writeBundleWithDigests,
} from '../bundle/write-bundle.js';
import { InputError } from '../errors.js';
import { type ValidationResult, validate } from '../policy/validate.js';
import {
  type CompiledSources,
  type CompileSourcesOptions,
  compileSources,
  SourceDigest,
} from './compile-sources.js';
import { comparePolicies, normalizeOne, setReasons } from './normalize.js';
import { type RegoModule, regoModules } from './rego/emit-rego.js';
import { irFromPolicyData } from './rego/ir-from-policy-data.js';
import {
  newPolicyDataStats,
  type PolicyText,
  policyDataText,
  policyText,
} from './rego/policy-data.js';
import { countRuleIds, RuleIdCount } from './rule-ids.js';

export interface CompileOptions extends CompileSourcesOptions {
  /** Add /policy.wasm built by `opa build -t wasm` (needs opa). */
  wasm?: boolean;
  /** The aegis version recorded in the manifest. */
  compilerVersion: string;
  env?: NodeJS.ProcessEnv;
}

export type CompiledFile = WrittenFile;

/** A bundle and what it holds. */
export interface CompiledBundle {
  ok: true;
  validation: ValidationResult;
  modules: RegoModule[];
  revision: string;
  /** policy.wasm, when built. */
  wasm?: Uint8Array;
  bundle: Buffer;
  sha256: string;
  /** Every file of the bundle, by path. */
  files: CompiledFile[];
  policies: number;
  rules: number;
}

export type CompileResult =
  | { ok: false; validation: ValidationResult }
  | (CompiledBundle & Pick<CompiledSources, 'ir' | 'data'>);

export type CompileBundleResult =
  | { ok: false; validation: ValidationResult }
  | (CompiledBundle & {
      /** data.json's text in pieces (joined, the text): `--rego-out` writes it. */
      dataJson: readonly string[];
      /** The policy files compiled (relative to cwd when under it): never to be written over. */
      sourceFiles: readonly string[];
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
  const bundle = await assembleBundle(
    [JSON.stringify(data)],
    modules,
    revision,
    sourceSha256,
    options,
  );
  return {
    ok: true,
    validation,
    ir,
    modules,
    data,
    revision,
    ...bundle,
    policies: ir.policies.length,
    rules: countRuleIds(ir),
  };
}

export async function compileBundle(
  paths: readonly string[],
  options: CompileOptions,
): Promise<CompileBundleResult> {
  const stats = newPolicyDataStats();
  const texts: PolicyText[] = [];
  const ruleIds = new RuleIdCount();
  const sources = new SourceDigest();
  const validation = await validate(paths, {
    ...options,
    // normalize asks every tool entry and rule for its source line.
    lines: true,
    keepPolicies: false,
    onPolicy: (policy) => {
      const ir = normalizeOne(policy);
      texts.push(policyText(ir, stats));
      ruleIds.add(ir);
      sources.add(policy.source);
    },
  });
  if (!validation.valid) return { ok: false, validation };

  texts.sort(comparePolicies);
  const dataJson = policyDataText(texts, setReasons());
  const modules = regoModules(stats);
  const sourceSha256 = sources.hex();
  const revision = options.revision ?? `sha256:${sourceSha256.slice(0, 16)}`;
  const bundle = await assembleBundle(dataJson, modules, revision, sourceSha256, options);
  return {
    ok: true,
    validation,
    modules,
    dataJson,
    sourceFiles: sources.files(),
    revision,
    ...bundle,
    policies: texts.length,
    rules: ruleIds.total() ?? countRuleIdsOf(dataJson),
  };
}

/** data.json, the modules, policy.wasm when asked for and the manifest, as a bundle. */
async function assembleBundle(
  dataJson: readonly string[],
  modules: readonly RegoModule[],
  revision: string,
  sourceSha256: string,
  options: CompileOptions,
): Promise<Pick<CompiledBundle, 'wasm' | 'bundle' | 'sha256' | 'files'>> {
  const files: BundleFile[] = [
    { path: 'data.json', content: dataJson },
    ...modules.map((m) => ({ path: m.path, content: m.text })),
  ];
  let wasm: Uint8Array | undefined;
  if (options.wasm) {
    // Loaded here: execa and the OPA lookup cost startup time that only --wasm needs.
    const { findOpa, INSTALL_HINT, opaBuildWasm } = await import('../engine/opa-binary.js');
    const opa = await findOpa({ env: options.env ?? process.env, cwd: options.cwd });
    if (!opa.ok) throw new InputError(`--wasm needs opa: ${opa.message}`, opa.hint);
    const built = await opaBuildWasm({
      opa: opa.path,
      source: { files },
      entrypoint: 'aegis/decision',
    });
    // The opa found failing is a broken tool (exit 2), as a missing one is.
    if (!built.ok)
      throw new InputError(`--wasm: ${built.message} (opa at ${opa.path})`, INSTALL_HINT);
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
  const written = writeBundleWithDigests(files);
  return {
    ...(wasm ? { wasm } : {}),
    bundle: written.bundle,
    sha256: createHash('sha256').update(written.bundle).digest('hex'),
    files: written.files,
  };
}

/** The rule ids of data.json counted all at once (RuleIdCount's rare case). */
function countRuleIdsOf(dataJson: readonly string[]): number {
  const read = irFromPolicyData(JSON.parse(dataJson.join('')));
  if (!read.ok)
    throw new Error(`compile: the data.json just written does not read back: ${read.message}`);
  return countRuleIds(read.ir);
}
