/**
 * The proof that aegis decides as OPA does: for each reference scenario, thousands of inputs
 * generated at the policy's edges go to all three engines, the native evaluator, a real OPA
 * process running the compiled bundle's Rego, and the bundle's policy.wasm under opa-wasm, and
 * every decision document must be identical once serialized with sorted keys.
 * Real OPA is required: a missing binary fails the suite with how to install it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canonicalJson } from '../../src/bundle/canonical-json.js';
import { compile } from '../../src/compiler/compile.js';
import { type Decision, REASON_CODES } from '../../src/engine/decision.js';
import { createEngine, ENGINE_NAMES, type Engine } from '../../src/engine/engines.js';
import { findOpa } from '../../src/engine/opa-binary.js';
import type { PolicySet } from '../../src/engine/policy-set.js';
import { generateInputs } from './generate.js';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'fixtures', 'policies');
const INPUTS_PER_SCENARIO = Number(process.env.AEGIS_CONFORMANCE_INPUTS ?? 10_000);
// Another seed generates other inputs: AEGIS_CONFORMANCE_SEED=N (with many inputs) for a longer
// search than CI's. Unset or 0: the seeds CI runs.
const SEED = Number(process.env.AEGIS_CONFORMANCE_SEED ?? 0);
const scenarios = readdirSync(fixtures)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

beforeAll(async () => {
  const opa = await findOpa({ env: process.env, cwd: root });
  if (!opa.ok)
    throw new Error(
      `conformance needs real OPA: ${opa.message} (${opa.hint}); run npm run install-opa`,
    );
});

/** Where the engines disagree, the input and every engine's answer: what a person needs to fix it. */
function disagreements(inputs: readonly unknown[], answers: Record<string, Decision[]>): string[] {
  const out: string[] = [];
  inputs.forEach((input, i) => {
    const texts = Object.entries(answers).map(
      ([engine, ds]) => [engine, canonicalJson(ds[i])] as const,
    );
    const first = texts[0]?.[1];
    if (texts.some(([, t]) => t !== first)) {
      out.push(
        [`input #${i}: ${JSON.stringify(input)}`, ...texts.map(([e, t]) => `  ${e}: ${t}`)].join(
          '\n',
        ),
      );
    }
  });
  return out;
}

/** Every outcome, decision and reason code any scenario's generated inputs reached. */
const reached = new Set<string>();

describe.each(scenarios)('conformance: %s', (scenario) => {
  let set: PolicySet;
  const engines: Engine[] = [];

  beforeAll(async () => {
    const compiled = await compile([join(fixtures, scenario)], {
      cwd: root,
      compilerVersion: 'test',
      wasm: true,
    });
    if (!compiled.ok)
      throw new Error(
        `${scenario} does not compile: ${JSON.stringify(compiled.validation.diagnostics)}`,
      );
    set = {
      origin: 'sources',
      revision: compiled.revision,
      ir: compiled.ir,
      modules: compiled.modules,
      data: compiled.data,
      ...(compiled.wasm ? { wasm: compiled.wasm } : {}),
    };
    for (const name of ENGINE_NAMES)
      engines.push(await createEngine(name, set, { cwd: root, env: process.env }));
  });

  afterAll(async () => {
    for (const engine of engines) await engine.close();
  });

  test(`${INPUTS_PER_SCENARIO.toLocaleString('en-US')} generated inputs decide identically in native, opa and wasm`, async () => {
    const seed = [...scenario].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7 + SEED);
    const inputs = generateInputs(set.ir, INPUTS_PER_SCENARIO, seed);
    const answers: Record<string, Decision[]> = {};
    for (const engine of engines) answers[engine.name] = await engine.evaluateMany(inputs);
    const diffs = disagreements(inputs, answers);
    expect(
      diffs.slice(0, 5).join('\n\n'),
      `${diffs.length} of ${inputs.length} inputs disagree`,
    ).toBe('');

    // The generator must actually reach every outcome and most reason codes, or the
    // agreement above proves little.
    const native = answers.native ?? [];
    const outcomes = new Set(native.map((d) => d.outcome));
    expect([...outcomes].sort()).toEqual(expect.arrayContaining(['allow', 'deny']));
    const codes = new Set(native.flatMap((d) => d.reasons.map((r) => r.code)));
    expect(codes.size).toBeGreaterThanOrEqual(6);
    for (const d of native) {
      reached.add(`outcome:${d.outcome}`);
      reached.add(`decision:${d.decision}`);
      for (const r of d.reasons) reached.add(`code:${r.code}`);
    }
  }, 600_000);
});

describe('conformance coverage', () => {
  test('the generated inputs reach every outcome and every reason code across the scenarios', () => {
    const wanted = [
      ...['allow', 'sanitize', 'approval_needed', 'deny'].map((o) => `outcome:${o}`),
      ...REASON_CODES.map((c) => `code:${c}`),
    ];
    expect(wanted.filter((w) => !reached.has(w))).toEqual([]);
  });
});
