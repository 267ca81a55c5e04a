import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle, readBundleFile } from '../../src/bundle/read-bundle.js';
import { writeBundle } from '../../src/bundle/write-bundle.js';

/** Hand-made tar entries, so that each malicious shape can be built exactly. */
interface Entry {
  name: string;
  type?: string;
  content?: string | Uint8Array;
  /** Declared size, when it should differ from the content (bombs, truncation). */
  size?: number;
  linkname?: string;
  magic?: string;
  prefix?: string;
  badChecksum?: boolean;
}

function tarEntry(entry: Entry): Buffer {
  const header = Buffer.alloc(512);
  const content =
    typeof entry.content === 'string'
      ? Buffer.from(entry.content)
      : Buffer.from(entry.content ?? []);
  const size = entry.size ?? content.length;
  header.write(entry.name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'latin1');
  header.write('0000000\0', 108, 'latin1');
  header.write('0000000\0', 116, 'latin1');
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write('00000000000\0', 136, 'latin1');
  header.write(entry.type ?? '0', 156, 'latin1');
  header.write(entry.linkname ?? '', 157, 100, 'utf8');
  header.write(entry.magic ?? 'ustar\u000000', 257, 'latin1');
  header.write(entry.prefix ?? '', 345, 155, 'utf8');
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  if (entry.badChecksum) sum += 1;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding]);
}

const END = Buffer.alloc(1024);
const archive = (...entries: Entry[]) => gzipSync(Buffer.concat([...entries.map(tarEntry), END]));

function paxEntry(records: Record<string, string>): Entry {
  const body = Object.entries(records)
    .map(([key, value]) => {
      const text = ` ${key}=${value}\n`;
      let length = Buffer.byteLength(text) + 1;
      while (String(length).length + Buffer.byteLength(text) !== length) length++;
      return `${length}${text}`;
    })
    .join('');
  return { name: 'PaxHeaders/x', type: 'x', content: body };
}

const decoded = (files: Map<string, Uint8Array>) =>
  Object.fromEntries(
    [...files].map(([path, bytes]) => [path, Buffer.from(bytes).toString('utf8')]),
  );

describe('readBundle', () => {
  it('reads back what writeBundle wrote', async () => {
    const wasm = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31) % 256);
    const result = await readBundle(
      writeBundle([
        { path: 'data.json', content: '{"aegis":{}}' },
        { path: '.manifest', content: '{"revision":"x"}' },
        { path: 'aegis/policy.rego', content: 'package aegis\n' },
        { path: 'policy.wasm', content: wasm },
        { path: 'empty.txt', content: '' },
      ]),
    );
    if (!result.ok) throw new Error(result.message);
    expect([...result.files.keys()]).toEqual([
      '.manifest',
      'aegis/policy.rego',
      'data.json',
      'empty.txt',
      'policy.wasm',
    ]);
    expect(Buffer.from(result.files.get('data.json') ?? []).toString()).toBe('{"aegis":{}}');
    expect(result.files.get('policy.wasm')).toEqual(wasm);
    expect(result.files.get('empty.txt')?.length).toBe(0);
  });

  it('normalizes ./ and / prefixes and skips directory entries', async () => {
    const result = await readBundle(
      archive(
        { name: './', type: '5' },
        { name: './aegis/', type: '5' },
        { name: './aegis/policy.rego', content: 'p' },
        { name: '/data.json', content: '{}' },
        { name: 'old-style-dir/', type: '\0' },
      ),
    );
    if (!result.ok) throw new Error(result.message);
    expect(decoded(result.files)).toEqual({ 'aegis/policy.rego': 'p', 'data.json': '{}' });
  });

  it('understands ustar prefixes, GNU long names and PAX paths', async () => {
    const longName = `aegis/${'n'.repeat(150)}.rego`;
    const result = await readBundle(
      archive(
        { name: 'b.rego', prefix: 'aegis/deep', content: '1' },
        { name: '././@LongLink', type: 'L', content: `${longName}\0` },
        { name: longName.slice(0, 100), content: '2', magic: 'ustar  \0' },
        paxEntry({ path: 'aegis/pax.rego', mtime: '0' }),
        { name: 'truncated-name', content: '3' },
      ),
    );
    if (!result.ok) throw new Error(result.message);
    expect(decoded(result.files)).toEqual({
      'aegis/deep/b.rego': '1',
      [longName]: '2',
      'aegis/pax.rego': '3',
    });
  });

  it.each<[string, Entry[], string]>([
    ['a parent segment', [{ name: '../x', content: 'x' }], 'unsafe-path'],
    ['a nested parent segment', [{ name: 'aegis/../../x', content: 'x' }], 'unsafe-path'],
    ['a double-slash absolute path', [{ name: '//etc/passwd', content: 'x' }], 'unsafe-path'],
    ['a backslash', [{ name: '..\\x', content: 'x' }], 'unsafe-path'],
    ['a drive letter', [{ name: 'C:/x', content: 'x' }], 'unsafe-path'],
    [
      'a PAX path escaping the root',
      [paxEntry({ path: '../../etc/passwd' }), { name: 'ok', content: 'x' }],
      'unsafe-path',
    ],
    ['an unsafe directory', [{ name: '../d/', type: '5' }], 'unsafe-path'],
    ['a symbolic link', [{ name: 'data.json', type: '2', linkname: '/etc/passwd' }], 'link'],
    ['a hard link', [{ name: 'data.json', type: '1', linkname: 'other' }], 'link'],
    ['a character device', [{ name: 'tty', type: '3' }], 'special-file'],
    ['a block device', [{ name: 'sda', type: '4' }], 'special-file'],
    ['a FIFO', [{ name: 'pipe', type: '6' }], 'special-file'],
    ['a sparse file', [{ name: 'sparse', type: 'S' }], 'unsupported-entry'],
    ['a contiguous file', [{ name: 'data.json', type: '7', content: '{}' }], 'unsupported-entry'],
    [
      'a duplicate entry',
      [
        { name: '/data.json', content: '{}' },
        { name: './data.json', content: '{"x":1}' },
      ],
      'duplicate-entry',
    ],
    ['a bad header checksum', [{ name: 'data.json', content: '{}', badChecksum: true }], 'corrupt'],
  ])('refuses %s', async (_name, entries, reason) => {
    const result = await readBundle(archive(...entries));
    expect(result).toMatchObject({ ok: false, reason });
  });

  it('names the offending entry', async () => {
    const result = await readBundle(
      archive({ name: 'aegis/link.rego', type: '2', linkname: '/etc/shadow' }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'link', entry: 'aegis/link.rego' });
  });

  it('refuses a file over the cap from its header, before reading it', async () => {
    // Declares 1 GiB but carries nothing: the size alone must be enough to refuse it.
    const bytes = gzipSync(Buffer.concat([tarEntry({ name: 'data.json', size: 1024 ** 3 })]));
    expect(await readBundle(bytes)).toMatchObject({
      ok: false,
      reason: 'file-too-large',
      entry: 'data.json',
    });
    const small = archive({ name: 'data.json', content: 'x'.repeat(2000) });
    expect(await readBundle(small, { maxFileSize: 1000 })).toMatchObject({
      ok: false,
      reason: 'file-too-large',
    });
    expect((await readBundle(small, { maxFileSize: 2000 })).ok).toBe(true);
  });

  it('refuses a bundle whose files together pass the total cap', async () => {
    const entries = Array.from({ length: 12 }, (_, i) => ({
      name: `f${i}`,
      content: Buffer.alloc(1024 * 1024),
    }));
    const result = await readBundle(archive(...entries), {
      maxFileSize: 2 * 1024 * 1024,
      maxTotalSize: 8 * 1024 * 1024,
    });
    expect(result).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('refuses too many entries', async () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, content: '' }));
    expect(await readBundle(archive(...entries), { maxEntries: 10 })).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
  });

  describe('a gzip bomb of 1 GiB of zeros', () => {
    let bomb: Buffer;
    beforeAll(async () => {
      // Streamed through zlib from a generator: the test never holds the gigabyte either.
      const zeros = Buffer.alloc(1024 * 1024);
      async function* gigabyte() {
        for (let i = 0; i < 1024; i++) yield zeros;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of Readable.from(gigabyte()).pipe(createGzip({ level: 1 })))
        chunks.push(chunk as Buffer);
      bomb = Buffer.concat(chunks);
    });

    it('is stopped at the default 256 MiB cap without inflating it all', async () => {
      expect(bomb.length).toBeLessThan(8 * 1024 * 1024);
      const before = process.memoryUsage().rss;
      const result = await readBundle(bomb);
      expect(result).toMatchObject({ ok: false, reason: 'too-large' });
      // Streaming keeps memory flat; inflating first would need a gigabyte.
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    });
  });

  it('refuses a truncated gzip stream', async () => {
    const bytes = writeBundle([{ path: 'data.json', content: '{"aegis":{"a":1}}' }]);
    expect(await readBundle(bytes.subarray(0, bytes.length - 12))).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
  });

  it('refuses a tar that ends inside an entry', async () => {
    const tar = tarEntry({ name: 'data.json', content: 'x'.repeat(600) });
    expect(await readBundle(gzipSync(tar.subarray(0, 700)))).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
    expect(await readBundle(gzipSync(tar.subarray(0, 300)))).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
  });

  it('accepts a tar without end-of-archive blocks, as Go does', async () => {
    const result = await readBundle(gzipSync(tarEntry({ name: 'data.json', content: '{}' })));
    expect(result.ok).toBe(true);
  });

  it('refuses a damaged gzip stream', async () => {
    const bytes = Buffer.from(writeBundle([{ path: 'data.json', content: '{"aegis":{"a":1}}' }]));
    bytes[bytes.length - 6] = (bytes[bytes.length - 6] ?? 0) ^ 0xff; // the CRC
    expect(await readBundle(bytes)).toMatchObject({ ok: false, reason: 'corrupt' });
  });

  it('refuses data hidden after the end-of-archive marker', async () => {
    const hidden = gzipSync(
      Buffer.concat([
        tarEntry({ name: 'a', content: 'a' }),
        END,
        tarEntry({ name: 'b', content: 'b' }),
      ]),
    );
    expect(await readBundle(hidden)).toMatchObject({ ok: false, reason: 'corrupt' });
  });

  it('refuses what is not gzip at all', async () => {
    expect(await readBundle(Buffer.from('{"not":"a bundle"}'))).toMatchObject({
      ok: false,
      reason: 'not-gzip',
    });
    expect(await readBundle(new Uint8Array(0))).toMatchObject({ ok: false, reason: 'not-gzip' });
  });
});

describe('readBundleFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aegis-read-bundle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a bundle from disk', async () => {
    const path = join(dir, 'bundle.tar.gz');
    await writeFile(path, writeBundle([{ path: 'data.json', content: '{}' }]));
    const result = await readBundleFile(path);
    expect(result.ok && decoded(result.files)).toEqual({ 'data.json': '{}' });
  });

  it('refuses a file over the archive cap unread, a missing file and a directory', async () => {
    const path = join(dir, 'big.tar.gz');
    await writeFile(path, Buffer.alloc(4096, 1));
    expect(await readBundleFile(path, { maxArchiveSize: 1000 })).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
    expect(await readBundleFile(join(dir, 'missing.tar.gz'))).toMatchObject({
      ok: false,
      reason: 'not-found',
    });
    expect(await readBundleFile(dir)).toMatchObject({ ok: false, reason: 'unreadable' });
  });
});
