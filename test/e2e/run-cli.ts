/**
 * Runs the BUILT CLI (`node bin/aegis`, which loads the bundle in dist/bin/) the way a user or CI does:
 * a child process, NO_COLOR, a temporary working directory, and a hard timeout so that a hang
 * fails the test instead of stalling the run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'aegis');

if (!existsSync(join(REPO, 'dist', 'bin', 'cli.js'))) {
  throw new Error(
    'dist/bin/cli.js is missing: the end-to-end tests run the built CLI; run `npm run build` (npm test does)',
  );
}

/** The unprivileged user that file permissions apply to when the tests run as root (CI). */
export const NOBODY = 65534;
export const RUNNING_AS_ROOT = process.getuid?.() === 0;

type Privileges = { kind: 'as-is' } | { kind: 'nobody' } | { kind: 'setpriv' };
let dropPrivileges: Privileges | undefined;

/**
 * How to run the CLI so that file modes apply. Root reads a mode-000 file anyway, so as root
 * the CLI runs as nobody, provided nobody can reach node and this checkout (a clone under
 * /root cannot be); otherwise it stays root without the two capabilities that bypass modes.
 */
function privileges(): Privileges {
  if (dropPrivileges) return dropPrivileges;
  if (!RUNNING_AS_ROOT) {
    dropPrivileges = { kind: 'as-is' };
  } else if (
    spawnSync(process.execPath, [BIN, '--version'], { cwd: tmpdir(), uid: NOBODY, gid: NOBODY })
      .status === 0
  ) {
    dropPrivileges = { kind: 'nobody' };
  } else if (spawnSync('setpriv', ['--version']).status === 0) {
    dropPrivileges = { kind: 'setpriv' };
  } else {
    throw new Error('running as root, nobody cannot reach this checkout, and setpriv is missing');
  }
  return dropPrivileges;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Make file modes apply even when the tests run as root (see privileges()). */
  unprivileged?: boolean;
  timeoutMs?: number;
  /** Standard input: text, or bytes (for input that is not UTF-8). */
  input?: string | Buffer;
}

export function aegis(args: readonly string[], options: RunOptions): CliResult {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NO_COLOR: '1',
    ...options.env,
  };
  const how = options.unprivileged ? privileges() : { kind: 'as-is' };
  const [command, commandArgs] =
    how.kind === 'setpriv'
      ? [
          'setpriv',
          ['--bounding-set=-dac_override,-dac_read_search', '--', process.execPath, BIN, ...args],
        ]
      : [process.execPath, [BIN, ...args]];
  const result = spawnSync(command, commandArgs, {
    cwd: options.cwd,
    env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    input: options.input ?? '',
    ...(how.kind === 'nobody' ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  if (result.error && !result.signal) throw result.error;
  return {
    code: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** A temporary directory that the unprivileged user can also read (mkdtemp makes it 0700). */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `aegis-${prefix}-`));
  chmodSync(path, 0o755);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** One line of stderr, no stack trace: what every refusal should look like. */
export function isCleanError(stderr: string): boolean {
  return !/\n\s+at |internal error|please report|FATAL|Error:/.test(stderr);
}

/**
 * The setup the registry tests share: each policy text written as `<name>.yaml`, a key pair
 * `keys/k1.{key,pub}.pem`, and `<name>.tar.gz` compiled with revision `r-<name>` and signed
 * with it, all through the built CLI.
 */
export function writeSignedBundles(
  cwd: string,
  policies: Record<string, string>,
  must: (args: string[]) => string,
): void {
  must(['keys', 'generate', '--id', 'k1', '--out', 'keys']);
  for (const [name, text] of Object.entries(policies)) {
    writeFileSync(join(cwd, `${name}.yaml`), text);
    must([
      'compile',
      `${name}.yaml`,
      '-o',
      `${name}.tar.gz`,
      '--revision',
      `r-${name}`,
      '--sign-key',
      'keys/k1.key.pem',
    ]);
  }
}

/** The message lines of stderr: everything but `  hint:` lines. */
export function messageLines(stderr: string): string[] {
  return stderr
    .trimEnd()
    .split('\n')
    .filter((l) => !/^\s+hint: /.test(l));
}

/** A refused command: exit 2, nothing on stdout, one `aegis: ...` line (hints aside), no stack. */
export function expectCleanRefusal(result: CliResult): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(isCleanError(result.stderr), result.stderr).toBe(true);
  expect(messageLines(result.stderr)).toHaveLength(1);
  expect(result.stderr).toMatch(/^aegis: /);
}
