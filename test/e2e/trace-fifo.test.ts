/**
 * A named pipe as a trace: its writer may start only after simulate does, and may even be part
 * of the same process (a library caller). Opening it must not block the event loop, or that
 * writer never runs. Run in a child process with a hard timeout, so that a blocked open fails
 * the test instead of stalling the run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { REPO } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'aegis-fifo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reads a FIFO whose writer starts later in the same process', () => {
  const fifo = join(dir, 'trace.jsonl');
  execFileSync('mkfifo', [fifo]);
  const readers = pathToFileURL(join(REPO, 'dist', 'simulator', 'readers', 'read-traces.js'));
  const line = JSON.stringify({
    agent: { id: 'a' },
    tool: { name: 't' },
    context: { time: '2026-11-18T15:00:00Z' },
  });
  const script = `
    import { writeFile } from 'node:fs/promises';
    import { readTraces } from ${JSON.stringify(readers.href)};
    setTimeout(() => writeFile(${JSON.stringify(fifo)}, ${JSON.stringify(`${line}\n${line}\n`)}), 200);
    const kinds = [];
    for await (const r of readTraces([${JSON.stringify(fifo)}], { cwd: '/' })) kinds.push(r.kind);
    process.stdout.write(kinds.join(','));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(child.signal, `the read blocked: ${child.stderr}`).toBeNull();
  expect(child.stderr).toBe('');
  expect(child.stdout).toBe('event,event');
});

it('reads two FIFOs given together (process substitution) whole, merged by time, neither peeked', () => {
  const fifos = [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')];
  for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
  const readers = pathToFileURL(join(REPO, 'dist', 'simulator', 'readers', 'read-traces.js'));
  const at = (s: number) =>
    JSON.stringify({
      agent: { id: 'a' },
      tool: { name: 't' },
      context: { time: `2026-11-18T15:00:${String(s).padStart(2, '0')}Z` },
    });
  // a: seconds 0, 2, 4; b: 1, 3. A peek would swallow a pipe's lines for good.
  const script = `
    import { writeFile } from 'node:fs/promises';
    import { readTraces } from ${JSON.stringify(readers.href)};
    setTimeout(() => writeFile(${JSON.stringify(fifos[0])}, ${JSON.stringify(`${at(0)}\n${at(2)}\n${at(4)}\n`)}), 100);
    setTimeout(() => writeFile(${JSON.stringify(fifos[1])}, ${JSON.stringify(`${at(1)}\n${at(3)}\n`)}), 200);
    const seen = [];
    for await (const r of readTraces(${JSON.stringify(fifos)}, { cwd: '/' }))
      seen.push(r.origin.file.slice(-7) + ':' + r.origin.line);
    process.stdout.write(seen.join(','));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(child.signal, `the read blocked: ${child.stderr}`).toBeNull();
  expect(child.stderr).toBe('');
  expect(child.stdout).toBe('a.jsonl:1,b.jsonl:1,a.jsonl:2,b.jsonl:2,a.jsonl:3');
});
