/**
 * The policies a command decides with (a bundle, or sources compiled in memory, with
 * policy.wasm for the wasm engine). When they do not load, their diagnostics go to stderr as
 * `validate` words them, and the command gets the exit code: 2 for a file that could not be
 * read, 1 for policies that are wrong.
 */
import type { EngineName } from '../engine/engines.js';
import { loadPolicySet, type PolicySet } from '../engine/policy-set.js';
import { ExitCode } from '../errors.js';
import type { CommandIO } from '../io.js';
import { VALIDATION_RENDERERS } from '../render/renderers.js';
import { packageInfo } from './package-info.js';

export type LoadedPolicies = { ok: true; set: PolicySet } | { ok: false; code: number };

export async function loadPolicies(
  paths: readonly string[],
  engine: EngineName,
  io: CommandIO,
): Promise<LoadedPolicies> {
  const pkg = packageInfo();
  const loaded = await loadPolicySet(paths, {
    cwd: io.cwd,
    env: io.env,
    wasm: engine === 'wasm',
    compilerVersion: pkg.version,
  });
  if (loaded.ok) return loaded;
  io.stderr(
    VALIDATION_RENDERERS.text(loaded.validation, {
      color: io.color,
      strict: false,
      version: pkg.version,
      informationUri: pkg.homepage,
    }),
  );
  return { ok: false, code: loaded.validation.inputError ? ExitCode.usage : ExitCode.findings };
}
