/**
 * The emitted Rego, run by the real OPA, against hand-written decision documents
 * (decision-cases.ts), all in one OPA process through the opa engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/engine/decision.js';
import type { OpaEngine } from '../../src/engine/opa-engine.js';
import { CASES, decideCasesWithOpa } from './decision-cases.js';

let engine: OpaEngine;
let decisions: Decision[];

beforeAll(async () => {
  ({ decisions: decisions, engine } = await decideCasesWithOpa());
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
