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

const READERS = pathToFileURL(join(REPO, 'dist', 'simulator', 'readers', 'read-traces.js'));

const call = (time: string) =>
  JSON.stringify({ agent: { id: 'a' }, tool: { name: 't' }, context: { time } });

/**
 * readTraces over `fifos` (made here) in a child process, each FIFO written `ms` after the
 * start by the same process; each record as `show` prints it, joined by commas. The child is
 * killed after 20 s: a read that blocked fails the test.
 */
function readFifos(fifos: { name: string; text: string; ms: number }[], show: string): string {
  const paths = fifos.map((f) => join(dir, f.name));
  for (const path of paths) execFileSync('mkfifo', [path]);
  const writes = fifos.map(
    (f, i) =>
      `setTimeout(() => writeFile(${JSON.stringify(paths[i])}, ${JSON.stringify(f.text)}), ${f.ms});`,
  );
  const script = `
    import { writeFile } from 'node:fs/promises';
    import { readTraces } from ${JSON.stringify(READERS.href)};
    ${writes.join('\n')}
    const seen = [];
    for await (const r of readTraces(${JSON.stringify(paths)}, { cwd: '/' })) seen.push(${show});
    process.stdout.write(seen.join(','));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(child.signal, `the read blocked: ${child.stderr}`).toBeNull();
  expect(child.stderr).toBe('');
  return child.stdout;
}

it('reads a FIFO whose writer starts later in the same process', () => {
  const line = call('2026-11-18T15:00:00Z');
  const text = `${line}\n${line}\n`;
  expect(readFifos([{ name: 'trace.jsonl', text, ms: 200 }], 'r.kind')).toBe('event,event');
});

it('reads two FIFOs given together (process substitution) whole, merged by time, neither peeked', () => {
  const at = (s: number) => call(`2026-11-18T15:00:${String(s).padStart(2, '0')}Z`);
  // a: seconds 0, 2, 4; b: 1, 3. A peek would swallow a pipe's lines for good.
  const read = readFifos(
    [
      { name: 'a.jsonl', text: `${at(0)}\n${at(2)}\n${at(4)}\n`, ms: 100 },
      { name: 'b.jsonl', text: `${at(1)}\n${at(3)}\n`, ms: 200 },
    ],
    "r.origin.file.slice(-7) + ':' + r.origin.line",
  );
  expect(read).toBe('a.jsonl:1,b.jsonl:1,a.jsonl:2,b.jsonl:2,a.jsonl:3');
});
