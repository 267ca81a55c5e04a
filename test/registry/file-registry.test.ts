import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { FileRegistry, rollbackTarget, sha256Hex } from '../../src/registry/file-registry.js';
import { OciRegistry } from '../../src/registry/oci-registry.js';
import {
  existingRegistry,
  openFileRegistry,
  openRegistry,
} from '../../src/registry/open-registry.js';
import { currentUser, type HistoryEntry, isValidName } from '../../src/registry/registry.js';

const dirs: string[] = [];
function registryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-file-registry-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const bytes = (text: string) => new TextEncoder().encode(text);
const info = { user: 'alice' };

describe('FileRegistry', () => {
  it('stores versions immutably and returns bytes with their sha256', async () => {
    const registry = new FileRegistry(registryDir());
    expect(await registry.list()).toEqual([]);
    expect(await registry.put('v1', bytes('one'), { ...info, channel: 'prod' })).toMatchObject({
      ok: true,
    });
    expect(await registry.put('v1', bytes('other'), info)).toEqual({ ok: false, reason: 'exists' });
    const got = await registry.get('v1');
    expect(got).toEqual({ ok: true, bytes: expect.anything(), digest: sha256Hex(bytes('one')) });
    if (got.ok) expect(new TextDecoder().decode(got.bytes)).toBe('one');
    expect(await registry.get('v2')).toEqual({ ok: false, reason: 'not-found' });
    expect(await registry.get('../index')).toEqual({ ok: false, reason: 'not-found' });
    expect(await registry.channels()).toEqual({ prod: 'v1' });
  });

  it('records publishes and rollbacks with user, digest, channel and previous', async () => {
    const registry = new FileRegistry(registryDir());
    const time = new Date('2026-01-02T03:04:05Z');
    await registry.put('v1', bytes('one'), { ...info, channel: 'prod', time });
    await registry.put('v2', bytes('two'), { ...info, channel: 'prod', message: 'new rule', time });
    await registry.put('s1', bytes('s'), { ...info, channel: 'staging', time });
    const back = await registry.setChannel('prod', 'v1', { user: 'bob', message: 'oops', time });
    expect(back.ok).toBe(true);
    expect(await registry.setChannel('prod', 'v9', info)).toEqual({
      ok: false,
      reason: 'not-found',
    });
    // Only put makes a channel: a rollback of one that does not exist is refused.
    expect(await registry.setChannel('prdo', 'v1', info)).toEqual({
      ok: false,
      reason: 'no-channel',
    });
    const prod = await registry.history('prod');
    expect(prod.map((e) => [e.action, e.version, e.previous, e.user])).toEqual([
      ['publish', 'v1', undefined, 'alice'],
      ['publish', 'v2', 'v1', 'alice'],
      ['rollback', 'v1', 'v2', 'bob'],
    ]);
    expect(prod[1]).toMatchObject({ message: 'new rule', digest: sha256Hex(bytes('two')) });
    expect(prod[2]?.time).toBe('2026-01-02T03:04:05.000Z');
    expect(await registry.history()).toHaveLength(4);
    expect(await registry.channels()).toEqual({ prod: 'v1', staging: 's1' });
  });

  it("reads channels named like Object.prototype's members as channels, not as its members", async () => {
    const registry = new FileRegistry(registryDir());
    const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty'];
    // None exists yet: nothing before the first publish to each.
    for (const [i, channel] of names.entries()) {
      const put = await registry.put(`v${i}`, bytes(`b${i}`), { ...info, channel });
      expect(put.ok && put.entry).not.toHaveProperty('previous');
    }
    const channels = await registry.channels();
    expect({ ...channels }).toEqual({
      constructor: 'v0',
      toString: 'v1',
      valueOf: 'v2',
      hasOwnProperty: 'v3',
    });
    // Nor does the map answer for a member of Object.prototype that is not a channel.
    expect(channels.isPrototypeOf).toBeUndefined();
    const moved = await registry.put('v9', bytes('b9'), { ...info, channel: 'constructor' });
    expect(moved.ok && moved.entry.previous).toBe('v0');
    const back = await registry.setChannel('toString', 'v0', info);
    expect(back.ok && back.entry.previous).toBe('v1');
  });

  it('serializes two concurrent publishes under the lock', async () => {
    const dir = registryDir();
    const a = new FileRegistry(dir);
    const b = new FileRegistry(dir);
    const results = await Promise.all([
      a.put('v1', bytes('a'), { ...info, channel: 'prod' }),
      b.put('v2', bytes('b'), { ...info, channel: 'prod' }),
      a.put('v3', bytes('c'), { ...info, channel: 'prod' }),
      b.put('v3', bytes('d'), { ...info, channel: 'prod' }),
    ]);
    // Without the lock, a read-modify-write would lose one of the index updates.
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect((await a.list()).sort()).toEqual(['v1', 'v2', 'v3']);
    const history = await a.history('prod');
    expect(history).toHaveLength(3);
    // Each publish saw the one before it: the previous pointers form one chain.
    expect(history[0]?.previous).toBeUndefined();
    expect(history[1]?.previous).toBe(history[0]?.version);
    expect(history[2]?.previous).toBe(history[1]?.version);
  });

  it('takes over a lock whose owner is dead and waits for a live one', async () => {
    const dir = registryDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    writeFileSync(join(dir, 'lock'), `${dead}\n`);
    const registry = new FileRegistry(dir);
    expect((await registry.put('v1', bytes('x'), info)).ok).toBe(true);

    writeFileSync(join(dir, 'lock'), `${process.pid}\n`);
    const pending = registry.put('v2', bytes('y'), info);
    await new Promise((r) => setTimeout(r, 100));
    expect(await registry.list()).toEqual(['v1']);
    rmSync(join(dir, 'lock'));
    expect((await pending).ok).toBe(true);
    expect(await registry.list()).toEqual(['v1', 'v2']);
  });

  it('refuses a bundle file whose sha256 is not the digest the index recorded', async () => {
    const dir = registryDir();
    const registry = new FileRegistry(dir);
    await registry.put('v1', bytes('one'), { ...info, channel: 'prod' });
    await registry.put('v2', bytes('two'), info);
    // Another published bundle copied over v1: readable, and not what was published as v1.
    writeFileSync(registry.bundlePath('v1'), 'two');
    expect(await registry.get('v1')).toEqual({
      ok: false,
      reason: 'digest-mismatch',
      expected: sha256Hex(bytes('one')),
      actual: sha256Hex(bytes('two')),
    });
    expect(await registry.get('v2')).toMatchObject({ ok: true, digest: sha256Hex(bytes('two')) });
    // Restored, it is served again.
    writeFileSync(registry.bundlePath('v1'), 'one');
    expect(await registry.get('v1')).toMatchObject({ ok: true, digest: sha256Hex(bytes('one')) });
    // A truncated file too.
    writeFileSync(registry.bundlePath('v1'), '');
    expect(await registry.get('v1')).toMatchObject({ ok: false, reason: 'digest-mismatch' });
  });

  it('refuses an index of an unknown format, and one that is not JSON', async () => {
    const dir = registryDir();
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ version: 2, versions: [] }));
    const registry = new FileRegistry(dir);
    await expect(registry.list()).rejects.toThrow(InputError);
    await expect(registry.list()).rejects.toThrow(/index format 2/);
    await expect(registry.put('v1', bytes('x'), info)).rejects.toThrow(/index format 2/);
    writeFileSync(join(dir, 'index.json'), '{');
    await expect(registry.list()).rejects.toThrow(/not valid JSON/);
  });

  it('starts a registry only in a new or empty directory', async () => {
    // Some other directory (policies, say): publishing there must not make it a registry.
    for (const [other, named] of [
      ['notes.txt', 'notes.txt'],
      ['.git/HEAD', '.git'],
      ['bundles/notes.txt', 'bundles/notes.txt'],
      ['index.json.bak', 'index.json.bak'],
    ] as const) {
      const dir = registryDir();
      mkdirSync(join(dir, 'bundles'));
      mkdirSync(join(dir, other, '..'), { recursive: true });
      writeFileSync(join(dir, other), 'x');
      const before = readdirSync(dir, { recursive: true }).sort();
      const registry = new FileRegistry(dir);
      const refused = registry.put('v1', bytes('one'), { ...info, channel: 'prod' });
      await expect(refused).rejects.toThrow(InputError);
      await expect(refused).rejects.toThrow(
        `${dir} is not a registry (it has no index.json) and is not empty (it holds "${named}")`,
      );
      expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before);
    }
    // New, empty, or holding only what a first publish killed before its commit leaves.
    const leftovers = registryDir();
    mkdirSync(join(leftovers, 'bundles'));
    writeFileSync(join(leftovers, 'bundles', 'v1.tar.gz'), 'half');
    writeFileSync(join(leftovers, 'bundles', '.v1.tar.gz.tmp-4242-1764201600000'), 'ha');
    writeFileSync(join(leftovers, '.index.json.tmp-4242-1764201600000'), '{');
    mkdirSync(join(leftovers, '.lock-4242-0123456789abcdef'));
    for (const dir of [join(registryDir(), 'new'), registryDir(), leftovers]) {
      const registry = new FileRegistry(dir);
      expect((await registry.put('v1', bytes('one'), info)).ok, dir).toBe(true);
      expect(await registry.get('v1')).toMatchObject({ ok: true });
      // A registry now: the next publish goes in, whatever else is there.
      writeFileSync(join(dir, 'README'), 'x');
      expect((await registry.put('v2', bytes('two'), info)).ok).toBe(true);
    }
  });

  it('refuses version and channel names that could leave the directory', async () => {
    const registry = new FileRegistry(registryDir());
    for (const name of ['../x', 'a/b', '.hidden', '', 'a..b', 'x'.repeat(129)]) {
      await expect(registry.put(name, bytes('x'), info)).rejects.toThrow(/invalid version/);
      expect(isValidName(name)).toBe(false);
    }
    await expect(registry.put('v1', bytes('x'), { ...info, channel: '../p' })).rejects.toThrow(
      /invalid channel/,
    );
    expect(await registry.list()).toEqual([]);
  });
});

describe('rollbackTarget', () => {
  const e = (action: 'publish' | 'rollback', version: string, previous?: string): HistoryEntry => ({
    time: '2026-01-01T00:00:00.000Z',
    user: 'u',
    action,
    version,
    digest: 'd',
    channel: 'prod',
    ...(previous !== undefined ? { previous } : {}),
  });
  const cases: Array<[string, HistoryEntry[], string, string | undefined]> = [
    ['one publish: nothing before it', [e('publish', 'v1')], 'v1', undefined],
    ['two publishes', [e('publish', 'v1'), e('publish', 'v2', 'v1')], 'v2', 'v1'],
    [
      'walks back through publishes, not toggling',
      [
        e('publish', 'v1'),
        e('publish', 'v2', 'v1'),
        e('publish', 'v3', 'v2'),
        e('rollback', 'v2', 'v3'),
      ],
      'v2',
      'v1',
    ],
    [
      'a version only reached by rollback goes back to what it replaced',
      [e('publish', 'v1'), e('publish', 'v2', 'v1'), e('rollback', 'v0', 'v2')],
      'v0',
      'v2',
    ],
  ];
  it.each(cases)('%s', (_name, history, current, expected) => {
    expect(rollbackTarget(history, 'prod', current)).toBe(expected);
    expect(rollbackTarget(history, 'staging', current)).toBeUndefined();
  });
});

describe('openRegistry and currentUser', () => {
  it('reads a directory, file:DIR and oci://; serve refuses oci://', () => {
    expect(openFileRegistry('reg', '/base').dir).toBe('/base/reg');
    expect(openFileRegistry('file:reg', '/base').dir).toBe('/base/reg');
    expect(openFileRegistry('file:///abs/reg', '/base').dir).toBe('/abs/reg');
    expect(openRegistry('reg', '/base')).toBeInstanceOf(FileRegistry);
    expect(openRegistry('oci://localhost:5000/policies', '/base')).toBeInstanceOf(OciRegistry);
    expect(() => openFileRegistry('oci://localhost:5000/policies', '/base')).toThrow(
      /serve takes a directory registry/,
    );
    expect(() => openRegistry('https://example.com/x', '/base')).toThrow(InputError);
  });

  it('gives history, rollback and serve only a directory that holds a registry index', async () => {
    const missing = join(registryDir(), 'missing');
    expect(() => existingRegistry(new FileRegistry(missing), 'missing')).toThrow(
      `--registry missing: no registry directory at ${missing}`,
    );
    const file = join(registryDir(), 'a-file');
    writeFileSync(file, 'x');
    expect(() => existingRegistry(new FileRegistry(file), 'a-file')).toThrow(
      /no registry directory/,
    );

    // Some other directory (empty, or holding anything but index.json) is not an empty registry.
    const other = registryDir();
    mkdirSync(join(other, 'bundles'));
    writeFileSync(join(other, 'notes.txt'), 'x');
    const refusal = (() => {
      try {
        existingRegistry(new FileRegistry(other), 'other');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(InputError);
    expect((refusal as InputError).message).toBe(
      `--registry other: ${other} is not a registry (it has no index.json)`,
    );
    expect((refusal as InputError).hint).toMatch(/aegis publish creates a registry/);

    // Once published to (publish still starts a registry in an existing empty directory).
    const registry = new FileRegistry(registryDir());
    expect((await registry.put('v1', bytes('one'), info)).ok).toBe(true);
    expect(existingRegistry(registry, 'other')).toBe(registry);
    // An OCI registry is not a directory: it is passed through.
    const oci = openRegistry('oci://localhost:5000/policies', '/base');
    expect(existingRegistry(oci, 'oci://localhost:5000/policies')).toBe(oci);
  });

  it('takes the user from AEGIS_USER, then USER/LOGNAME, else unknown', () => {
    expect(currentUser({ AEGIS_USER: 'ci', USER: 'u' })).toBe('ci');
    expect(currentUser({ USER: 'u', LOGNAME: 'l' })).toBe('u');
    expect(currentUser({ LOGNAME: 'l' })).toBe('l');
    expect(currentUser({})).toBe('unknown');
  });
});
