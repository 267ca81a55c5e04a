/**
 * The bundle `.manifest`. Field names and rules follow OPA's bundle.Manifest (v1/bundle/
 * bundle.go): `revision` (string), `roots` (absent means [""], i.e. everything), `rego_version`
 * (0 or 1), `file_rego_versions`, `wasm` ([{entrypoint, module}], module a slash-rooted path
 * such as "/policy.wasm", entrypoint a slash path such as "aegis/decision" inside the roots)
 * and free-form `metadata`. aegis keeps its own facts under `metadata.aegis`, with a format
 * number that readers check (STYLE.md 3).
 */
import { canonicalJson } from './canonical-json.js';

export const AEGIS_ROOT = 'aegis';
export const DECISION_ENTRYPOINT = 'aegis/decision';
export const WASM_MODULE_PATH = '/policy.wasm';
export const AEGIS_MANIFEST_FORMAT = 1;

export interface WasmResolver {
  entrypoint: string;
  module: string;
}

export interface AegisMetadata {
  format: typeof AEGIS_MANIFEST_FORMAT;
  /** The aegis version that compiled the bundle. */
  compiler: string;
  /** Hex SHA-256 over the policy sources the bundle was compiled from. */
  source_sha256: string;
}

export interface BundleManifest {
  revision: string;
  roots?: string[];
  rego_version?: 0 | 1;
  file_rego_versions?: Record<string, number>;
  wasm?: WasmResolver[];
  metadata?: Record<string, unknown>;
}

export interface ManifestOptions {
  revision: string;
  compiler: string;
  sourceSha256: string;
  /** Whether the bundle carries /policy.wasm built for the decision entrypoint. */
  wasm?: boolean;
}

export function buildManifest(options: ManifestOptions): BundleManifest {
  const metadata: AegisMetadata = {
    format: AEGIS_MANIFEST_FORMAT,
    compiler: options.compiler,
    source_sha256: options.sourceSha256,
  };
  return {
    revision: options.revision,
    roots: [AEGIS_ROOT],
    rego_version: 1,
    ...(options.wasm
      ? { wasm: [{ entrypoint: DECISION_ENTRYPOINT, module: WASM_MODULE_PATH }] }
      : {}),
    metadata: { aegis: metadata },
  };
}

/** The `.manifest` file's text: canonical JSON, so its bytes are its signing hash input. */
export function serializeManifest(manifest: BundleManifest): string {
  return canonicalJson(manifest);
}

export type ManifestResult =
  | { ok: true; manifest: BundleManifest }
  | { ok: false; message: string };

/** Checks a `.manifest` the way OPA does when it loads a bundle; unknown fields are dropped. */
export function parseManifest(content: Uint8Array | string): ManifestResult {
  let value: unknown;
  try {
    const text =
      typeof content === 'string'
        ? content
        : new TextDecoder('utf-8', { fatal: true }).decode(content);
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      message: `.manifest is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!isObject(value)) return { ok: false, message: '.manifest is not a JSON object' };
  const fail = (message: string): ManifestResult => ({
    ok: false,
    message: `.manifest: ${message}`,
  });

  const { revision = '', roots, rego_version, file_rego_versions, wasm, metadata } = value;
  if (typeof revision !== 'string') return fail('revision must be a string');
  const manifest: BundleManifest = { revision };

  if (roots !== undefined) {
    if (!Array.isArray(roots) || !roots.every((root) => typeof root === 'string')) {
      return fail('roots must be an array of strings');
    }
    manifest.roots = roots;
  }
  const effectiveRoots = (manifest.roots ?? ['']).map(trimSlashes);
  for (let i = 0; i < effectiveRoots.length; i++) {
    for (let j = i + 1; j < effectiveRoots.length; j++) {
      const a = effectiveRoots[i] ?? '';
      const b = effectiveRoots[j] ?? '';
      if (rootContains(a, b) || rootContains(b, a)) return fail(`roots '${a}' and '${b}' overlap`);
    }
  }

  if (rego_version !== undefined) {
    if (rego_version !== 0 && rego_version !== 1) return fail('rego_version must be 0 or 1');
    manifest.rego_version = rego_version;
  }
  if (file_rego_versions !== undefined) {
    if (
      !isObject(file_rego_versions) ||
      !Object.values(file_rego_versions).every((v) => v === 0 || v === 1)
    ) {
      return fail('file_rego_versions must map paths to 0 or 1');
    }
    manifest.file_rego_versions = file_rego_versions as Record<string, number>;
  }

  if (wasm !== undefined) {
    if (!Array.isArray(wasm)) return fail('wasm must be an array');
    const resolvers: WasmResolver[] = [];
    const seen = new Set<string>();
    for (const entry of wasm) {
      if (
        !isObject(entry) ||
        typeof entry.entrypoint !== 'string' ||
        typeof entry.module !== 'string'
      ) {
        return fail('each wasm entry needs string entrypoint and module');
      }
      const entrypoint = entry.entrypoint;
      if (!effectiveRoots.some((root) => rootContains(root, trimSlashes(entrypoint)))) {
        return fail(`wasm entrypoint '${entrypoint}' is outside the roots`);
      }
      if (seen.has(entrypoint)) return fail(`wasm entrypoint '${entrypoint}' is used twice`);
      seen.add(entrypoint);
      resolvers.push({ entrypoint, module: entry.module });
    }
    manifest.wasm = resolvers;
  }

  if (metadata !== undefined) {
    if (!isObject(metadata)) return fail('metadata must be an object');
    manifest.metadata = metadata;
  }
  return { ok: true, manifest };
}

export type AegisMetadataResult =
  | { ok: true; metadata: AegisMetadata }
  | { ok: false; message: string };

/** aegis's own facts from a manifest, refusing a format this version does not know. */
export function readAegisMetadata(manifest: BundleManifest): AegisMetadataResult {
  const aegis = manifest.metadata?.aegis;
  if (!isObject(aegis))
    return { ok: false, message: '.manifest has no metadata.aegis: not an aegis bundle' };
  if (aegis.format !== AEGIS_MANIFEST_FORMAT) {
    return {
      ok: false,
      message: `metadata.aegis.format is ${JSON.stringify(aegis.format)}; this aegis reads format ${AEGIS_MANIFEST_FORMAT}`,
    };
  }
  if (typeof aegis.compiler !== 'string' || typeof aegis.source_sha256 !== 'string') {
    return { ok: false, message: 'metadata.aegis needs string compiler and source_sha256' };
  }
  return {
    ok: true,
    metadata: {
      format: AEGIS_MANIFEST_FORMAT,
      compiler: aegis.compiler,
      source_sha256: aegis.source_sha256,
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/** OPA's RootPathsContain for one root: "" holds everything, "a" holds "a" and "a/...". */
function rootContains(root: string, path: string): boolean {
  return root === '' || path === root || path.startsWith(`${root}/`);
}
