/**
 * The three ways to run one semantics (ARCHITECTURE.md "Engines"), behind one interface so
 * that eval, test, simulate and the conformance suite can take `--engine` without caring.
 */
import { InputError } from '../errors.js';
import type { Decision } from './decision.js';
import { evaluate } from './evaluate.js';
import type { PolicySet } from './policy-set.js';

export const ENGINE_NAMES = ['native', 'opa', 'wasm'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface Engine {
  name: EngineName;
  evaluateMany(inputs: readonly unknown[]): Promise<Decision[]>;
  close(): Promise<void>;
}

export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

export async function createEngine(
  name: EngineName,
  set: PolicySet,
  context: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<Engine> {
  switch (name) {
    case 'native':
      return {
        name,
        evaluateMany: async (inputs) => inputs.map((input) => evaluate(set.ir, input)),
        close: async () => {},
      };
    case 'opa': {
      // Loaded on demand, as is wasm's below: execa and opa-wasm cost a native run (simulate,
      // eval) a good part of its start-up.
      const { findOpa } = await import('./opa-binary.js');
      const { createOpaEngine } = await import('./opa-engine.js');
      const opa = await findOpa({ env: context.env, cwd: context.cwd });
      if (!opa.ok) throw new InputError(`--engine opa needs opa: ${opa.message}`, opa.hint);
      const engine = await createOpaEngine({
        opaPath: opa.path,
        modules: set.modules,
        data: set.data,
      });
      return {
        name,
        evaluateMany: (inputs) => engine.evaluateMany(inputs),
        close: () => engine.close(),
      };
    }
    case 'wasm': {
      if (!set.wasm) {
        throw new InputError(
          '--engine wasm needs policy.wasm',
          'compile with `aegis compile --wasm`',
        );
      }
      const { createWasmEngine } = await import('./wasm-engine.js');
      const engine = await createWasmEngine({ wasm: set.wasm, data: set.data });
      return {
        name,
        evaluateMany: async (inputs) => engine.evaluateMany(inputs),
        close: async () => {},
      };
    }
  }
}
