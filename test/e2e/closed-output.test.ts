/**
 * Standard output that goes away: a reader that stops early (`| head`) is no error, and the
 * command keeps its own exit code; a stdout that cannot be written (a full disk) is lost
 * output, exit 2 with one line. Neither prints a stack trace (Node's default for an EPIPE).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCleanError, REPO, tempDir } from './run-cli.js';

const BIN = join(REPO, 'bin', 'aegis');
let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir('closed-output');
});
afterAll(() => dir.remove());

/** `aegis ARGS | head -c 100`: the exit code of aegis (not of head), and what aegis wrote to stderr. */
function throughHead(args: string[]): { code: number; stderr: string; head: string } {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const script = `${quoted} 2>stderr.txt | head -c 100; echo "exit=\${PIPESTATUS[0]}" >&2`;
  const run = spawnSync('bash', ['-c', script], {
    cwd: dir.path,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' },
  });
  const code = /exit=(\d+)/.exec(run.stderr)?.[1];
  if (code === undefined) throw new Error(`bash did not report the exit code: ${run.stderr}`);
  const stderr = spawnSync('cat', ['stderr.txt'], { cwd: dir.path, encoding: 'utf8' }).stdout;
  return { code: Number(code), stderr, head: run.stdout };
}

describe('standard output closed by its reader', () => {
  it('eval of many inputs | head: the first decisions, exit 0, nothing on stderr', () => {
    // About 4 MB of decisions: far more than a pipe holds, so aegis meets the closed pipe.
    const line = JSON.stringify({ agent: { id: 'nobody' }, tool: { name: 'none' } });
    writeFileSync(join(dir.path, 'inputs.jsonl'), `${line}\n`.repeat(20_000));
    const policies = join(REPO, 'fixtures', 'policies');
    const result = throughHead(['eval', policies, '--input', 'inputs.jsonl']);
    expect(result.head).toMatch(/^\{"decision":"deny"/);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('validate | head keeps the findings exit code (1)', () => {
    const policies = join(dir.path, 'invalid');
    mkdirSync(policies);
    for (let i = 0; i < 1500; i++) {
      writeFileSync(join(policies, `p${i}.yaml`), `version: 1\nagent: a${i}\nmode: loud\n`);
    }
    const result = throughHead(['validate', policies]);
    expect(result.head.length).toBe(100);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
  });
});

describe('standard output that cannot be written', () => {
  it('a full device (/dev/full): exit 2, one line naming the error', () => {
    const run = spawnSync(
      'bash',
      ['-c', `'${process.execPath}' '${BIN}' schema input >/dev/full`],
      {
        cwd: dir.path,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'aegis: cannot write to standard output: ENOSPC: no space left on device, write\n',
    );
    expect(isCleanError(run.stderr)).toBe(true);
  });
});
