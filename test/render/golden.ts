/**
 * Golden files: the expected output lives in test/golden/ and is reviewed in diffs.
 * `UPDATE_GOLDEN=1 npx vitest run` rewrites them from the current output.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(
      `golden file test/golden/${name} is missing; run with UPDATE_GOLDEN=1 to create it`,
    );
  }
  expect(actual, `differs from test/golden/${name} (UPDATE_GOLDEN=1 refreshes it)`).toBe(
    readFileSync(path, 'utf8'),
  );
}
