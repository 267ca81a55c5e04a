/**
 * Shared by the Rego tests: the real OPA binary (never skipped: a missing binary fails with
 * the command that installs it), policies from YAML through validate and normalize, and the
 * emitted modules on disk.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicySetIR } from '../../src/compiler/ir.js';
import { normalize } from '../../src/compiler/normalize.js';
import type { EmittedRego } from '../../src/compiler/rego/emit-rego.js';
import { findOpa } from '../../src/engine/opa-binary.js';
import { checkSources } from '../../src/policy/validate.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function opaPath(): Promise<string> {
  const found = await findOpa({ env: process.env, cwd: ROOT });
  if (!found.ok) throw new Error(`${found.message}: run npm run install-opa`);
  return found.path;
}

/** Policies from YAML text (paths as shown in comments are relative to the repo root). */
export function irFromYaml(file: string, text: string): PolicySetIR {
  const result = checkSources([{ file, text, kind: 'yaml' }]);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new Error(
      `${file} is not valid: ${errors.map((d) => `${d.line}: ${d.message}`).join('; ')}`,
    );
  }
  return normalize(result.loaded);
}

export function irFromFile(path: string): PolicySetIR {
  return irFromYaml(relative(ROOT, path), readFileSync(path, 'utf8'));
}

export function writeModules(dir: string, emitted: EmittedRego): void {
  for (const module of emitted.modules) {
    const target = join(dir, ...module.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, module.text);
  }
  writeFileSync(join(dir, 'data.json'), JSON.stringify(emitted.data));
}

/** Runs opa; returns stdout, or throws with stderr. */
export function runOpa(opa: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(opa, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`opa ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}
