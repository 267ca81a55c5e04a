/**
 * The registry lock under contention. The defect these guard against: with a stale lock in the
 * registry, publishes started together could all judge it stale, one remove it and take the
 * lock, and another remove that fresh lock and take it too; both wrote the index, one
 * publish's version, history entry and channel move were lost, and both reported success.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { FileRegistry } from '../../src/registry/file-registry.js';
import { withRegistryLock } from '../../src/registry/registry-lock.js';

const dirs: string[] = [];
function registryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const bytes = (text: string) => new TextEncoder().encode(text);

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout,
  );
}

/** A lock left by a publish killed with SIGKILL: an old-style lock file, or a lock directory. */
const stale = {
  file: (dir: string) => writeFileSync(join(dir, 'lock'), `${deadPid()}\n`),
  directory: (dir: string) => {
    mkdirSync(join(dir, 'lock'));
    writeFileSync(join(dir, 'lock', `${deadPid()}-0123456789abcdef`), '');
  },
};

/**
 * Every publish that said ok is in the index, with its history entry, and the channel's
 * history is one chain (each publish saw the one before it): nothing was overwritten.
 */
async function expectNoneLost(dir: string, published: string[]): Promise<void> {
  const registry = new FileRegistry(dir);
  expect((await registry.list()).sort()).toEqual([...published].sort());
  const history = await registry.history('prod');
  expect(history.map((e) => e.version).sort()).toEqual([...published].sort());
  history.forEach((entry, i) => {
    expect(entry.previous).toBe(i === 0 ? undefined : history[i - 1]?.version);
  });
  expect((await registry.channels()).prod).toBe(history.at(-1)?.version);
  // Released, and nothing of the lock left behind.
  expect(readdirSync(dir).filter((name) => name.includes('lock'))).toEqual([]);
}

describe.each(Object.entries(stale))('a stale lock %s', (_kind, plant) => {
  it('is taken over by exactly one of many concurrent publishes in one process', async () => {
    // On the old lock file about one round in four lost a publish: 12 rounds make a miss
    // all but certain, and the lock must never lose one.
    for (let round = 0; round < 12; round++) {
      const dir = registryDir();
      plant(dir);
      const versions = Array.from({ length: 12 }, (_, i) => `v${i}`);
      const results = await Promise.all(
        versions.map((v) => new FileRegistry(dir).put(v, bytes(v), { user: 'u', channel: 'prod' })),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      await expectNoneLost(dir, versions);
    }
  });

  it('is taken over by exactly one of many publishing processes started together', async () => {
    // On the old lock file more than half of these rounds lost a publish.
    for (let round = 0; round < 4; round++) {
      const dir = registryDir();
      plant(dir);
      const versions = Array.from({ length: 8 }, (_, i) => `v${i}`);
      const outcomes = await publishTogether(dir, versions);
      expect(outcomes).toEqual(versions.map(() => 'ok'));
      await expectNoneLost(dir, versions);
    }
  }, 60_000);
});

describe('withRegistryLock', () => {
  it('waits for a live owner, then takes the lock', async () => {
    const dir = registryDir();
    mkdirSync(join(dir, 'lock'));
    const mine = join(dir, 'lock', `${process.pid}-fedcba9876543210`);
    writeFileSync(mine, '');
    let ran = false;
    const pending = withRegistryLock(dir, async () => {
      ran = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(ran).toBe(false);
    rmSync(mine);
    await pending;
    expect(ran).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes an empty lock directory (a release or takeover killed halfway) as free', async () => {
    const dir = registryDir();
    mkdirSync(join(dir, 'lock'));
    expect(await withRegistryLock(dir, async () => readdirSync(join(dir, 'lock')))).toEqual([
      expect.stringMatching(new RegExp(`^${process.pid}-[0-9a-f]{16}$`)),
    ]);
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('gives up on a live owner after the timeout, leaving its lock alone', async () => {
    const dir = registryDir();
    writeFileSync(join(dir, 'lock'), `${process.pid}\n`);
    await expect(withRegistryLock(dir, async () => {}, 50)).rejects.toThrow(
      `the registry ${dir} is locked by another process (pid ${process.pid}, ${join(dir, 'lock')})`,
    );
    expect(readdirSync(dir)).toEqual(['lock']);
  });

  it('refuses a lock directory holding something aegis did not put there', async () => {
    const dir = registryDir();
    mkdirSync(join(dir, 'lock'));
    writeFileSync(join(dir, 'lock', 'notes.txt'), '');
    const attempt = withRegistryLock(dir, async () => {});
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(/holds "notes.txt", which aegis did not put there/);
    expect(readdirSync(dir)).toEqual(['lock']);
  });

  it('releases the lock when the work throws', async () => {
    const dir = registryDir();
    await expect(
      withRegistryLock(dir, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(readdirSync(dir)).toEqual([]);
  });
});

const BUILT = fileURLToPath(new URL('../../dist/registry/file-registry.js', import.meta.url));

/**
 * One process per version, each publishing to `dir` the moment it reads a line on stdin, so
 * that they reach the lock together (node's start-up alone spreads them over 100 ms or more).
 * They run the built library (`npm run build`), as the CLI does.
 */
async function publishTogether(dir: string, versions: string[]): Promise<string[]> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first`);
  const script = `
    const { FileRegistry } = await import(${JSON.stringify(pathToFileURL(BUILT).href)});
    const [dir, version] = process.argv.slice(1);
    process.stdin.once('data', async () => {
      const result = await new FileRegistry(dir).put(version, new TextEncoder().encode(version), {
        user: 'u',
        channel: 'prod',
      });
      process.stdout.write(result.ok ? 'ok' : result.reason);
      process.exit(0);
    });
    process.stdout.write('ready\\n');
  `;
  const children = versions.map((version) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir, version], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    // Ready once it says so, or once it has died (then `done` says why).
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    child.stdout.on('data', (s: string) => {
      stdout += s;
      if (stdout.startsWith('ready\n')) markReady();
    });
    const done = new Promise<string>((resolve) => {
      child.once('close', (code) => {
        markReady();
        resolve(code === 0 ? stdout.slice('ready\n'.length) : `exit ${code}: ${stderr}`);
      });
    });
    return { child, ready, done };
  });
  try {
    await Promise.all(children.map((c) => c.ready));
    for (const { child } of children) child.stdin.write('go\n');
    return await Promise.all(children.map((c) => c.done));
  } finally {
    for (const { child } of children) stop(child);
  }
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
