/**
 * The fixture corpus. `fixtures/invalid/*` files say what they must produce in their own
 * comments (`# expect: <code> <line>:<column>`, one line per diagnostic; a file that cannot hold
 * comments, such as JSON, puts them in `<file>.expect` beside it). `fixtures/policies` holds the
 * five reference scenarios, which must validate clean.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { DIAGNOSTIC_CODES } from '../src/diagnostics.js';
import { policySchema } from '../src/policy/schema/policy-schema.js';
import { type AgentPolicy, DETECTOR_NAMES } from '../src/policy/types.js';
import { validate } from '../src/policy/validate.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const INVALID = 'fixtures/invalid';
const POLICIES = 'fixtures/policies';
const EXPECT_LINE = /^# expect: (\S+) (\d+):(\d+)\s*$/gm;
const MODELINE = '# yaml-language-server: $schema=../../schemas/aegis-policy.v1.schema.json';

function expectations(file: string): string[] {
  const sidecar = join(root, `${file}.expect`);
  // latin1 reads any bytes, so fixtures that are deliberately not UTF-8 can still carry lines.
  const text = readFileSync(existsSync(sidecar) ? sidecar : join(root, file), 'latin1');
  return [...text.matchAll(EXPECT_LINE)].map((m) => `${m[1]} ${m[2]}:${m[3]}`);
}

describe(INVALID, () => {
  const files = readdirSync(join(root, INVALID))
    .filter((name) => !name.endsWith('.expect'))
    .sort();

  test('holds a fixture for every schema code', () => {
    for (const code of [
      'unknown-key',
      'missing-key',
      'invalid-type',
      'invalid-value',
      'unsupported-version',
    ]) {
      expect(files).toContain(`schema-${code}.yaml`);
    }
  });

  test.each(files)('%s yields exactly its expected diagnostics', async (name) => {
    const file = `${INVALID}/${name}`;
    const expected = expectations(file);
    // A fixture without expectations would pass whatever happens.
    expect(expected.length, `${file} has no "# expect:" lines`).toBeGreaterThan(0);
    for (const line of expected) {
      expect(Object.keys(DIAGNOSTIC_CODES), `${file}: ${line}`).toContain(line.split(' ')[0]);
    }
    const result = await validate([file], { cwd: root });
    const actual = result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`);
    expect(actual.sort()).toEqual([...expected].sort());
  });
});

describe(POLICIES, () => {
  const files = readdirSync(join(root, POLICIES)).sort();

  test('holds the five reference scenarios', () => {
    expect(files).toEqual([
      'devops.yaml',
      'fintech.yaml',
      'healthcare.yaml',
      'mssp.yaml',
      'saas.yaml',
    ]);
  });

  test.each(files)('%s points editors at the schema', (name) => {
    const text = readFileSync(join(root, POLICIES, name), 'utf8');
    expect(text.split('\n')[0]).toBe(MODELINE);
    expect(existsSync(join(root, POLICIES, '../../schemas/aegis-policy.v1.schema.json'))).toBe(
      true,
    );
  });

  test('validate with no errors and no warnings', async () => {
    const result = await validate([POLICIES], { cwd: root });
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.files).toBe(5);
    expect(result.policies).toBe(7);
  });

  // The checks below hold whether or not the semantic rules that also enforce them are present.
  test('no two policies share (tenant, agent), and the MSSP agent is in two tenants', async () => {
    const { loaded } = await validate([POLICIES], { cwd: root });
    const identities = loaded.map(({ policy }) => `${policy.tenant ?? '(global)'}/${policy.agent}`);
    expect(new Set(identities).size).toBe(identities.length);
    const soc = loaded.filter(({ policy }) => policy.agent === 'soc-agent');
    expect(soc.map(({ policy }) => policy.tenant).sort()).toEqual(['acme', 'globex']);
    expect(soc.every(({ policy }) => (policy.regions ?? []).length > 0)).toBe(true);
    expect(JSON.stringify(soc[0]?.policy.allowed_tools)).not.toBe(
      JSON.stringify(soc[1]?.policy.allowed_tools),
    );
  });

  test('no two entries of one tool overlap actions', async () => {
    const { loaded } = await validate([POLICIES], { cwd: root });
    for (const { policy } of loaded) {
      const seen = new Map<string, Set<string>>();
      for (const entry of policy.allowed_tools) {
        const actions = entry.actions ?? ['*'];
        const taken = seen.get(entry.name) ?? new Set<string>();
        const clash =
          taken.has('*') ||
          (taken.size > 0 && actions.includes('*')) ||
          actions.some((a) => taken.has(a));
        expect(clash, `${policy.agent}: ${entry.name} ${actions.join(',')}`).toBe(false);
        for (const action of actions) taken.add(action);
        seen.set(entry.name, taken);
      }
    }
  });

  test('together they use every key the schema defines, and every detector', async () => {
    const { loaded } = await validate([POLICIES], { cwd: root });
    const used = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === 'object' && value !== null) {
        for (const [key, child] of Object.entries(value)) {
          used.add(key);
          walk(child);
        }
      }
    };
    for (const { policy } of loaded) walk(policy);
    const defined = new Set<string>();
    const collect = (schema: unknown): void => {
      if (typeof schema !== 'object' || schema === null) return;
      const properties = (schema as { properties?: object }).properties;
      for (const key of Object.keys(properties ?? {})) defined.add(key);
      Object.values(schema).forEach(collect);
    };
    collect(policySchema());
    // `$schema` is for JSON files, which the YAML scenarios are not.
    defined.delete('$schema');
    expect([...defined].filter((key) => !used.has(key))).toEqual([]);

    const detectors = loaded.flatMap(({ policy }: { policy: AgentPolicy }) =>
      policy.allowed_tools.flatMap((t) => t.sanitize?.detectors ?? []),
    );
    expect(new Set(detectors)).toEqual(new Set(DETECTOR_NAMES));
    expect(loaded.some(({ policy }) => policy.mode === 'shadow')).toBe(true);
    expect(loaded.some(({ policy }) => policy.egress?.allow.some((h) => h.startsWith('*.')))).toBe(
      true,
    );
  });
});
