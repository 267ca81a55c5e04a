/**
 * `aegis report merge` in process: JSON reports read back with their format_version and shape
 * checked (a bad file is one InputError naming it), merged by mergeReports, rendered.
 */
import { linkSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { refuseSameFileTwice, run, sameContent } from '../../../src/commands/report-merge.js';
import { InputError } from '../../../src/errors.js';
import { parseReport } from '../../../src/simulator/render/parse-report.js';
import type { SimulationReport } from '../../../src/simulator/types.js';
import { CLEAN, HOSTILE, REPORT } from './sample-report.js';

const dir = mkdtempSync(join(tmpdir(), 'aegis-report-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return name;
}

function io() {
  const out = { stdout: '', stderr: '' };
  const cmdIo = {
    cwd: dir,
    env: {},
    stdout: (s: string) => {
      out.stdout += s;
    },
    stderr: (s: string) => {
      out.stderr += s;
    },
    color: false,
    interactive: false,
    stdin: new PassThrough(),
  };
  return { out, io: cmdIo };
}

const shard = (report: SimulationReport, index: number): SimulationReport => ({
  ...report,
  shard: `${index}/2`,
});

describe('report merge', () => {
  it('merges shard reports into one unsharded report', async () => {
    const a = write('a.json', shard(CLEAN, 0));
    const b = write('b.json', shard(CLEAN, 1));
    const { out, io: cmdIo } = io();
    expect(await run({ reports: [a, b], format: 'json' }, cmdIo)).toBe(0);
    const merged = JSON.parse(out.stdout) as SimulationReport;
    expect(merged.events).toBe(2 * CLEAN.events);
    expect(merged.by_agent['support-assistant']?.allow).toBe(18);
    expect(merged.shard).toBeUndefined();
    expect(out.stderr).toBe('');
  });

  it('renders the merged report in any format, to a file', async () => {
    const a = write('r.json', { ...REPORT, shard: undefined });
    const { out, io: cmdIo } = io();
    expect(await run({ reports: [a], format: 'markdown', output: 'merged.md' }, cmdIo)).toBe(0);
    expect(out.stdout).toBe('');
    expect(readFileSync(join(dir, 'merged.md'), 'utf8')).toMatch(
      /^### ⛔ \*\*150 calls would be blocked\*\* \(15 new\)\n/,
    );
  });

  it('refuses incompatible reports (mergeReports decides)', async () => {
    const a = write('p1.json', CLEAN);
    const b = write('p2.json', { ...CLEAN, policy: { revision: 'other', engine: 'native' } });
    await expect(run({ reports: [a, b] }, io().io)).rejects.toThrow(/different policy revisions/);
  });

  it.each([
    ['missing.json', undefined, /cannot read missing\.json: no such file/],
    ['text.json', 'not json', /text\.json: not JSON/],
    ['array.json', [1], /array\.json: not an aegis simulation report/],
    [
      'v2.json',
      { ...CLEAN, format_version: 2 },
      /v2\.json: report format_version 2; this aegis reads 1/,
    ],
    ['noversion.json', { events: 1 }, /no format_version/],
  ])('refuses %s in one line', async (name, content, message) => {
    if (content !== undefined) write(name, content);
    const error = await run({ reports: [name] }, io().io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('report merge of one file twice', () => {
  const unsharded = { ...REPORT, shard: undefined };

  it.each([
    ['the same path', ['same.json', 'same.json'], 'report merge: same.json is given twice'],
    [
      'another path to it',
      ['same.json', `../${dir.split('/').at(-1)}/same.json`],
      `report merge: same.json and ../${dir.split('/').at(-1)}/same.json are the same file`,
    ],
    ['a hard link to it', ['same.json', 'hard.json'], 'report merge: same.json and hard.json'],
    ['a symbolic link to it', ['soft.json', 'same.json'], 'report merge: soft.json and same.json'],
    [
      'sharded, before the shard check',
      ['s0.json', 's1.json', 's0.json'],
      's0.json is given twice',
    ],
  ])('refuses %s (exit 2), nothing printed', async (_what, reports, message) => {
    write('same.json', unsharded);
    rmSync(join(dir, 'hard.json'), { force: true });
    linkSync(join(dir, 'same.json'), join(dir, 'hard.json'));
    rmSync(join(dir, 'soft.json'), { force: true });
    symlinkSync('same.json', join(dir, 'soft.json'));
    write('s0.json', shard(CLEAN, 0));
    write('s1.json', shard(CLEAN, 1));
    const { out, io: cmdIo } = io();
    const error = await run({ reports, format: 'json' }, cmdIo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(message);
    expect((error as InputError).message).toMatch(/counts every call twice$/);
    expect((error as InputError).hint).toBe('give each report once');
    expect(out).toEqual({ stdout: '', stderr: '' });
  });

  it('merges two files with the same content (reports of separate traces add up), with a warning', async () => {
    const a = write('gw-a.json', unsharded);
    const b = write('gw-b.json', unsharded);
    const { out, io: cmdIo } = io();
    expect(await run({ reports: [a, b], format: 'json' }, cmdIo)).toBe(0);
    expect((JSON.parse(out.stdout) as SimulationReport).events).toBe(2 * REPORT.events);
    expect(out.stderr).toBe(
      'aegis: warning: gw-a.json and gw-b.json have the same content; if one is a copy of the other, the merged report counts its calls twice\n',
    );
    // The gate still decides the exit code.
    const gated = io();
    expect(await run({ reports: [a, b], format: 'json', failOn: 'would-block' }, gated.io)).toBe(1);
  });

  it('refuseSameFileTwice and sameContent', () => {
    const seen = [{ file: 'a.json', identity: '1:2' }];
    expect(() => refuseSameFileTwice(seen, { file: 'b.json', identity: '1:3' })).not.toThrow();
    // The same inode number on another device is another file.
    expect(() => refuseSameFileTwice(seen, { file: 'b.json', identity: '2:2' })).not.toThrow();
    expect(() => refuseSameFileTwice(seen, { file: 'b.json', identity: '1:2' })).toThrow(
      'report merge: a.json and b.json are the same file',
    );
    expect(
      sameContent([
        { file: 'a', text: 'x' },
        { file: 'b', text: 'y' },
      ]),
    ).toBeUndefined();
    expect(
      sameContent([
        { file: 'a', text: 'x' },
        { file: 'b', text: 'y' },
        { file: 'c', text: 'y' },
      ]),
    ).toEqual(['b', 'c']);
  });
});

describe('parseReport', () => {
  const text = (r: unknown) => JSON.stringify(r);

  it('reads back what the json renderer wrote, hostile ids included', () => {
    expect(parseReport(text(HOSTILE), 'h.json')).toEqual(JSON.parse(text(HOSTILE)));
  });

  it.each([
    [{ ...CLEAN, events: '12' }, '/events is not a count'],
    [{ ...CLEAN, outcomes: { ...CLEAN.outcomes, deny: -1 } }, '/outcomes/deny is not a count'],
    [{ ...CLEAN, by_agent: { 'a/b': { events: 1 } } }, '/by_agent/a~1b/would_block is not a count'],
    [{ ...CLEAN, timeline: { '2025-01-01T00': '<b>' } }, '/timeline/2025-01-01T00 is not a count'],
    [{ ...CLEAN, compared_with: 'x' }, '/compared_with is not one of'],
    [
      { ...REPORT, examples: [{ ...REPORT.examples[0], agent: 7 }] },
      '/examples/0/agent is not a string',
    ],
    [
      { ...REPORT, examples: [{ ...REPORT.examples[0], line: '<script>' }] },
      '/examples/0/line is not a count',
    ],
    [
      { ...CLEAN, first_malformed: [{ file: 'f', line: 1 }] },
      '/first_malformed/0/error is not a string',
    ],
    [{ ...CLEAN, policy: { revision: 'r' } }, '/policy/engine is not a string'],
  ])('refuses a report with a bad field (%#)', (report, message) => {
    expect(() => parseReport(text(report), 'bad.json')).toThrow(
      `bad.json: not a valid report: ${message}`,
    );
  });
});
