import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aegis, isCleanError, REPO, tempDir } from './run-cli.js';

let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir('cli');
});
afterAll(() => dir.remove());

describe('aegis (the shell)', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const result = aegis([flag], { cwd: dir.path });
      expect(result.stdout).toBe(`${version}\n`);
      expect(result.code).toBe(0);
    }
  });

  it('--help exits 0 and lists the commands', () => {
    const result = aegis(['--help'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/validate/);
    expect(result.stdout).toMatch(/schema/);
    expect(result.stdout).toMatch(/init/);
  });

  it('an unknown flag is a usage error', () => {
    const result = aegis(['validate', '--frobnicate', 'x.yaml'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/unknown option '--frobnicate'/);
    expect(isCleanError(result.stderr)).toBe(true);
  });

  it('an unknown command is a usage error', () => {
    const result = aegis(['valdiate', 'x.yaml'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'valdiate'/);
    expect(result.stderr).toMatch(/validate/);
  });

  it('a bad --max-file-size is a usage error', () => {
    const result = aegis(['validate', 'x.yaml', '--max-file-size', 'lots'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--max-file-size/);
  });
});
