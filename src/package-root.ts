/**
 * The installed package's root: where package.json, schemas/ and .tools/ live. Found by
 * walking up from this module, because the module runs from three places: src/ under vitest,
 * dist/ as tsc emits it (the library), and dist/bin/ where scripts/bundle-cli.mjs bundles the
 * command line.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; ) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no aegis package root above ${start}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A file shipped with the package, by its path from the root. */
export function packageFile(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}
