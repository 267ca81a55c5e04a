import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRegistry, type TestRegistry } from '../registry/oci-test-registry.js';
import { aegis, isCleanError, tempDir, writeSignedBundles } from './run-cli.js';

let dir: { path: string; remove: () => void };
let cwd: string;
let oci: TestRegistry;
let reg: string[];

const V1 = 'version: 1\nagent: bot\nallowed_tools:\n  - name: search\n';
const V2 = `${V1}    rules:\n      - id: no-search\n        when: { param: q, eq: x }\n        effect: deny\n`;

function must(args: string[]): string {
  const result = aegis(args, { cwd, env: { AEGIS_USER: 'tester' } });
  if (result.code !== 0) throw new Error(`aegis ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  oci = await startTestRegistry();
  reg = ['--registry', `oci://127.0.0.1:${oci.port}/aegis/policies`];
  dir = tempDir('registry-oci');
  cwd = dir.path;
  writeSignedBundles(cwd, { v1: V1, v2: V2 }, must);
}, 60_000);

afterAll(async () => {
  await oci?.stop();
  dir?.remove();
});

describe('aegis publish / rollback / history on oci://', () => {
  it('publishes, keeps versions immutable, rolls back, and records the history', () => {
    const pub = ['--pub', 'keys/k1.pub.pem'];
    must(['publish', 'v1.tar.gz', ...reg, '--version', 'v1', '--channel', 'prod', ...pub]);
    must(['publish', 'v2.tar.gz', ...reg, '--version', 'v2', '--channel', 'prod', ...pub]);

    const again = aegis(['publish', 'v2.tar.gz', ...reg, '--version', 'v1', ...pub], { cwd });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists/);
    expect(isCleanError(again.stderr)).toBe(true);

    must(['rollback', ...reg, '--channel', 'prod', '--message', 'v2 broke checkout', ...pub]);
    const history = JSON.parse(
      must(['history', ...reg, '--channel', 'prod', '--format', 'json']),
    ) as {
      action: string;
      version: string;
      message?: string;
    }[];
    expect(history.map((e) => [e.action, e.version])).toEqual([
      ['publish', 'v1'],
      ['publish', 'v2'],
      ['rollback', 'v1'],
    ]);
    const typo = aegis(['history', ...reg, '--channel', 'prdo'], { cwd });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('aegis: the channel prdo does not exist\n  hint: channels: prod\n');
    expect(history.at(-1)?.message).toBe('v2 broke checkout');

    // A mistyped channel is not a new one: only publish makes channels.
    const rollbackTypo = aegis(['rollback', ...reg, '--channel', 'prdo', '--to', 'v1', ...pub], {
      cwd,
    });
    expect(rollbackTypo.code).toBe(2);
    expect(rollbackTypo.stderr).toBe(
      'aegis: the channel prdo does not exist\n  hint: channels: prod\n',
    );
    expect(JSON.parse(must(['history', ...reg, '--format', 'json']))).toHaveLength(3);

    const missing = aegis(['rollback', ...reg, '--channel', 'prod', '--to', 'v9', ...pub], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/v1/);
  }, 60_000);

  it('serve refuses an OCI registry with a hint', () => {
    const served = aegis(['serve', ...reg], { cwd });
    expect(served.code).toBe(2);
    expect(served.stderr).toMatch(/type: oci/);
    expect(isCleanError(served.stderr)).toBe(true);
  });
});
