/**
 * publish / rollback / history through the built CLI, and crash safety: a publish killed at
 * every named step (AEGIS_REGISTRY_CRASH_AT) and after random delays (SIGKILL) must leave the
 * registry exactly as before or exactly as after, and usable by the next publish.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundle/read-bundle.js';
import { writeBundle } from '../../src/bundle/write-bundle.js';
import { FileRegistry, sha256Hex } from '../../src/registry/file-registry.js';
import {
  aegis,
  expectCleanRefusal,
  isCleanError,
  messageLines,
  REPO,
  tempDir,
  writeSignedBundles,
} from './run-cli.js';

const BIN = join(REPO, 'bin', 'aegis');
let dir: { path: string; remove: () => void };
let cwd: string;

const V1 = 'version: 1\nagent: bot\nallowed_tools:\n  - name: search\n';
const V2 = `${V1}    rules:\n      - id: no-search\n        when: { param: q, eq: x }\n        effect: deny\n        reason: v2 says no\n`;

function must(args: string[]): string {
  const result = aegis(args, { cwd, env: { AEGIS_USER: 'tester' } });
  if (result.code !== 0) throw new Error(`aegis ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  dir = tempDir('registry');
  cwd = dir.path;
  writeSignedBundles(cwd, { v1: V1, v2: V2 }, must);
  must(['keys', 'generate', '--id', 'other', '--out', 'keys']);
  must(['compile', 'v1.yaml', '-o', 'unsigned.tar.gz', '--revision', 'r-u']);
  // v2's files under v1's signature: every file readable, the signed digests do not match.
  const one = await readBundle(readFileSync(join(cwd, 'v1.tar.gz')));
  const two = await readBundle(readFileSync(join(cwd, 'v2.tar.gz')));
  if (!one.ok || !two.ok) throw new Error('cannot read the compiled bundles');
  const files = [...two.files].map(([path, content]) => ({
    path,
    content: path === '.signatures.json' ? (one.files.get(path) ?? content) : content,
  }));
  writeFileSync(join(cwd, 'tampered.tar.gz'), writeBundle(files));
});

afterAll(() => dir?.remove());

const pub = ['--pub', 'keys/k1.pub.pem'];

describe('aegis publish / rollback / history', () => {
  it('refuses unverified bundles and immutable versions, publishes and rolls back', () => {
    const reg = ['--registry', 'file:reg'];
    const noPub = aegis(['publish', 'v1.tar.gz', ...reg, '--version', 'v1'], { cwd });
    expect(noPub.code).toBe(2);
    expect(noPub.stderr).toMatch(/--pub/);

    for (const [bundle, reason] of [
      ['unsigned.tar.gz', /unsigned/],
      ['tampered.tar.gz', /file-mismatch|bad-signature/],
    ] as const) {
      const refused = aegis(['publish', bundle, ...reg, '--version', 'v1', ...pub], { cwd });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/does not verify/);
      expect(refused.stderr).toMatch(reason);
      expect(isCleanError(refused.stderr)).toBe(true);
    }
    const wrongKey = aegis(
      ['publish', 'v1.tar.gz', ...reg, '--version', 'v1', '--pub', 'keys/other.pub.pem'],
      { cwd },
    );
    expect(wrongKey.code).toBe(1);

    expect(
      must(['publish', 'v1.tar.gz', ...reg, '--version', 'v1', '--channel', 'prod', ...pub]),
    ).toMatch(/published v1 \(revision r-v1/);
    const again = aegis(
      ['publish', 'v2.tar.gz', ...reg, '--version', 'v1', '--channel', 'prod', ...pub],
      {
        cwd,
      },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/v1 already exists/);
    must([
      'publish',
      'v2.tar.gz',
      ...reg,
      '--version',
      'v2',
      '--channel',
      'prod',
      '--message',
      'stricter',
      ...pub,
    ]);

    const missing = aegis(['rollback', ...reg, '--channel', 'prod', '--to', 'v9', ...pub], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/v9 is not in the registry; versions: v1, v2/);

    // A mistyped channel is not a new one (while prod keeps its version): only publish makes
    // channels. With --to or without.
    for (const to of [['--to', 'v1'], []]) {
      const typo = aegis(['rollback', ...reg, '--channel', 'prdo', ...to, ...pub], { cwd });
      expectCleanRefusal(typo);
      expect(typo.stderr).toBe('aegis: the channel prdo does not exist\n  hint: channels: prod\n');
    }
    expect(JSON.parse(must(['history', ...reg, '--format', 'json']))).toHaveLength(2);

    expect(must(['rollback', ...reg, '--channel', 'prod', '--message', 'bad rule', ...pub])).toBe(
      'prod -> v1 (was v2)\n',
    );
    const history = JSON.parse(
      must(['history', ...reg, '--channel', 'prod', '--format', 'json']),
    ) as Array<Record<string, unknown>>;
    expect(history.map((e) => [e.action, e.version, e.previous, e.user, e.message])).toEqual([
      ['publish', 'v1', undefined, 'tester', undefined],
      ['publish', 'v2', 'v1', 'tester', 'stricter'],
      ['rollback', 'v1', 'v2', 'tester', 'bad rule'],
    ]);
    expect(must(['history', ...reg])).toMatch(/rollback +tester prod -> v1 \(was v2\)/);
    // A mistyped channel is an error naming the channels, not "no history" and exit 0.
    const typo = aegis(['history', ...reg, '--channel', 'prdo'], { cwd });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('aegis: the channel prdo does not exist\n  hint: channels: prod\n');

    // Nothing listens on port 1: an unreachable registry is an input error in one line.
    const oci = aegis(['history', '--registry', 'oci://127.0.0.1:1/p'], { cwd });
    expect(oci.code).toBe(2);
    expect(oci.stderr).toMatch(/cannot reach the OCI registry/);
    expect(isCleanError(oci.stderr)).toBe(true);
  });

  it('history text shows control characters in the message and the user escaped', () => {
    const reg = ['--registry', 'forged-reg'];
    // A newline would forge a line of the audit trail; \r and ESC[2K would hide this one.
    const user = 'mallory\n2026-01-01T00:00:00.000Z  publish  alice';
    const message = 'ok\r\u001b[2Kfine\n2026-01-01T00:00:00.000Z  rollback alice prod -> v0';
    const published = aegis(
      [
        'publish',
        'v1.tar.gz',
        ...reg,
        '--version',
        'v1',
        '--channel',
        'prod',
        '--message',
        message,
        ...pub,
      ],
      { cwd, env: { AEGIS_USER: user } },
    );
    expect(published.code, published.stderr).toBe(0);
    const text = must(['history', ...reg]);
    expect(text.split('\n')).toHaveLength(2); // one line, and the final newline
    expect(text).toMatch(
      /^\S+ {2}publish {2}mallory\\u000a2026-01-01T00:00:00\.000Z {2}publish {2}alice prod -> v1 {2}sha256:[0-9a-f]{12} {2}"ok\\u000d\\u001b\[2Kfine\\u000a2026-01-01T00:00:00\.000Z {2}rollback alice prod -> v0"\n$/,
    );
    expect(text.includes('\r') || text.includes('\u001b')).toBe(false);
    // JSON keeps them as they were (escaped the JSON way).
    const [entry] = JSON.parse(must(['history', ...reg, '--format', 'json'])) as Array<
      Record<string, unknown>
    >;
    expect(entry).toMatchObject({ user, message });
  });

  it("publish shows control characters in the bundle's revision escaped", async () => {
    // aegis compile refuses such a revision; another tool's bundle (opa build --revision) may
    // carry one, and publish prints it.
    const revision = 'r\n\u001b[2Kpublished v9 (revision ok';
    const one = await readBundle(readFileSync(join(cwd, 'v1.tar.gz')));
    if (!one.ok) throw new Error('cannot read v1.tar.gz');
    const files = [...one.files]
      .filter(([path]) => path !== '.signatures.json')
      .map(([path, content]) => ({
        path,
        content:
          path === '.manifest'
            ? JSON.stringify({ ...JSON.parse(new TextDecoder().decode(content)), revision })
            : content,
      }));
    writeFileSync(join(cwd, 'odd-rev.tar.gz'), writeBundle(files));
    must(['sign', 'odd-rev.tar.gz', '--key', 'keys/k1.key.pem']);
    const out = must([
      'publish',
      'odd-rev.tar.gz',
      '--registry',
      'odd-rev-reg',
      '--version',
      'v1',
      ...pub,
    ]);
    expect(out).toContain('(revision r\\u000a\\u001b[2Kpublished v9 (revision ok, sha256 ');
    expect(out.split('\n')).toHaveLength(2);
  });

  it('publish and rollback print their result as JSON with --format json', () => {
    const reg = ['--registry', 'file:json-reg'];
    const json = ['--format', 'json'];
    const published = JSON.parse(
      must([
        'publish',
        'v1.tar.gz',
        ...reg,
        '--version',
        'v1',
        '--channel',
        'prod',
        ...pub,
        ...json,
      ]),
    ) as Record<string, unknown>;
    expect(published).toMatchObject({ version: 'v1', revision: 'r-v1', channel: 'prod' });
    expect(published.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(published).not.toHaveProperty('previous');
    const second = JSON.parse(
      must([
        'publish',
        'v2.tar.gz',
        ...reg,
        '--version',
        'v2',
        '--channel',
        'prod',
        ...pub,
        ...json,
      ]),
    ) as Record<string, unknown>;
    expect(second).toMatchObject({
      version: 'v2',
      revision: 'r-v2',
      channel: 'prod',
      previous: 'v1',
    });
    expect(JSON.parse(must(['rollback', ...reg, '--channel', 'prod', ...pub, ...json]))).toEqual({
      channel: 'prod',
      version: 'v1',
      previous: 'v2',
    });
  });

  it("takes channels named like Object.prototype's members for what they are", () => {
    const reg = ['--registry', 'proto-reg'];
    // A first publish to the channel: nothing was there before it.
    expect(
      must(['publish', 'v1.tar.gz', ...reg, '--version', 'v1', '--channel', 'constructor', ...pub]),
    ).toMatch(/^published v1 \(revision r-v1, sha256 [0-9a-f]{64}\), constructor -> v1\n$/);
    expect(
      must(['publish', 'v2.tar.gz', ...reg, '--version', 'v2', '--channel', 'constructor', ...pub]),
    ).toMatch(/, constructor -> v2 \(was v1\)\n$/);
    // A channel that does not exist, whatever its name.
    for (const channel of ['hasOwnProperty', 'toString', 'valueOf']) {
      const refused = aegis(['rollback', ...reg, '--channel', channel, ...pub], { cwd });
      expect(refused.code, channel).toBe(2);
      expect(messageLines(refused.stderr)).toEqual([
        `aegis: the channel ${channel} does not exist`,
      ]);
    }
    expect(must(['rollback', ...reg, '--channel', 'constructor', ...pub])).toBe(
      'constructor -> v1 (was v2)\n',
    );
  });

  it('history, rollback and serve refuse a registry directory that does not exist', () => {
    for (const args of [
      ['history', '--registry', 'no-such-registry'],
      ['rollback', '--registry', 'no-such-registry', '--channel', 'prod', ...pub],
      ['serve', '--registry', 'no-such-registry', '--port', '0'],
    ]) {
      const result = aegis(args, { cwd, timeoutMs: 10_000 });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(
        `aegis: --registry no-such-registry: no registry directory at ${join(cwd, 'no-such-registry')}\n` +
          '  hint: aegis publish creates a registry with its first version\n',
      );
    }
    expect(existsSync(join(cwd, 'no-such-registry'))).toBe(false);
  });

  it('history, rollback and serve refuse a directory that is not a registry; publish starts one', () => {
    // A mistyped path that names some other directory: not an empty registry to report or serve.
    mkdirSync(join(cwd, 'not-a-registry', 'bundles'), { recursive: true });
    writeFileSync(join(cwd, 'not-a-registry', 'notes.txt'), 'x');
    mkdirSync(join(cwd, 'empty-dir'));
    for (const name of ['not-a-registry', 'empty-dir', `file:empty-dir`]) {
      const path = join(cwd, name.replace(/^file:/, ''));
      for (const args of [
        ['history', '--registry', name],
        ['history', '--registry', name, '--format', 'json'],
        ['rollback', '--registry', name, '--channel', 'prod', ...pub],
        ['serve', '--registry', name, '--port', '0'],
      ]) {
        const result = aegis(args, { cwd, timeoutMs: 10_000 });
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toBe(
          `aegis: --registry ${name}: ${path} is not a registry (it has no index.json)\n` +
            '  hint: check the path; aegis publish creates a registry with its first version\n',
        );
      }
    }
    expect(existsSync(join(cwd, 'empty-dir', 'index.json'))).toBe(false);
    // Nor does publish make a registry of it (README: only in a new or empty directory).
    const into = aegis(
      ['publish', 'v1.tar.gz', '--registry', 'not-a-registry', '--version', 'v1', ...pub],
      { cwd },
    );
    expectCleanRefusal(into);
    expect(into.stderr).toBe(
      `aegis: ${join(cwd, 'not-a-registry')} is not a registry (it has no index.json) and is not empty (it holds "notes.txt")\n` +
        '  hint: check the path: publish starts a registry only in a new or empty directory\n',
    );
    expect(readdirSync(join(cwd, 'not-a-registry'), { recursive: true }).sort()).toEqual([
      'bundles',
      'notes.txt',
    ]);
    // publish still makes a registry of an existing empty directory, which the others then read.
    must(['publish', 'v1.tar.gz', '--registry', 'empty-dir', '--version', 'v1', ...pub]);
    expect(must(['history', '--registry', 'empty-dir'])).toMatch(/publish +tester v1 /);
  });

  it('rollback refuses a version whose bundle file is not the one published', () => {
    const reg = ['--registry', 'swapped-reg'];
    must(['publish', 'v1.tar.gz', ...reg, '--version', 'v1', '--channel', 'prod', ...pub]);
    must(['publish', 'v2.tar.gz', ...reg, '--version', 'v2', '--channel', 'prod', ...pub]);
    // v2's signed bundle copied over v1's: its signature verifies, its bytes are not v1's.
    const v1File = join(cwd, 'swapped-reg', 'bundles', 'v1.tar.gz');
    const published = readFileSync(v1File);
    cpSync(join(cwd, 'v2.tar.gz'), v1File);
    const refused = aegis(['rollback', ...reg, '--channel', 'prod', ...pub], { cwd });
    expectCleanRefusal(refused);
    expect(messageLines(refused.stderr)[0]).toBe(
      `aegis: refusing to roll back prod to v1: its bundle file has sha256 ${sha256Hex(readFileSync(join(cwd, 'v2.tar.gz')))}, the registry recorded ${sha256Hex(published)} when it was published`,
    );
    expect(refused.stderr).toMatch(/hint: restore the published bundle of v1/);
    expect(JSON.parse(must(['history', ...reg, '--format', 'json']))).toHaveLength(2);
    writeFileSync(v1File, published);
    expect(must(['rollback', ...reg, '--channel', 'prod', ...pub])).toBe('prod -> v1 (was v2)\n');
  });

  it('serve answers 500 for a bundle file that is not the one published, and goes on serving', async () => {
    const reg = ['--registry', 'serve-reg'];
    must(['publish', 'v1.tar.gz', ...reg, '--version', 'v1', '--channel', 'prod', ...pub]);
    must(['publish', 'v2.tar.gz', ...reg, '--version', 'v2', '--channel', 'staging', ...pub]);
    const v1File = join(cwd, 'serve-reg', 'bundles', 'v1.tar.gz');
    const published = readFileSync(v1File);
    const swapped = readFileSync(join(cwd, 'v2.tar.gz'));
    const serve = await startServe('serve-reg');
    try {
      const good = await fetch(`${serve.url}/bundles/prod.tar.gz`);
      expect(good.status).toBe(200);
      expect(good.headers.get('etag')).toBe(`"${sha256Hex(published)}"`);
      await good.arrayBuffer();

      writeFileSync(v1File, swapped);
      for (const path of ['/bundles/prod.tar.gz', '/bundles/staging/v1.tar.gz']) {
        const bad = await fetch(`${serve.url}${path}`);
        expect(bad.status, path).toBe(500);
        expect(bad.headers.get('etag')).toBeNull();
        expect(await bad.text()).toBe('bundle does not match the registry index\n');
      }
      const other = await fetch(`${serve.url}/bundles/staging.tar.gz`);
      expect(other.status).toBe(200);
      expect(Buffer.from(await other.arrayBuffer()).equals(swapped)).toBe(true);
      const line = `aegis serve: refusing to serve v1: bundles/v1.tar.gz has sha256 ${sha256Hex(swapped)}, the registry index records ${sha256Hex(published)}\n`;
      expect(serve.stderr().split(line)).toHaveLength(3);
      expect(isCleanError(serve.stderr())).toBe(true);

      writeFileSync(v1File, published);
      expect((await fetch(`${serve.url}/bundles/prod.tar.gz`)).status).toBe(200);
    } finally {
      await serve.stop();
    }
  });

  it('refuses an index with a damaged entry: exit 2 naming index.json and the entry', () => {
    const d = 'a'.repeat(64);
    const t = '2026-01-01T00:00:00.000Z';
    const good = { version: 'v1', digest: d, time: t };
    const cases: Array<[unknown, string]> = [
      [
        { version: 1, versions: [{ version: 'v1' }], channels: { prod: 'v1' }, history: [null] },
        'versions[0].digest must be a sha256 digest (64 hex digits) (it is missing)',
      ],
      [
        { version: 1, versions: [good], channels: { prod: 'v1' }, history: [null] },
        'history[0] must be an object { time, user, action, version, digest, ... } (it is null)',
      ],
      [
        { version: 1, versions: [good], channels: { prod: 'v1' }, history: [{ time: 1 }] },
        'history[0].time must be a non-empty string (it is 1)',
      ],
      [
        { version: 1, versions: [good], channels: [], history: [] },
        'channels must be an object { channel: version } (it is [])',
      ],
    ];
    for (const [i, [index, problem]] of cases.entries()) {
      const name = `damaged-${i}`;
      mkdirSync(join(cwd, name));
      const path = join(cwd, name, 'index.json');
      writeFileSync(path, JSON.stringify(index));
      for (const args of [
        ['history', '--registry', name],
        ['history', '--registry', name, '--channel', 'prod', '--format', 'json'],
        ['rollback', '--registry', name, '--channel', 'prod', '--to', 'v1', ...pub],
        ['rollback', '--registry', name, '--channel', 'prod', ...pub],
        ['publish', 'v2.tar.gz', '--registry', name, '--version', 'v2', ...pub],
        ['serve', '--registry', name, '--port', '0'],
      ]) {
        const result = aegis(args, { cwd, timeoutMs: 10_000 });
        expectCleanRefusal(result);
        expect(messageLines(result.stderr), args.join(' ')).toEqual([
          `aegis: ${path} is not a valid registry index: ${problem}`,
        ]);
      }
      // Left as it was, for whoever repairs it.
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(index);
    }
  });

  it('refuses a registry whose index has an unknown format', () => {
    mkdirSync(join(cwd, 'future'));
    writeFileSync(join(cwd, 'future', 'index.json'), JSON.stringify({ version: 99 }));
    const result = aegis(['history', '--registry', 'future'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/index format 99/);
  });
});

/** `aegis serve --registry <registry> --port 0`, its URL once it listens, its stderr so far. */
async function startServe(
  registry: string,
): Promise<{ url: string; stderr: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--registry', registry, '--port', '0'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 10_000;
  let url: string | undefined;
  while (url === undefined && Date.now() < deadline && child.exitCode === null) {
    url = /http:\/\/127\.0\.0\.1:\d+/.exec(stderr)?.[0];
    if (url === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  if (url === undefined) {
    await stop();
    throw new Error(`aegis serve did not start: ${stderr}`);
  }
  return { url, stderr: () => stderr, stop };
}

interface Snapshot {
  versions: string[];
  channels: Record<string, string>;
  history: number;
}

/** The registry as a reader sees it; every listed bundle must be whole (digest matches). */
async function snapshot(path: string): Promise<Snapshot> {
  const registry = new FileRegistry(path);
  const index = await registry.readIndex();
  for (const entry of index.versions) {
    const got = await registry.get(entry.version);
    expect(got.ok && got.digest).toBe(entry.digest);
  }
  return {
    versions: index.versions.map((v) => v.version),
    channels: index.channels,
    history: index.history.length,
  };
}

const BEFORE: Snapshot = { versions: ['v1'], channels: { prod: 'v1' }, history: 1 };
const AFTER: Snapshot = { versions: ['v1', 'v2'], channels: { prod: 'v2' }, history: 2 };

function publishChild(
  registry: string,
  env: Record<string, string>,
  killAfterMs?: number,
): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'publish',
        'v2.tar.gz',
        '--registry',
        registry,
        '--version',
        'v2',
        '--channel',
        'prod',
        ...pub,
      ],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' },
    );
    const timer =
      killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? code);
    });
  });
}

function baseRegistry(name: string): string {
  const path = join(cwd, name);
  must([
    'publish',
    'v1.tar.gz',
    '--registry',
    path,
    '--version',
    'v1',
    '--channel',
    'prod',
    ...pub,
  ]);
  return path;
}

describe('a publish killed at any point', () => {
  const steps = [
    ['locked', BEFORE],
    ['bundle-written', BEFORE],
    ['bundle-renamed', BEFORE],
    ['index-written', BEFORE],
    ['index-renamed', AFTER],
    ['committed', AFTER],
  ] as const;

  it.each(steps)(
    'at %s leaves the registry as before or after, and usable',
    async (step, expected) => {
      const path = baseRegistry(`crash-${step}`);
      expect(await publishChild(path, { AEGIS_REGISTRY_CRASH_AT: step })).toBe('SIGKILL');
      expect(await snapshot(path)).toEqual(expected);
      // The dead publisher's lock is stale; the next publish takes it and finishes the job.
      const retry = await publishChild(path, {});
      expect(retry).toBe(expected === BEFORE ? 0 : 1);
      expect(await snapshot(path)).toEqual(AFTER);
    },
  );

  it('after random delays (30 SIGKILLs over a whole publish) leaves it as before or after', async () => {
    const trials = Array.from({ length: 30 }, (_, i) => i);
    const base = baseRegistry('random-base');
    // Kill anywhere from before node starts to after the publish finishes (three run at once,
    // each slower than this one alone).
    const timing = join(cwd, 'random-timing');
    cpSync(base, timing, { recursive: true });
    const started = Date.now();
    expect(await publishChild(timing, {})).toBe(0);
    const span = (Date.now() - started) * 2;
    const outcomes: string[] = [];
    for (let batch = 0; batch < trials.length; batch += 3) {
      await Promise.all(
        trials.slice(batch, batch + 3).map(async (i) => {
          const path = join(cwd, `random-${i}`);
          cpSync(base, path, { recursive: true });
          await publishChild(path, {}, Math.floor(Math.random() * span));
          const state = await snapshot(path);
          expect([BEFORE, AFTER]).toContainEqual(state);
          outcomes.push(state.versions.length === 2 ? 'after' : 'before');
          await publishChild(path, {});
          expect(await snapshot(path)).toEqual(AFTER);
        }),
      );
    }
    expect(outcomes).toHaveLength(30);
  }, 60_000);
});
