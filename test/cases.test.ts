/**
 * The hand-written cases in fixtures/cases/<scenario>.jsonl, through all three engines.
 *
 * Each expectation was derived by reading the policy, POLICY-LANGUAGE.md and docs/semantics.md,
 * never by running aegis, so a case that fails here is a disagreement between the spec and an
 * engine (or a mistake in the case): decide which from the spec; do not copy the engine's
 * answer into the case.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/bundle/canonical-json.js';
import type { Decision } from '../src/engine/decision.js';
import { createEngine, ENGINE_NAMES, type EngineName } from '../src/engine/engines.js';
import { findOpa } from '../src/engine/opa-binary.js';
import { loadPolicySet } from '../src/engine/policy-set.js';

const root = join(import.meta.dirname, '..');
const casesDir = join(root, 'fixtures', 'cases');
const policiesDir = join(root, 'fixtures', 'policies');

interface Case {
  name: string;
  input: unknown;
  expect: {
    decision: string;
    outcome: string;
    codes: string[];
    redactions?: { path: string; by: string }[];
  };
}

function readCases(scenario: string): Case[] {
  return readFileSync(join(casesDir, `${scenario}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Case);
}

const scenarios = readdirSync(policiesDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

beforeAll(async () => {
  const opa = await findOpa({ env: process.env, cwd: root });
  if (!opa.ok) throw new Error(`the cases need real OPA: ${opa.message}; run npm run install-opa`);
});

it('every scenario has 8 to 15 cases, and every case file a scenario', () => {
  const files = readdirSync(casesDir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.replace(/\.jsonl$/, ''))
    .sort();
  expect(files).toEqual(scenarios);
  for (const scenario of scenarios) {
    const cases = readCases(scenario);
    expect(cases.length, scenario).toBeGreaterThanOrEqual(8);
    expect(cases.length, scenario).toBeLessThanOrEqual(15);
    expect(new Set(cases.map((c) => c.name)).size, `${scenario}: duplicate names`).toBe(
      cases.length,
    );
  }
});

/**
 * One policy set of the whole fixture directory, as it would be deployed: the scenarios' agents
 * are disjoint, so each case decides as it would against its own file, and one compile, one
 * `opa build -t wasm` and one `opa eval` serve every case.
 */
const all = scenarios.flatMap((scenario) => readCases(scenario).map((c) => ({ scenario, c })));
const decisions = new Map<EngineName, Decision[]>();

beforeAll(async () => {
  const loaded = await loadPolicySet([policiesDir], {
    cwd: root,
    env: process.env,
    wasm: true,
    compilerVersion: 'test',
  });
  if (!loaded.ok) throw new Error('fixtures/policies does not compile');
  await Promise.all(
    ENGINE_NAMES.map(async (name) => {
      const engine = await createEngine(name, loaded.set, { cwd: root, env: process.env });
      try {
        decisions.set(name, await engine.evaluateMany(all.map(({ c }) => c.input)));
      } finally {
        await engine.close();
      }
    }),
  );
});

describe.each(scenarios)('cases: %s', (scenario) => {
  const cases = all.flatMap(({ scenario: s, c }, i) =>
    s === scenario ? [[c.name, c, i] as const] : [],
  );

  it.each(cases)('%s', (_name, c, i) => {
    const got = ENGINE_NAMES.map((engine) => {
      const d = decisions.get(engine)?.[i];
      if (!d) throw new Error(`${engine} returned no decision for case ${i}`);
      return [engine, d] as const;
    });
    for (const [engine, d] of got) {
      const actual = {
        decision: d.decision,
        outcome: d.outcome,
        codes: d.reasons.map((r) => r.code).sort(),
        ...(c.expect.redactions ? { redactions: d.redactions } : {}),
      };
      expect(
        actual,
        `${engine} disagrees with the hand-derived expectation (spec vs engine: check POLICY-LANGUAGE.md); full decision: ${JSON.stringify(d)}`,
      ).toEqual(c.expect);
      expect(d.allow, `${engine}: allow`).toBe(d.decision === 'allow' || d.decision === 'sanitize');
      // Shadow mode and non-sanitizing outcomes pass the parameters through untouched.
      if (d.mode === 'shadow' || d.redactions.length === 0) {
        const input = c.input as { params?: unknown };
        expect(d.params, `${engine}: params`).toEqual(input.params ?? {});
      }
    }
    const texts = got.map(([engine, d]) => `${engine}: ${canonicalJson(d)}`);
    const first = canonicalJson(got[0]?.[1]);
    expect(
      got.every(([, d]) => canonicalJson(d) === first),
      `the engines disagree:\n${texts.join('\n')}`,
    ).toBe(true);
  });
});
