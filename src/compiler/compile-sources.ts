/**
 * `compileSources()`: policy paths -> validated, normalized IR and the Rego and data emitted
 * from it, in memory. `compile()` turns this into a bundle; `eval` and `simulate` use it
 * directly when they are given policy sources, so they never build a tarball they don't need.
 */
import { createHash } from 'node:crypto';
import type { JsonValue } from '../policy/types.js';
import { type ValidateOptions, type ValidationResult, validate } from '../policy/validate.js';
import type { PolicySetIR } from './ir.js';
import { normalize } from './normalize.js';
import { emitRego, type RegoModule } from './rego/emit-rego.js';

export interface CompileSourcesOptions extends ValidateOptions {
  /** The manifest revision; default `sha256:<first 16 hex digits of the source digest>`. */
  revision?: string;
}

/** Validated policies, their IR, and the Rego and data emitted from it. */
export interface CompiledSources {
  ok: true;
  validation: ValidationResult;
  ir: PolicySetIR;
  modules: RegoModule[];
  data: JsonValue;
  revision: string;
  /** Over the policies' file names and texts (the manifest's `source_sha256`). */
  sourceSha256: string;
}

export type CompileSourcesResult = { ok: false; validation: ValidationResult } | CompiledSources;

export async function compileSources(
  paths: readonly string[],
  options: CompileSourcesOptions,
): Promise<CompileSourcesResult> {
  // normalize asks every tool entry and rule for its source line.
  const validation = await validate(paths, { ...options, lines: true });
  if (!validation.valid) return { ok: false, validation };

  const ir = normalize(validation.loaded);
  const { modules, data } = emitRego(ir);
  const sourceSha256 = sourceDigest(validation);
  const revision = options.revision ?? `sha256:${sourceSha256.slice(0, 16)}`;
  return { ok: true, validation, ir, modules, data, revision, sourceSha256 };
}

/** Over the policies' file names and texts, in the (sorted) order they were read. */
function sourceDigest(validation: ValidationResult): string {
  const digest = new SourceDigest();
  for (const { source } of validation.loaded) digest.add(source);
  return digest.hex();
}

/**
 * The manifest's `source_sha256`: SHA-256 over each policy file's name and text, once per file,
 * in the order the files were read.
 */
export class SourceDigest {
  private readonly hash = createHash('sha256');
  private readonly seen = new Set<string>();

  /** A policy's source; a file's later documents add nothing. */
  add(source: { file: string; text: string }): void {
    if (this.seen.has(source.file)) return;
    this.seen.add(source.file);
    this.hash.update(`${source.file}\0${source.text}\0`);
  }

  hex(): string {
    return this.hash.digest('hex');
  }

  /** The files added, as their sources name them (relative to cwd when under it). */
  files(): string[] {
    return [...this.seen];
  }
}
