/**
 * The `wasm` engine: the bundle's policy.wasm (built by `opa build -t wasm`) run in-process
 * with @open-policy-agent/opa-wasm, as an SDK embedding the policy would run it. OPA does not
 * compile every builtin into wasm; the ones our Rego uses are supplied here with the native
 * engine's own implementations, so the three engines share one definition of each.
 *
 * Precision: opa-wasm hands builtin arguments over through JSON.parse, so an int64 of
 * nanoseconds arrives rounded to a double. The Rego only asks time.clock/time.weekday about
 * the call's instant floored to the minute (exact as a double), and results that must stay
 * exact (nanosecond timestamps) are handed back as raw JSON text.
 */
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { InputError } from '../errors.js';
import type { Decision } from './decision.js';
import { decisionShapeProblem } from './decision-shape.js';
import { asJsonData } from './json.js';
import { compileRegex, REDACTED, redactMatches } from './regex.js';
import { parseRfc3339Ns } from './rfc3339.js';
import { localTime } from './time-window.js';

export interface WasmEngine {
  evaluate(input: unknown): Decision;
  evaluateMany(inputs: readonly unknown[]): Decision[];
}

const WEEKDAY_NAMES: Record<string, string> = {
  sun: 'Sunday',
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
};

const encoder = new TextEncoder();

/** Raw JSON for opa-wasm: an ArrayBuffer is parsed by OPA itself, keeping every digit. */
function rawJson(text: string): ArrayBuffer {
  const bytes = encoder.encode(text);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** OPA's time builtins take an int64 of nanoseconds: [-2^63, 2^63). */
const INT64_MIN = -(2 ** 63);
const INT64_END = 2 ** 63;

/**
 * `[ns, tz]` or `ns` as time.clock and time.weekday take it; undefined when malformed, or when
 * `ns` is not an integer an int64 holds, where OPA's builtins fail ("timestamp too big"): the
 * minute of an instant in the first minute of the range is below it (time-window.ts
 * FIRST_READABLE_MINUTE_MS).
 */
function instantArg(arg: unknown): { ms: number; tz: string } | undefined {
  const [ns, tz] = Array.isArray(arg) ? arg : [arg, 'UTC'];
  if (typeof ns !== 'number' || typeof tz !== 'string') return undefined;
  if (!Number.isInteger(ns) || ns < INT64_MIN || ns >= INT64_END) return undefined;
  return { ms: Math.floor(ns / 1e6), tz: tz === '' ? 'UTC' : tz };
}

/**
 * A builtin that fails is undefined in OPA (non-strict mode); returning undefined makes
 * opa-wasm hand the policy no value, which the wasm treats the same way.
 */
export const HOST_BUILTINS = {
  'time.parse_rfc3339_ns': (text: unknown) => {
    const ns = typeof text === 'string' ? parseRfc3339Ns(text) : undefined;
    return ns === undefined ? undefined : rawJson(ns.toString());
  },
  'time.now_ns': () => rawJson((BigInt(Date.now()) * 1_000_000n).toString()),
  'time.clock': (arg: unknown) => {
    const at = instantArg(arg);
    const local = at && localTime(at.ms, at.tz);
    if (!at || !local) return undefined;
    const second = Math.floor((((at.ms % 60_000) + 60_000) % 60_000) / 1000);
    return [Math.floor(local.minute / 60), local.minute % 60, second];
  },
  'time.weekday': (arg: unknown) => {
    const at = instantArg(arg);
    const local = at && localTime(at.ms, at.tz);
    return local ? WEEKDAY_NAMES[local.weekday] : undefined;
  },
  'json.patch': (target: unknown, ops: unknown) => applyReplacePatch(target, ops),
  'regex.replace': (s: unknown, pattern: unknown, value: unknown) => {
    if (typeof s !== 'string' || typeof pattern !== 'string' || typeof value !== 'string')
      return undefined;
    try {
      return value === REDACTED
        ? redactMatches(pattern, s)
        : compileRegex(pattern).re2().replaceAll(s, value);
    } catch {
      return undefined;
    }
  },
} as const;

/**
 * `json.patch` as the Rego uses it: `replace` operations whose paths are arrays of keys
 * (aegis/lib/scrub.rego). Any other operation, or a path that does not exist, is an error in
 * OPA, so undefined here.
 */
function applyReplacePatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) return undefined;
  let doc = structuredClone(target);
  for (const op of ops) {
    if (!isRecord(op) || op.op !== 'replace' || !Array.isArray(op.path)) return undefined;
    const path: unknown[] = op.path;
    if (path.length === 0) {
      doc = structuredClone(op.value);
      continue;
    }
    let node: unknown = doc;
    for (const key of path.slice(0, -1)) node = child(node, key);
    const last = path[path.length - 1];
    if (
      Array.isArray(node) &&
      typeof last === 'number' &&
      Number.isInteger(last) &&
      last >= 0 &&
      last < node.length
    ) {
      node[last] = structuredClone(op.value);
    } else if (isRecord(node) && typeof last === 'string' && Object.hasOwn(node, last)) {
      node[last] = structuredClone(op.value);
    } else {
      return undefined;
    }
  }
  return doc;
}

function child(node: unknown, key: unknown): unknown {
  if (Array.isArray(node) && typeof key === 'number') return node[key];
  if (isRecord(node) && typeof key === 'string' && Object.hasOwn(node, key)) return node[key];
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The module opa-wasm takes (BufferSource | WebAssembly.Module | ...). */
type PolicyModule = Parameters<typeof loadPolicy>[0];

/** The two calls made here (the TypeScript libraries of this project declare no WebAssembly). */
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<PolicyModule>;
  Module: { exports(module: PolicyModule): { name: string }[] };
};

/** What every module `opa build -t wasm` writes exports (OPA's wasm ABI 1). */
const OPA_EXPORTS = ['opa_wasm_abi_version', 'builtins', 'opa_malloc', 'opa_json_parse'];
const REBUILD_HINT = 'compile the bundle again with `aegis compile --wasm`';

/**
 * The bundle's policy.wasm, compiled and checked to be an OPA policy module before opa-wasm
 * instantiates it: a damaged or foreign module is the bundle's fault (exit 2), not an internal
 * error, and opa-wasm would print to the console about it on the way.
 */
async function policyModule(wasm: Uint8Array): Promise<PolicyModule> {
  let module: PolicyModule;
  try {
    module = await WebAssembly.compile(wasm);
  } catch (error) {
    throw new InputError(`policy.wasm is not a WebAssembly module: ${reason(error)}`, REBUILD_HINT);
  }
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = OPA_EXPORTS.filter((name) => !exports.has(name));
  if (missing.length > 0)
    throw new InputError(
      `policy.wasm is not an OPA policy module: it does not export ${missing.join(', ')}`,
      REBUILD_HINT,
    );
  return module;
}

/** opa-wasm throws strings as well as errors. */
function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function createWasmEngine(options: {
  wasm: Uint8Array;
  data: unknown;
}): Promise<WasmEngine> {
  const module = await policyModule(options.wasm);
  let policy: Awaited<ReturnType<typeof loadPolicy>>;
  try {
    policy = await loadPolicy(module, undefined, HOST_BUILTINS);
  } catch (error) {
    throw new InputError(
      `policy.wasm does not load as an OPA policy: ${reason(error)}`,
      REBUILD_HINT,
    );
  }
  policy.setData(options.data as object);
  const evaluate = (input: unknown): Decision => {
    // As JSON data, the way OPA's decoder sees it (lone surrogates become U+FFFD, which
    // opa-wasm's parser would otherwise refuse); no JSON form at all is a malformed input.
    const results = policy.evaluate(asJsonData(input) ?? null, 'aegis/decision') as
      | { result?: Decision }[]
      | undefined;
    // A module the bundle carries is as foreign as an opa binary's answers: one that does not
    // decide, or decides in another shape, is the bundle's fault (exit 2).
    const decision: unknown = results?.[0]?.result;
    if (decision === undefined)
      throw new InputError('policy.wasm left the decision undefined', REBUILD_HINT);
    const problem = decisionShapeProblem(decision);
    if (problem !== undefined)
      throw new InputError(
        `policy.wasm decided something that is not a decision: ${problem}`,
        REBUILD_HINT,
      );
    return decision as Decision;
  };
  return { evaluate, evaluateMany: (inputs) => inputs.map(evaluate) };
}
