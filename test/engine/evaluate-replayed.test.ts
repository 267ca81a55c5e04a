/**
 * The replay's entry point must decide exactly as `evaluate` does on the input the replay used
 * to build for every event ({...input, context: {...context, time?, usage}}): generated inputs at
 * the fixture policies' edges, and policies whose `field` conditions read the overlaid
 * `context.usage` and `context.time`, with and without the ids and the time handed in.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/bundle/canonical-json.js';
import type { PolicySetIR } from '../../src/compiler/ir.js';
import type { CallIds, ReplayContext } from '../../src/engine/decision-input.js';
import { evaluate, evaluateReplayed } from '../../src/engine/evaluate.js';
import { isJsonData, isObject, type JsonObject } from '../../src/engine/json.js';
import { loadPolicySet } from '../../src/engine/policy-set.js';
import { instantMs, parseRfc3339 } from '../../src/engine/rfc3339.js';
import { generateInput, Random } from '../conformance/generate.js';
import { irOf } from './helpers.js';

const root = join(import.meta.dirname, '..', '..');
const FILL = '2026-11-21T15:04:05.5Z';

/** The input the replay used to copy for every event. */
function copied(input: JsonObject, overlay: ReplayContext): unknown {
  const context = input.context;
  if (context !== undefined && !isObject(context)) return input;
  const next: JsonObject = { ...(context ?? {}) };
  if (!Object.hasOwn(next, 'time')) next.time = overlay.time;
  next.usage = {
    tool_rps: overlay.toolRps,
    agent_rps: overlay.agentRps,
    tool_spend_today_usd: overlay.toolSpend,
    agent_spend_today_usd: overlay.agentSpend,
  };
  return { ...input, context: next };
}

/** The ids the replay's call table hands in, when it can (strings, or absent). */
function idsOf(input: JsonObject): CallIds | undefined {
  const { agent, tool } = input;
  if (!isObject(agent) || !isObject(tool)) return undefined;
  const { id, tenant } = agent;
  const { name, action } = tool;
  if (typeof id !== 'string' || typeof name !== 'string') return undefined;
  if (!Object.hasOwn(agent, 'id') || !Object.hasOwn(tool, 'name')) return undefined;
  if (tenant !== undefined && typeof tenant !== 'string') return undefined;
  if (action !== undefined && typeof action !== 'string') return undefined;
  return {
    agent: id,
    tool: name,
    ...(tenant !== undefined ? { tenant } : {}),
    ...(action !== undefined ? { action } : {}),
  };
}

function check(ir: PolicySetIR, inputs: readonly unknown[], seed: number): number {
  const r = new Random(seed);
  let compared = 0;
  for (const input of inputs) {
    if (!isObject(input) || !isJsonData(input)) continue;
    const time = isObject(input.context) ? input.context.time : undefined;
    const parsed = typeof time === 'string' ? parseRfc3339(time) : undefined;
    const ids = r.chance(0.5) ? idsOf(input) : undefined;
    const overlay: ReplayContext = {
      toolRps: r.pick([0, 1, 3, 50]),
      agentRps: r.pick([0, 2, 100]),
      toolSpend: r.pick([0, 0.1, 99.99, 1e6]),
      agentSpend: r.pick([0, 0.3, 5000]),
      time: FILL,
      // Handed in only as the replay does: the parse of the input's own time.
      timeMs: parsed && r.chance(0.5) ? instantMs(parsed) : undefined,
      ids,
    };
    const want = canonicalJson(evaluate(ir, copied(input, overlay)));
    expect(canonicalJson(evaluateReplayed(ir, input, overlay)), JSON.stringify(input)).toBe(want);
    compared++;
  }
  return compared;
}

describe('evaluateReplayed', () => {
  let fixtures: PolicySetIR;
  beforeAll(async () => {
    const loaded = await loadPolicySet([join(root, 'fixtures', 'policies')], {
      cwd: root,
      compilerVersion: 'test',
    });
    if (!loaded.ok) throw new Error('fixtures/policies do not compile');
    fixtures = loaded.set.ir;
  });

  it('decides as evaluate on the copied input, on generated inputs', () => {
    const r = new Random(4242);
    const inputs = Array.from({ length: 3000 }, () => generateInput(r, fixtures));
    expect(check(fixtures, inputs, 7)).toBeGreaterThan(2500);
  });

  it('shows field conditions the overlaid usage and time, and the rest of the input as it is', () => {
    const ir = irOf(`
agent: a
allowed_tools:
  - name: t
    rules:
      - id: busy
        when: { field: context.usage.tool_rps, gt: 2 }
        effect: approval_needed
      - id: costly
        when: { field: context.usage.agent_spend_today_usd, gte: 5000 }
        effect: deny
      - id: filled
        when: { field: context.time, eq: "${FILL}" }
        effect: sanitize
      - id: ctx
        when: { field: context, type: object }
        effect: approval_needed
      - id: team
        when: { not: { field: agent.claims.team, eq: payments } }
        effect: approval_needed
      - id: late
        when: { time: { hours: "15:00-16:00" } }
        effect: deny
`);
    const inputs = [
      { agent: { id: 'a' }, tool: { name: 't' } },
      { agent: { id: 'a', claims: { team: 'payments' } }, tool: { name: 't' }, context: {} },
      { agent: { id: 'a' }, tool: { name: 't' }, context: { time: '2026-11-21T09:00:00Z' } },
      { agent: { id: 'a' }, tool: { name: 't' }, context: { time: 'bad' } },
      { agent: { id: 'a' }, tool: { name: 't' }, context: { time: 5 } },
      { agent: { id: 'a' }, tool: { name: 't' }, context: 'x' },
      { agent: { id: 'a' }, tool: { name: 't' }, context: { usage: { tool_rps: 'many' } } },
      { agent: { id: 'a', tenant: 7 }, tool: { name: 't' } },
      { agent: { id: 'a' }, tool: { name: 't', action: 'x' }, context: { cost_usd: 'x' } },
    ];
    const repeated = Array.from({ length: 40 }, (_, i) => inputs[i % inputs.length]);
    expect(check(ir, repeated, 11)).toBe(repeated.length);
  });
});
