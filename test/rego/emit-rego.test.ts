/**
 * The emitter's output: golden files per fixture (refresh with UPDATE_GOLDEN=1 and review the
 * diff), and the real OPA's verdict on it: `opa check --strict` passes and `opa fmt` would
 * change nothing.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IR_VERSION, type PolicySetIR } from '../../src/compiler/ir.js';
import { type EmittedRego, emitRego } from '../../src/compiler/rego/emit-rego.js';
import { irFromFile, irFromYaml, opaPath, ROOT, runOpa, writeModules } from './rego-helpers.js';

const FIXTURES = join(ROOT, 'fixtures/policies');
const GOLDEN = join(ROOT, 'test/golden/rego');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

const work = mkdtempSync(join(tmpdir(), 'aegis-rego-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The files a golden directory holds for one emitted set: modules, and data.json pretty. */
function goldenFiles(emitted: EmittedRego): Map<string, string> {
  const files = new Map(emitted.modules.map((m) => [m.path, m.text]));
  files.set('data.json', `${JSON.stringify(emitted.data, null, 2)}\n`);
  return files;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) visit(path);
      else out.push(relative(dir, path).split('\\').join('/'));
    }
  };
  visit(dir);
  return out.sort();
}

describe('golden Rego per fixture', () => {
  it('has fixtures to compare', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
  });

  it.each(fixtures)('%s', (fixture) => {
    const name = basename(fixture).replace(/\.ya?ml$/, '');
    const dir = join(GOLDEN, name);
    const files = goldenFiles(emitRego(irFromFile(join(FIXTURES, fixture))));
    if (process.env.UPDATE_GOLDEN === '1') {
      rmSync(dir, { recursive: true, force: true });
      for (const [path, text] of files) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    }
    expect(
      listFiles(dir),
      `files under test/golden/rego/${name} (UPDATE_GOLDEN=1 refreshes)`,
    ).toEqual([...files.keys()].sort());
    for (const [path, text] of files) {
      expect(text, `test/golden/rego/${name}/${path}`).toBe(readFileSync(join(dir, path), 'utf8'));
    }
  });
});

/** Policy sets beyond the fixtures that stretch the emitter: odd names, deep conditions, no policies. */
const EXTRA: Record<string, () => PolicySetIR> = {
  cases: () => irFromFile(join(ROOT, 'test/rego/policies/cases.yaml')),
  empty: () => ({ ...irFromYaml('empty.yaml', 'agent: a\nallowed_tools: []\n'), policies: [] }),
  'odd names and deep conditions': () =>
    irFromYaml(
      'odd.yaml',
      [
        'agent: "a\\"gent/../\\u00e9 1"',
        'tenant: "__proto__"',
        'allowed_tools:',
        '  - name: "t\\nx"',
        '    rules:',
        '      - when: { not: { any: [ { all: [ { not: { param: "in.if", eq: 1 } } ] }, { time: { hours: "01:00-02:00" } } ] } }',
        '        effect: deny',
        '    sanitize:',
        '      detectors: [ssn, email, credit_card, phone, dob, iban, ipv4, aws_access_key]',
        '      patterns: [ { name: "x`y", regex: "`[0-9]+`" } ]',
      ].join('\n'),
    ),
};

describe('opa check --strict and opa fmt accept the emitted modules', () => {
  const sets: [string, () => PolicySetIR][] = [
    ...fixtures.map((f): [string, () => PolicySetIR] => [f, () => irFromFile(join(FIXTURES, f))]),
    ...Object.entries(EXTRA),
  ];

  it.each(sets)('%s', async (name, ir) => {
    const opa = await opaPath();
    const dir = join(work, name.replace(/[^a-z0-9]+/gi, '-'));
    writeModules(dir, emitRego(ir()));
    runOpa(opa, ['check', '--strict', '--bundle', dir]);
    expect(runOpa(opa, ['fmt', '--list', '--fail', join(dir, 'aegis')]).trim()).toBe('');
  });
});

describe('emitRego', () => {
  it('is deterministic and leaves the IR as it was', () => {
    const ir = irFromFile(join(FIXTURES, fixtures[0] ?? 'fintech.yaml'));
    const before = JSON.stringify(ir);
    expect(emitRego(ir)).toStrictEqual(emitRego(ir));
    expect(JSON.stringify(ir)).toBe(before);
  });

  it('rejects an IR of another version', () => {
    const ir = { ...EXTRA.empty?.(), version: IR_VERSION + 1 } as unknown as PolicySetIR;
    expect(() => emitRego(ir)).toThrow(/IR version/);
  });

  it('puts each policy at its lookup key, a tenant named __proto__ included', () => {
    const odd = EXTRA['odd names and deep conditions']?.();
    if (!odd) throw new Error('missing set');
    const data = emitRego(odd).data as {
      aegis: { policies: { tenants: Record<string, Record<string, unknown>> } };
    };
    const tenants = data.aegis.policies.tenants;
    expect(Object.keys(tenants)).toEqual(['__proto__']);
    const agents = Object.getOwnPropertyDescriptor(tenants, '__proto__')?.value as Record<
      string,
      unknown
    >;
    expect(Object.keys(agents)).toEqual(['a"gent/../é 1']);
  });

  it('writes the conditions levels and scrub steps the policy set needs', () => {
    const odd = EXTRA['odd names and deep conditions']?.();
    if (!odd) throw new Error('missing set');
    const modules = new Map(emitRego(odd).modules.map((m) => [m.path, m.text]));
    // not(any(all(not(param)), time)): height 4.
    expect(modules.get('aegis/conditions.rego')).toContain('held := holds_4');
    expect(modules.get('aegis/conditions.rego')).not.toContain('holds_5');
    // 8 detectors and 1 pattern.
    expect(modules.get('aegis/lib/scrub.rego')).toContain('s9 := scrub_step(s8, matchers, 8)');
    expect(modules.get('aegis/lib/scrub.rego')).not.toContain('s10');
  });
});
