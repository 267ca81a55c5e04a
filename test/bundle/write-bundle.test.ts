import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundle/read-bundle.js';
import { type BundleFile, writeBundle } from '../../src/bundle/write-bundle.js';

const FILES: BundleFile[] = [
  { path: 'aegis/policy.rego', content: 'package aegis\n\ndecision := {"allow": true}\n' },
  { path: '/data.json', content: '{"aegis":{}}' },
  { path: '.manifest', content: '{"revision":"r1","roots":["aegis"],"rego_version":1}' },
  { path: 'policy.wasm', content: Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0) },
];

/** The entries of an uncompressed tar, header fields as text, for asserting on. */
function entries(tar: Uint8Array) {
  const out: {
    name: string;
    mode: string;
    uid: string;
    gid: string;
    mtime: string;
    type: string;
    rest: string;
  }[] = [];
  const text = (at: number, length: number) =>
    Buffer.from(tar.subarray(at, at + length)).toString('latin1');
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = text(at, 100).replace(/\0+$/, '');
    if (name === '') break;
    const size = Number.parseInt(text(at + 124, 12), 8);
    out.push({
      name,
      mode: text(at + 100, 8),
      uid: text(at + 108, 8),
      gid: text(at + 116, 8),
      mtime: text(at + 136, 12),
      type: text(at + 156, 1),
      // magic, version, uname, gname
      rest: text(at + 257, 72),
    });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('writeBundle', () => {
  it('gives identical bytes for the same files, whatever their order', () => {
    const first = writeBundle(FILES);
    expect(writeBundle(FILES).equals(first)).toBe(true);
    expect(writeBundle([...FILES].reverse()).equals(first)).toBe(true);
    const withSlashes = FILES.map((file) => ({
      ...file,
      path: `/${file.path.replace(/^\//, '')}`,
    }));
    expect(writeBundle(withSlashes).equals(first)).toBe(true);
  });

  it('writes the same bytes on every machine (pinned digest)', () => {
    // pako is pinned to an exact version because these bytes must not depend on Node's zlib.
    // If this changes, every published bundle's digest changes: find out why before updating.
    const digest = createHash('sha256').update(writeBundle(FILES)).digest('hex');
    expect(digest).toBe('488acaa7ba5037b320df101acd1d4719a184f582d99bc11c7cb0d7d943258d65');
  });

  it('writes a gzip header with no name, no mtime and a fixed OS byte', () => {
    const bytes = writeBundle(FILES);
    // ID1 ID2, deflate, no flags (so no FNAME), mtime 0, XFL 0 (level 6), OS 3.
    expect([...bytes.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  });

  it('writes sorted, slash-rooted file entries with fixed metadata and no directories', () => {
    const list = entries(gunzipSync(writeBundle(FILES)));
    expect(list.map((entry) => entry.name)).toEqual([
      '/.manifest',
      '/aegis/policy.rego',
      '/data.json',
      '/policy.wasm',
    ]);
    for (const entry of list) {
      expect(entry).toMatchObject({
        mode: '0000644\0',
        uid: '0000000\0',
        gid: '0000000\0',
        type: '0',
      });
      expect(entry.mtime).toBe('00000000000\0');
      expect(entry.rest).toBe(`ustar\u000000${'\0'.repeat(64)}`);
    }
  });

  it('puts long and non-ASCII paths in PAX records, and reads them back', async () => {
    const long = `aegis/${'d'.repeat(120)}/policy.rego`;
    const bytes = writeBundle([
      { path: long, content: 'a' },
      { path: 'aegis/é.json', content: 'b' },
    ]);
    const list = entries(gunzipSync(bytes));
    expect(list.map((entry) => entry.type)).toEqual(['x', '0', 'x', '0']);
    const read = await readBundle(bytes);
    if (!read.ok) throw new Error(read.message);
    expect([...read.files.keys()]).toEqual([long, 'aegis/é.json']);
  });

  it('ends the archive with two zero blocks and no record padding, as Go writes it', () => {
    const tar = gunzipSync(writeBundle([{ path: 'data.json', content: '{}' }]));
    expect(tar.length).toBe(512 + 512 + 1024);
    expect(tar.subarray(1024).every((byte) => byte === 0)).toBe(true);
  });

  it.each([
    ['a parent segment', '../x'],
    ['an empty name', ''],
    ['a double slash', '//etc/passwd'],
    ['a backslash', 'a\\b'],
  ])('refuses %s (a compiler bug, so it throws)', (_name, path) => {
    expect(() => writeBundle([{ path, content: '' }])).toThrow(TypeError);
  });

  it('refuses the same path twice, even spelled differently', () => {
    expect(() =>
      writeBundle([
        { path: 'data.json', content: '{}' },
        { path: './data.json', content: '{}' },
      ]),
    ).toThrow(/given twice/);
  });
});
