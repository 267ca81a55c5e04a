/**
 * Outputs that cannot be written, through the built CLI: a directory given as the file, a
 * file given as a directory, a directory the user may not write to, and paths under /proc,
 * where Node's own recursive mkdir spins forever (make-directory.ts). Each must be a refusal:
 * exit 2, one line saying why in words (not an errno code), nothing left behind, no hang.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aegis,
  type CliResult,
  expectCleanRefusal,
  REPO,
  tempDir,
  writeSignedBundles,
} from './run-cli.js';

const POLICY = 'agent: a\nallowed_tools:\n  - name: t\n';
const TRACES = join(REPO, 'fixtures', 'traces', 'aegis-events.jsonl');
const POLICIES = join(REPO, 'fixtures', 'policies');
/** Where mkdir says ENOENT though /proc exists: the case that hung. */
const UNDER_PROC = '/proc/aegis-cannot-exist';

let dir: { path: string; remove: () => void };
const run = (args: string[], unprivileged = false): CliResult =>
  aegis(args, { cwd: dir.path, timeoutMs: 20_000, unprivileged });

beforeAll(() => {
  dir = tempDir('unwritable');
  const must = (args: string[]) => {
    const result = run(args);
    if (result.code !== 0) throw new Error(`aegis ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  writeSignedBundles(dir.path, { p: POLICY }, must);
  writeFileSync(join(dir.path, 'a-file'), 'not a directory\n');
  mkdirSync(join(dir.path, 'locked'));
  chmodSync(join(dir.path, 'locked'), 0o555);
});

afterAll(() => dir.remove());

function expectRefusal(result: CliResult, reason: RegExp): void {
  expectCleanRefusal(result);
  expect(result.stderr).toMatch(reason);
  expect(result.stderr).not.toMatch(/\bE[A-Z]{3,}\b/);
}

describe('an output path that cannot be written', () => {
  it('compile -o a directory', () => {
    expectRefusal(
      run(['compile', 'p.yaml', '-o', 'locked']),
      /cannot write .*locked: it is a directory/,
    );
  });

  it('compile -o under a file', () => {
    const result = run(['compile', 'p.yaml', '-o', 'a-file/b.tar.gz']);
    expectRefusal(result, /a part of the path is not a directory/);
  });

  it('compile -o under /proc ends (Node mkdir -p would spin there for good)', () => {
    expectRefusal(
      run(['compile', 'p.yaml', '-o', `${UNDER_PROC}/b.tar.gz`]),
      /no such file or directory/,
    );
  });

  it('simulate -o in a directory the user may not write to: nothing is left there', () => {
    const result = run(
      ['simulate', TRACES, '--policy', POLICIES, '--format', 'json', '-o', 'locked/r.json'],
      true,
    );
    expectRefusal(result, /permission denied/);
    expect(readdirSync(join(dir.path, 'locked'))).toEqual([]);
  });

  it('keys generate --out under /proc', () => {
    expectRefusal(run(['keys', 'generate', '--out', UNDER_PROC]), /cannot create/);
  });

  it('init under /proc', () => {
    expectRefusal(run(['init', UNDER_PROC]), /no such file or directory/);
  });
});

describe('a registry that cannot be written', () => {
  const publish = (registry: string, unprivileged = false) =>
    run(
      ['publish', 'p.tar.gz', '--registry', registry, '--version', '1', '--pub', 'keys/k1.pub.pem'],
      unprivileged,
    );

  it('under /proc', () => {
    expectRefusal(
      publish(UNDER_PROC),
      /cannot write to the registry .*: no such file or directory/,
    );
  });

  it('under a file', () => {
    expectRefusal(publish('a-file/registry'), /a part of the path is not a directory/);
  });

  it('in a directory the user may not write to', () => {
    expectRefusal(publish('locked/registry', true), /permission denied/);
    expect(existsSync(join(dir.path, 'locked', 'registry'))).toBe(false);
  });
});
