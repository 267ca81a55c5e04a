/**
 * The `opa` engine: decisions from a real OPA process evaluating the emitted Rego.
 *
 * How: the modules and data.json are written once to a temporary bundle directory; each
 * `evaluateMany` runs ONE `opa eval --bundle DIR --stdin-input` per chunk of inputs, with the
 * chunk as `input.batch` and a query that evaluates `data.aegis.decision with input as x` for
 * every element. One process decides thousands of inputs (no server, no port, nothing left
 * running if the caller dies); the price is one compile of the modules per chunk. Each
 * decision comes back paired with its index, so an input without a decision is an error
 * rather than a silent shift of the results (readOpaAnswer).
 *
 * Inputs without `context.time` are decided at the query's `time.now_ns()`, one instant per
 * chunk.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RegoModule } from '../compiler/rego/emit-rego.js';
import { InputError } from '../errors.js';
import type { JsonValue } from '../policy/types.js';
import type { Decision } from './decision.js';
import { decisionShapeProblem } from './decision-shape.js';
import { isObject } from './json.js';
import { INSTALL_HINT, opaFailure, runOpa } from './opa-binary.js';

export interface OpaEngineOptions {
  /** The opa binary (see findOpa in opa-binary.ts). */
  opaPath: string;
  modules: readonly RegoModule[];
  data: JsonValue;
  /** Inputs per `opa eval` process; default 5000. */
  chunkSize?: number;
}

export interface OpaEngine {
  /** The temporary bundle directory OPA reads (for debugging); removed by close(). */
  readonly bundleDir: string;
  /** One decision per input, in order. Rejects when OPA fails or leaves an input undecided. */
  evaluateMany(inputs: readonly unknown[]): Promise<Decision[]>;
  /** Removes the bundle directory. */
  close(): Promise<void>;
}

const QUERY = '[[i, d] | some i, x in input.batch; d := data.aegis.decision with input as x]';
const EVAL_TIMEOUT_MS = 300_000;

export async function createOpaEngine(options: OpaEngineOptions): Promise<OpaEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-opa-engine-'));
  try {
    for (const module of options.modules) {
      const target = join(dir, ...safeSegments(module.path));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, module.text);
    }
    await writeFile(join(dir, 'data.json'), JSON.stringify(options.data));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const chunkSize = Math.max(1, options.chunkSize ?? 5000);
  let closed = false;
  return {
    bundleDir: dir,
    async evaluateMany(inputs) {
      if (closed) throw new Error('the OPA engine is closed');
      const decisions: Decision[] = [];
      for (let start = 0; start < inputs.length; start += chunkSize) {
        const chunk = inputs.slice(start, start + chunkSize);
        decisions.push(...(await evaluateChunk(options.opaPath, dir, chunk)));
      }
      return decisions;
    },
    async close() {
      closed = true;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function evaluateChunk(
  opa: string,
  dir: string,
  inputs: readonly unknown[],
): Promise<Decision[]> {
  const args = ['eval', '--bundle', dir, '--format', 'json', '--stdin-input', QUERY];
  const result = await runOpa(opa, args, {
    limitMs: EVAL_TIMEOUT_MS,
    input: JSON.stringify({ batch: inputs }),
    maxBuffer: 1024 * 1024 * 1024,
  });
  // The opa that AEGIS_OPA, .tools/bin or PATH gave failing is a broken tool, not a bug here.
  if (result.failed) throw new InputError(`opa eval failed: ${opaFailure(result)}`, INSTALL_HINT);
  return readOpaAnswer(opa, result.stdout, inputs.length);
}

/**
 * The decisions in what `opa eval --format json` printed for QUERY over `count` inputs:
 * `{"result": [{"expressions": [{"value": [[i, decision], ...]}]}]}` with one decision per
 * input. Any other answer (not JSON, `errors`, another shape, an input left out or decided
 * twice, a decision that is not a decision document) comes from the opa that AEGIS_OPA,
 * .tools/bin or PATH named, so it is an input error naming that opa (exit 2, as a failing opa
 * is), never an internal one: the pinned OPA on aegis's own Rego answers in this shape, which
 * the conformance tests hold it to.
 */
export function readOpaAnswer(opa: string, stdout: string, count: number): Decision[] {
  const start = JSON.stringify(stdout.slice(0, 100));
  const broken = (what: string) =>
    new InputError(`${opa} answered \`opa eval --format json\` with ${what}`, INSTALL_HINT);
  let output: unknown;
  try {
    output = JSON.parse(stdout);
  } catch {
    throw new InputError(
      `${opa} did not answer \`opa eval --format json\` with JSON: ${start}`,
      INSTALL_HINT,
    );
  }
  if (isObject(output) && output.errors !== undefined) {
    throw broken(`errors: ${JSON.stringify(output.errors).slice(0, 300)}`);
  }
  const result = isObject(output) && Array.isArray(output.result) ? output.result[0] : undefined;
  const expression =
    isObject(result) && Array.isArray(result.expressions) ? result.expressions[0] : undefined;
  const pairs = isObject(expression) ? expression.value : undefined;
  if (!Array.isArray(pairs)) {
    throw broken(`no list of [input, decision] pairs in result[0].expressions[0].value: ${start}`);
  }
  const decisions: (Decision | undefined)[] = new Array(count).fill(undefined);
  for (const [n, pair] of pairs.entries()) {
    const [index, decision] = Array.isArray(pair) && pair.length === 2 ? pair : [];
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
      throw broken(
        `pair ${n} that is not [input index, decision] for ${count} inputs: ${JSON.stringify(pair).slice(0, 100)}`,
      );
    }
    if (decisions[index] !== undefined) throw broken(`two decisions for input ${index}`);
    const problem = decisionShapeProblem(decision);
    if (problem !== undefined) {
      throw broken(`a decision for input ${index} that is not a decision document: ${problem}`);
    }
    decisions[index] = decision as unknown as Decision;
  }
  const missing = decisions.indexOf(undefined);
  if (missing >= 0) {
    throw broken(`no decision for input ${missing} (data.aegis.decision undefined)`);
  }
  return decisions as Decision[];
}

/** A module path as directory segments; the emitter's paths are relative and plain already. */
function safeSegments(path: string): string[] {
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`not a relative module path: ${path}`);
  }
  return segments;
}
