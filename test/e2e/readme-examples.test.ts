/**
 * The README's example sessions, run as written: what a user pastes must print what the README
 * shows. (The bundle digest in the compile example changes with every change to the emitted
 * Rego; this test is what tells.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aegis, REPO, tempDir } from './run-cli.js';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The output lines the README shows under `$ <command>` in a console block. */
function shownOutput(command: string): string[] {
  const lines = README.split('\n');
  const at = lines.indexOf(`$ ${command}`);
  if (at < 0) throw new Error(`README.md has no console line \`$ ${command}\``);
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.startsWith('$ ') || line.startsWith('```')) break;
    out.push(line);
  }
  return out;
}

const dir = tempDir('readme');
afterAll(() => dir.remove());

describe('README examples', () => {
  it('compile fixtures/policies prints the revision and digest the README shows', () => {
    const bundle = join(dir.path, 'bundle.tar.gz');
    // From the repository root, as the README's quick start runs: source paths are relative.
    const result = aegis(['compile', 'fixtures/policies', '-o', bundle], { cwd: REPO });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = result.stdout.trimEnd().split('\n');
    expect(printed.map((line) => line.replace(bundle, 'bundle.tar.gz'))).toEqual(
      shownOutput('aegis compile fixtures/policies -o bundle.tar.gz'),
    );
  });

  it('keys generate prints the paths the README shows', () => {
    const result = aegis(['keys', 'generate', '--id', 'prod-2026', '--out', 'keys'], {
      cwd: dir.path,
    });
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual(
      shownOutput('aegis keys generate --id prod-2026 --out keys'),
    );
  });
});
