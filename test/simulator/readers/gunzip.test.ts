/**
 * gunzip over gzip data cut into chunks of every awkward size: members, header fields,
 * padding, and the errors, each after all the data before it.
 */
import { crc32, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzip } from '../../../src/simulator/readers/gunzip.js';

const text = Buffer.from(
  Array.from({ length: 400 }, (_, i) => `{"n":${i},"pad":"${'ab'.repeat(i % 40)}"}`).join('\n'),
);
const gz = gzipSync(text);

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** What gunzip gives out, and the message of the error it ends with, if any. */
async function unzip(bytes: Buffer, size: number): Promise<{ out: Buffer; error?: string }> {
  const out: Buffer[] = [];
  try {
    for await (const chunk of gunzip(chunks(bytes, size), 1024)) out.push(chunk);
  } catch (error) {
    return { out: Buffer.concat(out), error: (error as Error).message };
  }
  return { out: Buffer.concat(out) };
}

/** A member with every optional header field (extra, name, comment, header CRC). */
function fullHeader(damageCrc = false): Buffer {
  const head = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3]),
    Buffer.from([5, 0]),
    Buffer.from('extra'),
    Buffer.from('trace.jsonl\0comment\0'),
  ]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE((crc32(head) & 0xffff) ^ (damageCrc ? 1 : 0));
  return Buffer.concat([head, crc, gz.subarray(10)]);
}

const trailer = gz.length - 8;
const cases: [string, Buffer, Buffer, string?][] = [
  ['one member', gz, text],
  [
    'members back to back',
    Buffer.concat([gzipSync(''), gz, gzipSync('\nmore')]),
    Buffer.concat([text, Buffer.from('\nmore')]),
  ],
  ['zero padding after the last member', Buffer.concat([gz, Buffer.alloc(600)]), text],
  ['every header field', fullHeader(), text],
  [
    'text appended',
    Buffer.concat([gz, Buffer.from('garbage\n')]),
    text,
    'trailing garbage after the gzip data',
  ],
  [
    'zeros, then text',
    Buffer.concat([gz, Buffer.alloc(3), Buffer.from('x')]),
    text,
    'trailing garbage after the gzip data',
  ],
  ['a cut-off trailer', gz.subarray(0, gz.length - 1), text, 'unexpected end of file'],
  [
    'a bad CRC',
    Buffer.concat([gz.subarray(0, trailer), Buffer.from([0, 0, 0, 0]), gz.subarray(trailer + 4)]),
    text,
    'incorrect data check',
  ],
  [
    'a bad length',
    Buffer.concat([gz.subarray(0, trailer + 4), Buffer.from([0, 0, 0, 0])]),
    text,
    'incorrect length check',
  ],
  ['a bad header CRC', fullHeader(true), Buffer.alloc(0), 'header crc mismatch'],
  [
    'another method',
    Buffer.concat([gz.subarray(0, 2), Buffer.from([7]), gz.subarray(3)]),
    Buffer.alloc(0),
    'unknown compression method',
  ],
];

describe('gunzip', () => {
  it.each(cases)('%s', async (_, bytes, expected, error) => {
    for (const size of [1, 3, 10, 4096]) {
      const result = await unzip(bytes, size);
      expect(result.out.equals(expected), `chunks of ${size}`).toBe(true);
      expect(result.error, `chunks of ${size}`).toBe(error);
    }
  });

  it('gives out what a cut-off member holds before saying so', async () => {
    const result = await unzip(gz.subarray(0, gz.length >> 1), 4096);
    expect(result.error).toBe('unexpected end of file');
    expect(result.out.length).toBeGreaterThan(0);
    expect(result.out.equals(text.subarray(0, result.out.length))).toBe(true);
  });
});
