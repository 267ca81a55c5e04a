/**
 * index.json is checked in full on read: every version entry, the channel map and every
 * history entry, with the fields and types the registry and the commands use. A damaged one
 * is an InputError naming index.json and the first bad entry, never a TypeError later.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readRegistryIndex } from '../../src/registry/registry-index.js';

const dir = mkdtempSync(join(tmpdir(), 'aegis-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const D1 = '1'.repeat(64);
const D2 = '2'.repeat(64);
const TIME = '2026-01-01T00:00:00.000Z';

function valid() {
  return {
    version: 1,
    versions: [
      { version: 'v1', digest: D1, time: TIME },
      { version: 'v2', digest: D2, time: TIME },
    ],
    channels: { prod: 'v2', constructor: 'v1' },
    history: [
      { time: TIME, user: 'a', action: 'publish', version: 'v1', digest: D1, channel: 'prod' },
      {
        time: TIME,
        user: 'a',
        action: 'publish',
        version: 'v2',
        digest: D2,
        channel: 'prod',
        previous: 'v1',
        message: '',
      },
      {
        time: TIME,
        user: 'a',
        action: 'rollback',
        version: 'v1',
        digest: D1,
        channel: 'constructor',
      },
    ],
  };
}

type Index = ReturnType<typeof valid> & Record<string, unknown>;

async function read(index: unknown): Promise<unknown> {
  const path = join(dir, 'index.json');
  writeFileSync(path, typeof index === 'string' ? index : JSON.stringify(index));
  return readRegistryIndex(path);
}

const cases: Array<[string, (index: Index) => unknown, string]> = [
  // The ones found in the field: exit 3 from deep inside history and rollback.
  [
    'a version entry with only its name',
    () => ({
      version: 1,
      versions: [{ version: 'v1' }],
      channels: { prod: 'v1' },
      history: [null],
    }),
    'versions[0].digest must be a sha256 digest (64 hex digits) (it is missing)',
  ],
  [
    'a null history entry',
    (i) => ({ ...i, history: [null] }),
    'history[0] must be an object { time, user, action, version, digest, ... } (it is null)',
  ],
  [
    'a history entry with a number for a time',
    (i) => ({ ...i, history: [{ time: 1 }] }),
    'history[0].time must be a non-empty string (it is 1)',
  ],
  [
    'channels that are an array',
    (i) => ({ ...i, channels: [] }),
    'channels must be an object { channel: version } (it is [])',
  ],
  // The rest of the shape.
  ['versions missing', ({ versions: _, ...i }) => i, 'versions must be an array (it is missing)'],
  ['history an object', (i) => ({ ...i, history: {} }), 'history must be an array (it is {})'],
  [
    'channels null',
    (i) => ({ ...i, channels: null }),
    'channels must be an object { channel: version } (it is null)',
  ],
  [
    'a version entry that is a string',
    (i) => ({ ...i, versions: ['v1'] }),
    'versions[0] must be an object { version, digest, time } (it is "v1")',
  ],
  [
    'a version name that leaves the directory',
    (i) => ({ ...i, versions: [{ ...i.versions[0], version: '../x' }] }),
    'versions[0].version must be a version or channel name (it is "../x")',
  ],
  [
    'an upper-case digest',
    (i) => ({
      ...i,
      versions: [i.versions[0], { ...i.versions[1], digest: D2.toUpperCase().replace(/2/g, 'A') }],
    }),
    `versions[1].digest must be a sha256 digest (64 hex digits) (it is "${'A'.repeat(38)}…)`,
  ],
  [
    'a version time missing',
    (i) => ({ ...i, versions: [{ version: 'v1', digest: D1 }] }),
    'versions[0].time must be a non-empty string (it is missing)',
  ],
  [
    'a version listed twice',
    (i) => ({ ...i, versions: [i.versions[0], i.versions[0]] }),
    'versions[1].version "v1" is listed twice',
  ],
  [
    'a channel at a number',
    (i) => ({ ...i, channels: { prod: 2 } }),
    'channels.prod must be a version or channel name (it is 2)',
  ],
  [
    'a channel at no version',
    (i) => ({ ...i, channels: { prod: 'v9' } }),
    'channels.prod must be a version in versions (it is "v9")',
  ],
  [
    'a channel named like no channel',
    (i) => ({ ...i, channels: { 'a/b': 'v1' } }),
    'channels has a key that is not a channel name: "a/b"',
  ],
  [
    '__proto__ as a channel',
    () => '{"version":1,"versions":[],"channels":{"__proto__":"v1"},"history":[]}',
    'channels has a key that is not a channel name: "__proto__"',
  ],
  [
    'an unknown action',
    (i) => ({ ...i, history: [{ ...i.history[0], action: 'delete' }] }),
    'history[0].action must be publish or rollback (it is "delete")',
  ],
  [
    'a user that is not a string',
    (i) => ({ ...i, history: [i.history[0], { ...i.history[1], user: ['x'] }] }),
    'history[1].user must be a non-empty string (it is ["x"])',
  ],
  [
    'a version missing in history',
    // JSON leaves undefined out.
    (i) => ({ ...i, history: [{ ...i.history[0], version: undefined }] }),
    'history[0].version must be a version or channel name (it is missing)',
  ],
  [
    'a digest that is short',
    (i) => ({ ...i, history: [{ ...i.history[0], digest: 'abc' }] }),
    'history[0].digest must be a sha256 digest (64 hex digits) (it is "abc")',
  ],
  [
    'a null channel',
    (i) => ({ ...i, history: [{ ...i.history[0], channel: null }] }),
    'history[0].channel must be a version or channel name (it is null)',
  ],
  [
    'a previous that is a number',
    (i) => ({ ...i, history: [{ ...i.history[0], previous: 3 }] }),
    'history[0].previous must be a version or channel name (it is 3)',
  ],
  [
    'a message that is an object',
    (i) => ({ ...i, history: [{ ...i.history[0], message: {} }] }),
    'history[0].message must be a string (it is {})',
  ],
];

describe('readRegistryIndex', () => {
  it('reads a valid index, with a channel map that answers only for channels', async () => {
    const index = (await read(valid())) as { channels: Record<string, string> };
    expect({ ...index.channels }).toEqual({ prod: 'v2', constructor: 'v1' });
    expect(index.channels.toString).toBeUndefined();
  });

  it.each(cases)('refuses %s', async (_name, damage, problem) => {
    const path = join(dir, 'index.json');
    const attempt = read(damage(valid() as Index));
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(`${path} is not a valid registry index: ${problem}`);
  });
});
