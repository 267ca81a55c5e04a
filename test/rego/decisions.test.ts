/**
 * The emitted Rego, run by the real OPA, against hand-written decision documents
 * (decision-cases.ts), all in one OPA process through the opa engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitRego } from '../../src/compiler/rego/emit-rego.js';
import type { Decision } from '../../src/engine/decision.js';
import { createOpaEngine, type OpaEngine } from '../../src/engine/opa-engine.js';
import { CASES, CASES_IR } from './decision-cases.js';
import { opaPath } from './rego-helpers.js';

let engine: OpaEngine;
let decisions: Decision[];

beforeAll(async () => {
  const emitted = emitRego(CASES_IR);
  engine = await createOpaEngine({
    opaPath: await opaPath(),
    modules: emitted.modules,
    data: emitted.data,
  });
  decisions = await engine.evaluateMany(CASES.map((c) => c.input));
});

afterAll(async () => {
  await engine?.close();
});

describe('data.aegis.decision on real OPA', () => {
  it('decides every case', () => {
    expect(decisions).toHaveLength(CASES.length);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    expect(decisions[i]).toStrictEqual(CASES[i]?.expected);
  });
});
