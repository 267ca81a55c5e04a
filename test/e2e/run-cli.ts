/**
 * Runs the BUILT CLI (`node bin/aegis`, which loads dist/cli.js) the way a user or CI does:
 * a child process, NO_COLOR, a temporary working directory, and a hard timeout so that a hang
 * fails the test instead of stalling the run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'aegis');

if (!existsSync(join(REPO, 'dist', 'cli.js'))) {
  throw new Error('dist/cli.js is missing: the end-to-end tests run the built CLI; run `npm run build` (npm test does)');
}

/** The unprivileged user that file permissions apply to when the tests run as root (CI). */
export const NOBODY = 65534;
export const RUNNING_AS_ROOT = process.getuid?.() === 0;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Run as uid/gid 65534 (only possible, and only needed, when the tests run as root). */
  asNobody?: boolean;
  timeoutMs?: number;
  input?: string;
}

export function aegis(args: readonly string[], options: RunOptions): CliResult {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...options.env };
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    input: options.input ?? '',
    ...(options.asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  if (result.error && !result.signal) throw result.error;
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
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
