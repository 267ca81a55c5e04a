/**
 * The reference evaluator (src/engine/evaluate.ts) and the emitted Rego on real OPA must give
 * the same document for every hand-written case (ARCHITECTURE.md "Engines"). A failure here
 * names the case and shows both documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/engine/decision.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { OpaEngine } from '../../src/engine/opa-engine.js';
import { CASES, CASES_IR, decideCasesWithOpa } from './decision-cases.js';

let engine: OpaEngine;
let fromOpa: Decision[];

beforeAll(async () => {
  ({ decisions: fromOpa, engine } = await decideCasesWithOpa());
});

afterAll(async () => {
  await engine?.close();
});

describe('evaluate() agrees with OPA', () => {
  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const input = CASES[i]?.input;
    // JSON round trip: both engines see the input as OPA does (undefined members dropped).
    const native = JSON.parse(JSON.stringify(evaluate(CASES_IR, input)));
    expect({ evaluate: native }).toStrictEqual({ evaluate: fromOpa[i] });
  });
});
