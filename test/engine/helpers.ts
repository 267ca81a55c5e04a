/** Shared by the engine tests: IR from inline YAML, and decision inputs with defaults. */
import { parseAllDocuments } from 'yaml';
import type { PolicySetIR } from '../../src/compiler/ir.js';
import { normalize } from '../../src/compiler/normalize.js';
import type { Decision } from '../../src/engine/decision.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { AgentPolicy } from '../../src/policy/types.js';

/** Policies from YAML (several documents allowed), normalized; validate is not in the way. */
export function irOf(yaml: string): PolicySetIR {
  const docs = parseAllDocuments(yaml).map((d, i) => ({
    policy: d.toJS() as AgentPolicy,
    file: 'inline.yaml',
    line: i + 1,
  }));
  return normalize(docs);
}

type Obj = Record<string, unknown>;

/** A call by `agent` to `tool`; `extra` is merged one level deep into the input's objects. */
export function callOf(agent: string, tool: string, extra: Obj = {}): Obj {
  const base: Obj = { agent: { id: agent }, tool: { name: tool } };
  for (const [key, value] of Object.entries(extra)) {
    const prev = base[key];
    base[key] =
      typeof prev === 'object' &&
      prev !== null &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
        ? { ...prev, ...value }
        : value;
  }
  return base;
}

/** The codes of a decision, in its order. */
export function codes(d: Decision): string[] {
  return d.reasons.map((r) => r.code);
}

/** Evaluate at a fixed clock (Saturday 2026-11-21 15:04:05Z) unless the input has a time. */
export function decide(ir: PolicySetIR, input: unknown): Decision {
  return evaluate(ir, input, { now: () => new Date('2026-11-21T15:04:05Z') });
}
