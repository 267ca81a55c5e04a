/** The text-level pieces: line splitting, value splitting, RFC 3339 formatting, caps. */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { parseRfc3339Ns } from '../../../src/engine/rfc3339.js';
import { formatRfc3339Ns } from '../../../src/simulator/readers/format-rfc3339.js';
import { LineSplitter, TOO_LONG } from '../../../src/simulator/readers/line-splitter.js';
import { SeenSpans } from '../../../src/simulator/readers/seen-spans.js';
import { splitJsonValues } from '../../../src/simulator/readers/split-json-values.js';
import { TraceParser } from '../../../src/simulator/readers/trace-parser.js';

function splitAll(chunks: Buffer[], maxLine = 1000) {
  const splitter = new LineSplitter(maxLine);
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.end()];
}

describe('LineSplitter', () => {
  it('joins lines, CRLF pairs and UTF-8 characters cut across chunks', () => {
    const bytes = Buffer.from('a€b\r\nsecond\n\nlast€', 'utf8');
    // Every way of cutting the bytes in two gives the same lines.
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(splitAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([
        'a€b',
        'second',
        '',
        'last€',
      ]);
    }
  });

  it('splits the same lines however the bytes are cut into chunks (three cuts, CRLF, a BOM)', () => {
    const text = '\ufeff{"a":1}\r\n\nlong-line-€-here\r\nx\n\r\nend\r';
    const bytes = Buffer.from(text, 'utf8');
    const whole = splitAll([bytes]);
    expect(whole).toEqual(['{"a":1}', '', 'long-line-€-here', 'x', '', 'end']);
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b++) {
        const chunks = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
        expect(splitAll(chunks), `cut at ${a} and ${b}`).toEqual(whole);
      }
    }
  });

  it('joins a line cut into many chunks once, not once per chunk', () => {
    // 4,000 chunks of one line: joining what came so far with every chunk copies the line
    // 4,000 times (quadratic); the line is built from its pieces when its newline comes.
    const join = vi.spyOn(Array.prototype, 'join');
    try {
      const splitter = new LineSplitter(1 << 20);
      for (let i = 0; i < 4000; i++) expect(splitter.push(Buffer.from('abcdefgh'))).toEqual([]);
      const [line] = splitter.push(Buffer.from('\n'));
      expect(line).toHaveLength(32_000);
      expect(join.mock.calls.length).toBe(1);
    } finally {
      join.mockRestore();
    }
  });

  it('drops a line over the cap as it streams past and goes on', () => {
    const long = 'x'.repeat(25);
    const chunks = [`ok\n${long.slice(0, 12)}`, long.slice(12), '\nnext\n', long].map((s) =>
      Buffer.from(s),
    );
    expect(splitAll(chunks, 10)).toEqual(['ok', TOO_LONG, 'next', TOO_LONG]);
  });

  it('strips a byte order mark only at the start', () => {
    expect(splitAll([Buffer.from('\ufeffa\n\ufeffb')])).toEqual(['a', '\ufeffb']);
  });
});

describe('splitJsonValues', () => {
  it.each([
    [
      '{"a":1}\n{"b":[2,3]}',
      [
        ['{"a":1}', 1],
        ['{"b":[2,3]}', 2],
      ],
    ],
    ['\n\n{\n "a": "}\\"{"\n}\n', [['{\n "a": "}\\"{"\n}', 3]]],
    [
      '[\n  {"a":1},\n  {"b":2}\n]',
      [
        ['{"a":1}', 2],
        ['{"b":2}', 3],
      ],
    ],
    [
      '[1, "two", null]',
      [
        ['1', 1],
        ['"two"', 1],
        ['null', 1],
      ],
    ],
    ['[]\n[{"a":1}]', [['{"a":1}', 2]]],
    [
      '"a\\\\" {"b":"\\\\"}',
      [
        ['"a\\\\"', 1],
        ['{"b":"\\\\"}', 1],
      ],
    ],
  ])('splits %j', (text, expected) => {
    const result = splitJsonValues(text);
    expect(result.error).toBeUndefined();
    expect(result.values.map((v) => [v.text, v.line])).toEqual(expected);
  });

  it.each([
    ['{"a":1}\n{"b":\n2', 2, 'unterminated JSON value', 1],
    ['{"a":"\n', 1, 'unterminated JSON value', 0],
    ['[\n{"a":1}\n', 1, 'unterminated JSON array', 1],
    ['[{"a":1} {"b":2}]', 1, "expected ',' or ']' after an array element", 1],
    ['{"a":1}}', 1, 'expected a JSON value', 1],
    ['[1,]', 1, 'expected a JSON value', 1],
  ])('stops at %j (line %d: %s)', (text, line, message, kept) => {
    const result = splitJsonValues(text);
    expect(result.error).toEqual({ line, message });
    expect(result.values).toHaveLength(kept);
  });
});

describe('formatRfc3339Ns', () => {
  it.each([
    [0n, '1970-01-01T00:00:00Z'],
    [1_795_014_600_123_456_789n, '2026-11-18T15:10:00.123456789Z'],
    [1_795_014_600_500_000_000n, '2026-11-18T15:10:00.5Z'],
    [-1n, '1969-12-31T23:59:59.999999999Z'],
  ])('%d is %s', (ns, text) => {
    expect(formatRfc3339Ns(ns)).toBe(text);
  });

  it('round-trips through parseRfc3339Ns over the whole int64 range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (ns) => {
        expect(parseRfc3339Ns(formatRfc3339Ns(ns))).toBe(ns);
      }),
    );
  });
});

describe('TraceParser caps', () => {
  const lines = (text: string) => text.split('\n');

  it('gives up on a document over the cap with one record', () => {
    const parser = new TraceParser('big.json', { seen: new SeenSpans(), maxDocument: 20 });
    const out = parser.lines(lines('\n{\n  "agent": {"id": "finance-agent"},\n  "x": 1\n}'));
    expect(out).toEqual([
      {
        kind: 'malformed',
        origin: { file: 'big.json', line: 2 },
        error: 'the JSON document is larger than the 0 MiB cap',
      },
    ]);
    expect(parser.done).toBe(true);
  });

  it('reports a line over the cap in place', () => {
    const parser = new TraceParser('long.jsonl', {
      seen: new SeenSpans(),
      maxLine: 2 * 1024 * 1024,
    });
    expect(parser.finish([TOO_LONG, '{"context":{"time":"2026-11-18T15:00:00Z"}}'])).toEqual([
      {
        kind: 'malformed',
        origin: { file: 'long.jsonl', line: 1 },
        error: 'line is longer than the 2 MiB cap',
      },
      expect.objectContaining({ kind: 'event', origin: { file: 'long.jsonl', line: 2 } }),
    ]);
  });
});
