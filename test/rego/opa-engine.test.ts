/** The opa engine: batches through one real OPA process per chunk, in order, with errors surfaced. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emitRego } from '../../src/compiler/rego/emit-rego.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { createOpaEngine } from '../../src/engine/opa-engine.js';
import { InputError } from '../../src/errors.js';
import { irFromYaml, opaPath } from './rego-helpers.js';

const ODD = irFromYaml(
  'odd.yaml',
  [
    'agent: "a\\"gent/../\\u00e9 1"',
    'tenant: "__proto__"',
    'allowed_tools:',
    '  - name: "t\\nx"',
    '    rules:',
    '      - id: deep',
    '        when: { not: { any: [ { all: [ { not: { param: "in.if", eq: 1 } } ] }, { time: { hours: "01:00-02:00" } } ] } }',
    '        effect: deny',
  ].join('\n'),
);

const call = (n: number, time = '2026-11-18T12:00:00Z') => ({
  agent: { id: 'a"gent/../é 1', tenant: '__proto__' },
  tool: { name: 't\nx' },
  params: { in: { if: n } },
  context: { time },
});

describe('createOpaEngine', () => {
  it('finds policies by odd keys and decides deep conditions as evaluate() does', async () => {
    const emitted = emitRego(ODD);
    const engine = await createOpaEngine({ opaPath: await opaPath(), ...emitted });
    try {
      const inputs = [call(1), call(2), call(1, '2026-11-18T01:30:00Z')];
      const decisions = await engine.evaluateMany(inputs);
      expect(decisions.map((d) => d.decision)).toEqual(['deny', 'allow', 'allow']);
      expect(decisions[0]?.reasons.map((r) => r.rule)).toEqual([
        '__proto__/a"gent/../é 1/t\nx/deep',
      ]);
      expect(decisions[1]?.policy).toStrictEqual({ agent: 'a"gent/../é 1', tenant: '__proto__' });
      expect(decisions).toStrictEqual(inputs.map((input) => evaluate(ODD, input)));
    } finally {
      await engine.close();
    }
  });

  it('keeps the order of the inputs across chunks', async () => {
    const emitted = emitRego(ODD);
    const inputs = [1, 2, 3, 1, 'not an input', 2, 1].map((n) =>
      typeof n === 'number' ? call(n) : n,
    );
    const chunked = await createOpaEngine({ opaPath: await opaPath(), ...emitted, chunkSize: 3 });
    const whole = await createOpaEngine({ opaPath: await opaPath(), ...emitted });
    try {
      const a = await chunked.evaluateMany(inputs);
      const b = await whole.evaluateMany(inputs);
      expect(a).toStrictEqual(b);
      expect(a.map((d) => d.decision)).toEqual([
        'deny',
        'allow',
        'allow',
        'deny',
        'deny',
        'allow',
        'deny',
      ]);
      expect(a[4]?.reasons[0]?.code).toBe('invalid_input');
      expect(await whole.evaluateMany([])).toEqual([]);
    } finally {
      await chunked.close();
      await whole.close();
    }
  });

  it('reports what OPA says about a broken module', async () => {
    const engine = await createOpaEngine({
      opaPath: await opaPath(),
      modules: [{ path: 'aegis/decision.rego', text: 'package aegis\n\ndecision := {\n' }],
      data: {},
    });
    try {
      await expect(engine.evaluateMany([{}])).rejects.toThrow(
        /opa eval failed: .*rego_parse_error/s,
      );
    } finally {
      await engine.close();
    }
  });

  it('fails loudly (exit 2, naming opa) when an input is left undecided or decided oddly', async () => {
    const document =
      '{"decision": "allow", "outcome": "allow", "allow": true, "mode": "enforce", "reasons": [], "redactions": [], "params": {}}';
    for (const [rego, message] of [
      [
        `decision := ${document} if input.ok`,
        /with no decision for input 1 \(data\.aegis\.decision undefined\)$/,
      ],
      [
        'decision := 1 if input.ok',
        /with a decision for input 0 that is not a decision document: it is not an object$/,
      ],
    ] as const) {
      const engine = await createOpaEngine({
        opaPath: await opaPath(),
        modules: [{ path: 'aegis/decision.rego', text: `package aegis\n\n${rego}\n` }],
        data: {},
      });
      try {
        const error = await engine.evaluateMany([{ ok: true }, { ok: false }]).catch((e) => e);
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).message).toMatch(message);
        expect((error as InputError).message.startsWith(await opaPath())).toBe(true);
      } finally {
        await engine.close();
      }
    }
  });

  it('refuses module paths outside the bundle and is unusable after close', async () => {
    const opa = await opaPath();
    await expect(
      createOpaEngine({ opaPath: opa, modules: [{ path: '../x.rego', text: '' }], data: {} }),
    ).rejects.toThrow(/not a relative module path/);
    const engine = await createOpaEngine({ opaPath: opa, ...emitRego(ODD) });
    await engine.close();
    await expect(engine.evaluateMany([call(1)])).rejects.toThrow(/closed/);
  });
});

it('cleans up its bundle directory', async () => {
  const engine = await createOpaEngine({ opaPath: await opaPath(), ...emitRego(ODD) });
  expect(existsSync(engine.bundleDir)).toBe(true);
  await engine.close();
  expect(existsSync(engine.bundleDir)).toBe(false);
});
