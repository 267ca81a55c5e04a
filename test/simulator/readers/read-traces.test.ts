/**
 * readTraces over made-up trees: which files are read in which order, stdin, gzip, and the
 * ways a file can be shaped (JSON Lines, pretty-printed documents, arrays, broken lines).
 */
import {
  closeSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INPUT_DEPTH } from '../../../src/engine/json.js';
import { InputError } from '../../../src/errors.js';
import { readTraces } from '../../../src/simulator/readers/read-traces.js';
import type { TraceRecord } from '../../../src/simulator/types.js';

let root: string;

function input(time: string, tool = 'stripe-payments') {
  return {
    agent: { id: 'finance-agent', tenant: 'acme' },
    tool: { name: tool },
    context: { time },
  };
}
const line = (time: string, tool?: string) => JSON.stringify(input(time, tool));

async function read(paths: string[], stdin?: NodeJS.ReadableStream): Promise<TraceRecord[]> {
  const records: TraceRecord[] = [];
  for await (const r of readTraces(paths, { cwd: root, ...(stdin ? { stdin } : {}) })) {
    records.push(r);
  }
  return records;
}

/** file:line kind, enough to check order and placement. */
function where(records: TraceRecord[]): string[] {
  return records.map((r) => `${r.origin.file}:${r.origin.line} ${r.kind}`);
}

function write(path: string, content: string | Buffer) {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aegis-traces-'));
  write('t/b.jsonl', `${line('2026-11-18T15:00:02Z')}\n`);
  write('t/a.jsonl', `${line('2026-11-18T15:00:01Z')}\n${line('2026-11-18T15:00:03Z')}\n`);
  write('t/sub/c.jsonl.gz', gzipSync(`${line('2026-11-18T15:00:04Z')}\n`));
  write('t/.hidden.jsonl', `${line('2026-11-18T15:00:05Z')}\n`);
  write('t/sub/deeper/d.log', `${line('2026-11-18T15:00:06Z')}\n`);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('paths', () => {
  it('reads a directory depth first, sorted, without hidden files, gunzipping by content, merged by time', async () => {
    // a.jsonl holds 15:00:01 and :03, b.jsonl :02: one timeline, not one file after the other.
    expect(where(await read(['t']))).toEqual([
      't/a.jsonl:1 event',
      't/b.jsonl:1 event',
      't/a.jsonl:2 event',
      't/sub/c.jsonl.gz:1 event',
      't/sub/deeper/d.log:1 event',
    ]);
  });

  it('breaks ties in time by the order of the arguments, and reads a file named twice once', async () => {
    write(
      'ties/x.jsonl',
      `${line('2026-11-18T15:00:00Z', 'x1')}\n${line('2026-11-18T15:00:01Z', 'x2')}\n`,
    );
    write(
      'ties/y.jsonl',
      `${line('2026-11-18T15:00:00Z', 'y1')}\n${line('2026-11-18T15:00:01Z', 'y2')}\n`,
    );
    expect(where(await read(['ties/y.jsonl', 'ties/x.jsonl', 'ties/y.jsonl']))).toEqual([
      'ties/y.jsonl:1 event',
      'ties/x.jsonl:1 event',
      'ties/y.jsonl:2 event',
      'ties/x.jsonl:2 event',
    ]);
    // A directory lists its files sorted: that is their order in a tie.
    expect(where(await read(['ties']))).toEqual([
      'ties/x.jsonl:1 event',
      'ties/y.jsonl:1 event',
      'ties/x.jsonl:2 event',
      'ties/y.jsonl:2 event',
    ]);
  });

  it('reads a file reached twice (a link beside its target, two spellings, a hard link) once, where it came first', async () => {
    // Replayed twice, the second copy of each call would trip a rate limit.
    write('logs/app-1.jsonl', `${line('2026-11-18T15:00:00Z')}\n`);
    write('logs/app-2.jsonl', `${line('2026-11-18T15:00:00Z', 'other')}\n`);
    symlinkSync('app-1.jsonl', join(root, 'logs/current.jsonl'));
    linkSync(join(root, 'logs/app-2.jsonl'), join(root, 'logs/hard.jsonl'));
    expect(where(await read(['logs']))).toEqual([
      'logs/app-1.jsonl:1 event',
      'logs/app-2.jsonl:1 event',
    ]);
    // The first path given keeps its place in a tie: here the link, before app-2.
    expect(
      where(await read(['logs/current.jsonl', 'logs/hard.jsonl', 'logs', './logs/app-1.jsonl'])),
    ).toEqual(['logs/current.jsonl:1 event', 'logs/hard.jsonl:1 event']);
  });

  it('expands globs that the shell did not', async () => {
    expect(where(await read(['t/**/*.jsonl*']))).toEqual([
      't/a.jsonl:1 event',
      't/b.jsonl:1 event',
      't/a.jsonl:2 event',
      't/sub/c.jsonl.gz:1 event',
    ]);
    expect(where(await read(['t/{b,x}.jsonl', 't/sub/*/?.log', 't/[!a].*']))).toEqual([
      't/b.jsonl:1 event',
      't/sub/deeper/d.log:1 event',
    ]);
  });

  it('throws InputError for a path or a glob that names nothing, before any record', async () => {
    await expect(read(['t/a.jsonl', 'nope.jsonl'])).rejects.toThrow(InputError);
    await expect(read(['t/a.jsonl', 'nope.jsonl'])).rejects.toThrow(
      'nope.jsonl: no such file or directory',
    );
    await expect(read(['t/*.otlp'])).rejects.toThrow('t/*.otlp: no files match this pattern');
  });

  it('throws InputError for a directory with no trace files below it (hidden ones are passed over)', async () => {
    mkdirSync(join(root, 'empty/sub'), { recursive: true });
    write('empty/.hidden.jsonl', `${line('2026-11-18T15:00:00Z')}\n`);
    await expect(read(['t/a.jsonl', 'empty'])).rejects.toThrow(InputError);
    await expect(read(['t/a.jsonl', 'empty'])).rejects.toThrow(
      'empty: the directory holds no trace files',
    );
    // The same directory named twice still has its files.
    expect(where(await read(['t/sub', 't/sub']))).toEqual([
      't/sub/c.jsonl.gz:1 event',
      't/sub/deeper/d.log:1 event',
    ]);
  });

  it('turns an unreadable file among several into a malformed record and goes on', async () => {
    // Made unreadable with a link to itself: permissions would not stop a root test run.
    symlinkSync('self.jsonl', join(root, 'self.jsonl'));
    const records = await read(['self.jsonl', 't/b.jsonl']);
    expect(records[0]).toEqual({
      kind: 'malformed',
      origin: { file: 'self.jsonl', line: 0 },
      error: 'cannot read the file: symbolic link loop',
    });
    expect(where(records.slice(1))).toEqual(['t/b.jsonl:1 event']);
  });

  it('reports a broken link found in a directory or matched by a glob as unreadable, in its place', async () => {
    write('rotated/app-1.jsonl', `${line('2026-11-18T15:00:00Z')}\n`);
    write('rotated/sub/app-2.jsonl', `${line('2026-11-18T15:00:01Z')}\n`);
    symlinkSync('app-0.jsonl', join(root, 'rotated/current.jsonl'));
    symlinkSync('gone.jsonl', join(root, 'rotated/sub/current.jsonl'));
    const broken = {
      kind: 'malformed',
      error: 'cannot read the file: broken symbolic link (its target does not exist)',
    };
    const dirRecords = await read(['rotated']);
    expect(where(dirRecords)).toEqual([
      'rotated/current.jsonl:0 malformed',
      'rotated/sub/current.jsonl:0 malformed',
      'rotated/app-1.jsonl:1 event',
      'rotated/sub/app-2.jsonl:1 event',
    ]);
    expect(dirRecords[0]).toMatchObject(broken);
    // A wildcard matches the link by its name, and so does a literal last segment.
    for (const pattern of [
      'rotated/*.jsonl',
      'rotated/**/current.jsonl',
      'rotated/s*/current.jsonl',
    ]) {
      const records = await read([pattern]);
      expect(records.filter((r) => r.kind === 'malformed').length, pattern).toBeGreaterThan(0);
      for (const r of records.filter((r) => r.kind === 'malformed'))
        expect(r).toMatchObject(broken);
    }
    expect(where(await read(['rotated/s*/current.jsonl']))).toEqual([
      'rotated/sub/current.jsonl:0 malformed',
    ]);
    // Named outright, it names nothing: exit 2 before anything is read, as for a missing file.
    await expect(read(['rotated/current.jsonl'])).rejects.toThrow(
      'rotated/current.jsonl: no such file or directory',
    );
  });

  it('reports a directory link loop and goes on', async () => {
    write('loop/real.jsonl', `${line('2026-11-18T15:00:00Z')}\n`);
    symlinkSync('.', join(root, 'loop/again'));
    const records = await read(['loop']);
    expect(where(records)).toEqual(['loop/again:0 malformed', 'loop/real.jsonl:1 event']);
    expect(records[0]).toMatchObject({
      error: 'cannot read the file: symbolic link points back into a directory being read',
    });
  });

  it('reports a truncated gzip file after the records before the damage', async () => {
    const body = Array.from({ length: 2000 }, (_, i) =>
      line(
        `2026-11-18T15:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
      ),
    ).join('\n');
    const gz = gzipSync(`${body}\n`);
    write('broken.jsonl.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
    // t/d.log (15:00:06) comes in the middle of the broken file's timeline.
    const records = await read(['broken.jsonl.gz', 't/sub/deeper/d.log']);
    const last = records.at(-1);
    expect(last).toMatchObject({
      kind: 'malformed',
      error: 'cannot read the file: unexpected end of file',
    });
    expect(records.slice(0, -1).every((r) => r.kind === 'event')).toBe(true);
    // At the line that was cut off, the one after the last record read.
    const good = records.filter((r) => r.kind === 'event' && r.origin.file === 'broken.jsonl.gz');
    expect(last?.origin.line).toBe(good.length + 1);
    expect(records.length).toBeGreaterThan(20);
    expect(where(records.slice(6, 8))).toEqual([
      'broken.jsonl.gz:7 event',
      't/sub/deeper/d.log:1 event',
    ]);
  });

  it('reads every record of a gzip file with something appended, then reports what follows', async () => {
    const times = Array.from({ length: 3000 }, (_, i) => {
      const s = String(i % 60).padStart(2, '0');
      return `2026-11-18T${String(Math.floor(i / 3600)).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${s}Z`;
    });
    const body = times.map((time) => line(time)).join('\n');
    for (const [name, text] of [
      ['appended.jsonl.gz', `${body}\n`],
      // No newline after the last line: the member is whole, so that line is whole too.
      ['appended-no-newline.jsonl.gz', body],
    ] as const) {
      write(name, Buffer.concat([gzipSync(text), Buffer.from('garbage\n')]));
      const records = await read([name]);
      expect(records.filter((r) => r.kind === 'event')).toHaveLength(3000);
      expect(records.at(-1)).toEqual({
        kind: 'malformed',
        origin: { file: name, line: 3001 },
        error: 'cannot read the file: trailing garbage after the gzip data',
      });
      expect(records).toHaveLength(3001);
    }
    // On stdin too, and zero bytes after the data are padding, not an error.
    const padded = Readable.from([Buffer.concat([gzipSync(`${body}\n`), Buffer.alloc(512)])]);
    const fromStdin = await read(['-'], padded);
    expect(fromStdin.every((r) => r.kind === 'event')).toBe(true);
    expect(fromStdin).toHaveLength(3000);
  });

  it('reads `-` from the stdin it is given, gzipped or not, once', async () => {
    const plain = Readable.from([Buffer.from(`${line('2026-11-18T15:00:00Z')}\n`)]);
    expect(where(await read(['-', '-'], plain))).toEqual(['<stdin>:1 event']);
    // Split after one byte of the magic number: the check must not need both in one chunk.
    const gz = gzipSync(`${line('2026-11-18T15:00:00Z')}\n${line('2026-11-18T15:00:01Z')}`);
    const zipped = Readable.from([gz.subarray(0, 1), gz.subarray(1)]);
    expect(where(await read(['-'], zipped))).toEqual(['<stdin>:1 event', '<stdin>:2 event']);
  });

  it('reports a directory on the standard input as unreadable, not as an empty trace', async () => {
    const fd = openSync(join(root, 't'), 'r');
    try {
      const records: TraceRecord[] = [];
      const options = { cwd: root, stdin: Readable.from([]), stdinFd: fd };
      for await (const r of readTraces(['-', 't/b.jsonl'], options)) records.push(r);
      expect(records[0]).toEqual({
        kind: 'malformed',
        origin: { file: '<stdin>', line: 0 },
        error: 'cannot read the file: standard input is a directory',
      });
      expect(where(records.slice(1))).toEqual(['t/b.jsonl:1 event']);
    } finally {
      closeSync(fd);
    }
  });

  it('stops reading when the consumer stops', async () => {
    const many = Array.from({ length: 50_000 }, () => line('2026-11-18T15:00:00Z')).join('\n');
    write('many.jsonl', many);
    let n = 0;
    for await (const _ of readTraces(['many.jsonl'], { cwd: root })) if (++n === 3) break;
    expect(n).toBe(3);
  });
});

describe('file shapes', () => {
  const events = (records: TraceRecord[]) =>
    records.map((r) =>
      r.kind === 'event' ? `${r.origin.line} ${r.timeNs}` : `${r.origin.line} ${r.kind}`,
    );

  it('handles CRLF, a byte order mark, blank lines and no final newline', async () => {
    write(
      'shapes/crlf.jsonl',
      `\ufeff${line('2026-11-18T15:00:00Z')}\r\n\r\n  \r\n${line('2026-11-18T15:00:01Z')}`,
    );
    expect(events(await read(['shapes/crlf.jsonl']))).toEqual([
      '1 1795014000000000000',
      '4 1795014001000000000',
    ]);
  });

  it('reads pretty-printed documents one after another, each at its first line', async () => {
    const pretty = (time: string) => JSON.stringify(input(time), null, 2);
    write(
      'shapes/pretty.json',
      `${pretty('2026-11-18T15:00:00Z')}\n${pretty('2026-11-18T15:00:01Z')}\n`,
    );
    const lines = pretty('2026-11-18T15:00:00Z').split('\n').length;
    expect(events(await read(['shapes/pretty.json']))).toEqual([
      '1 1795014000000000000',
      `${lines + 1} 1795014001000000000`,
    ]);
  });

  it('reads a pretty-printed array of inputs element by element', async () => {
    const doc = JSON.stringify(
      [input('2026-11-18T15:00:00Z'), input('2026-11-18T15:00:01Z')],
      null,
      2,
    );
    write('shapes/array.json', doc);
    const second = doc.split('\n').indexOf('  {', 2) + 1;
    expect(events(await read(['shapes/array.json']))).toEqual([
      '2 1795014000000000000',
      `${second} 1795014001000000000`,
    ]);
  });

  it('reads a one-line array, every element at that line', async () => {
    write(
      'shapes/one-line.json',
      `\n${JSON.stringify([input('2026-11-18T15:00:00Z'), input('2026-11-18T15:00:01Z')])}\n`,
    );
    expect(events(await read(['shapes/one-line.json']))).toEqual([
      '2 1795014000000000000',
      '2 1795014001000000000',
    ]);
  });

  it('reads an array written an element a line (`[{...},` ... `{...}` then `]`), each at its line', async () => {
    const times = ['2026-11-18T15:00:00Z', '2026-11-18T15:00:01Z', '2026-11-18T15:00:02Z'];
    // The last element parses on its own line: that must not make the file JSON Lines.
    write('shapes/lines-array.json', `[${times.map((time) => line(time)).join(',\n')}\n]\n`);
    expect(events(await read(['shapes/lines-array.json']))).toEqual([
      '1 1795014000000000000',
      '2 1795014001000000000',
      '3 1795014002000000000',
    ]);
  });

  it('reads JSON Lines whose first line is cut off as JSON Lines', async () => {
    const first = line('2026-11-18T15:00:00Z');
    write(
      'shapes/cut.jsonl',
      `${first.slice(0, 30)}\n${line('2026-11-18T15:00:01Z')}\n{"agent":\n${line('2026-11-18T15:00:02Z')}\n`,
    );
    const records = await read(['shapes/cut.jsonl']);
    expect(events(records)).toEqual([
      '1 malformed',
      '2 1795014001000000000',
      '3 malformed',
      '4 1795014002000000000',
    ]);
    expect(records[0]).toMatchObject({ error: expect.stringMatching(/^invalid JSON: /) });
    // Even when it is the only line.
    write('shapes/cut-alone.jsonl', `${first.slice(0, 30)}\n`);
    expect(events(await read(['shapes/cut-alone.jsonl']))).toEqual(['1 malformed']);
  });

  it('reports a line that is not JSON at all in place, before or after detection', async () => {
    write(
      'shapes/noise.jsonl',
      `# exported 2026-11-18\n${line('2026-11-18T15:00:00Z')}\nnot json\n${line('2026-11-18T15:00:01Z')}\n`,
    );
    expect(events(await read(['shapes/noise.jsonl']))).toEqual([
      '1 malformed',
      '2 1795014000000000000',
      '3 malformed',
      '4 1795014001000000000',
    ]);
  });

  it('keeps what parsed of a broken pretty-printed file and reports the rest once', async () => {
    const good = JSON.stringify(input('2026-11-18T15:00:00Z'), null, 2);
    const broken = JSON.stringify(input('2026-11-18T15:00:01Z'), null, 2).replace('"tool"', 'tool');
    write('shapes/broken.json', `${good}\n${broken}\n`);
    const records = await read(['shapes/broken.json']);
    const start = good.split('\n').length + 1;
    expect(events(records)).toEqual(['1 1795014000000000000', `${start} malformed`]);
    expect(records[1]).toMatchObject({ error: expect.stringMatching(/^invalid JSON: /) });

    write('shapes/unterminated.json', good.slice(0, -2));
    expect(await read(['shapes/unterminated.json'])).toEqual([
      {
        kind: 'malformed',
        origin: { file: 'shapes/unterminated.json', line: 1 },
        error: 'invalid JSON: unterminated JSON value',
      },
    ]);
  });

  it('makes a call nested deeper than MAX_INPUT_DEPTH malformed, in every format, and goes on', async () => {
    /** An input with params nesting `levels` deep in all (the input and params are two). */
    const nesting = (time: string, levels: number) => ({
      ...input(time),
      params: { x: JSON.parse(`${'['.repeat(levels - 2)}${']'.repeat(levels - 2)}`) },
    });
    const tooDeep = 'the call nests objects and arrays more than 1000 levels deep';
    const at = '2026-11-18T15:00:00Z';
    write(
      'deep/calls.jsonl',
      [
        line(at),
        JSON.stringify(nesting(at, MAX_INPUT_DEPTH + 1)),
        JSON.stringify(nesting(at, MAX_INPUT_DEPTH)),
      ].join('\n'),
    );
    // A pretty-printed document, read whole.
    write('deep/pretty.json', JSON.stringify(nesting(at, MAX_INPUT_DEPTH + 1), null, 1));
    write(
      'deep/decisions.log',
      JSON.stringify({
        path: 'aegis/decision',
        input: nesting(at, MAX_INPUT_DEPTH + 1),
        timestamp: at,
      }),
    );
    // OTLP: arrays of AnyValues three JSON levels each, and arguments as a JSON string.
    let deepValue: unknown = { stringValue: 'x' };
    for (let i = 0; i <= MAX_INPUT_DEPTH; i++) deepValue = { arrayValue: { values: [deepValue] } };
    const span = (attributes: unknown[]) => ({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  startTimeUnixNano: '1795014000000000000',
                  attributes: [
                    { key: 'gen_ai.tool.name', value: { stringValue: 'stripe-payments' } },
                    { key: 'gen_ai.agent.id', value: { stringValue: 'finance-agent' } },
                    ...attributes,
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const argumentsText = JSON.stringify(nesting(at, MAX_INPUT_DEPTH + 1).params);
    write(
      'deep/spans.json',
      [
        span([{ key: 'aegis.deep', value: deepValue }]),
        span([{ key: 'gen_ai.tool.call.arguments', value: { stringValue: argumentsText } }]),
      ]
        .map((document) => JSON.stringify(document))
        .join('\n'),
    );
    const records = await read(['deep']);
    // The files whose first records hold no event are opened first (merge-by-time.ts).
    expect(
      records.map(
        (r) => `${r.origin.file}:${r.origin.line} ${r.kind === 'malformed' ? r.error : r.kind}`,
      ),
    ).toEqual([
      `deep/decisions.log:1 ${tooDeep}`,
      `deep/pretty.json:1 ${tooDeep}`,
      'deep/spans.json:1 a span attribute: the input nests objects and arrays more than 1000 levels deep',
      `deep/spans.json:2 ${tooDeep}`,
      'deep/calls.jsonl:1 event',
      `deep/calls.jsonl:2 ${tooDeep}`,
      'deep/calls.jsonl:3 event',
    ]);
  });

  it('detects the format per file', async () => {
    write('mixed/1.jsonl', `${line('2026-11-18T15:00:00Z')}\n`);
    write(
      'mixed/2.log',
      `${JSON.stringify({ level: 'info', msg: 'Initializing server.' })}\n${JSON.stringify({
        decision_id: 'x',
        path: 'aegis/decision',
        input: input('2026-11-18T15:00:00Z'),
        timestamp: '2026-11-18T15:00:00.5Z',
      })}\n`,
    );
    write(
      'mixed/3.json',
      `${JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'GET /' }] }] }] })}\n`,
    );
    const records = await read(['mixed']);
    // The span that is not a tool call has no time: it goes out as soon as its file is open.
    expect(records.map((r) => (r.kind === 'event' ? r.format : r.kind))).toEqual([
      'skip',
      'aegis-jsonl',
      'opa-decision-log',
    ]);
  });

  it('counts a span exported into two files once', async () => {
    const span = {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name: 'execute_tool stripe-payments',
      startTimeUnixNano: '1795014600000000000',
      attributes: [
        { key: 'gen_ai.tool.name', value: { stringValue: 'stripe-payments' } },
        { key: 'gen_ai.agent.id', value: { stringValue: 'finance-agent' } },
      ],
    };
    const doc = (s: object) =>
      `${JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [s] }] }] })}\n`;
    write('dup/a.json', doc(span));
    write('dup/b.json', doc({ ...span, traceId: span.traceId.toUpperCase() }));
    // a.json is opened first (the same time, and first in the directory), so its copy counts;
    // b.json's duplicate is skipped, and a skip goes out as soon as it is read.
    expect(where(await read(['dup']))).toEqual(['dup/b.json:1 skip', 'dup/a.json:1 event']);
  });
});
