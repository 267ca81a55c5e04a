import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('a numeric flag takes decimal digits only: anything else is a usage error', () => {
    // A registry to serve, so that a --port read wrongly would start a server (and time out).
    const registry = join(dir.path, 'reg');
    mkdirSync(registry, { recursive: true });
    writeFileSync(
      join(registry, 'index.json'),
      '{"version":1,"versions":[],"channels":{},"history":[]}\n',
    );
    for (const port of ['', '0x10', ' 8080', '1e3', '65536', '-1']) {
      const result = aegis(['serve', '--registry', 'reg', '--port', port], {
        cwd: dir.path,
        timeoutMs: 10_000,
      });
      expect(result.code, JSON.stringify(port)).toBe(2);
      expect(result.stderr).toBe(
        `error: option '--port <port>' argument '${port}' is invalid. expected a port, 0-65535\n`,
      );
    }
    for (const examples of ['0x10', '1e3', ' 5', '']) {
      const result = aegis(['simulate', 'x.jsonl', '--policy', 'p.yaml', '--examples', examples], {
        cwd: dir.path,
      });
      expect(result.code, JSON.stringify(examples)).toBe(2);
      expect(result.stderr).toMatch(/^error: option '--examples <n>' argument .* is invalid/);
    }
  });

  it('a bad --max-file-size is a usage error', () => {
    const result = aegis(['validate', 'x.yaml', '--max-file-size', 'lots'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--max-file-size/);
  });
});
