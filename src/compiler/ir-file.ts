/**
 * The IR travels inside every bundle as `/aegis/ir.json`, so that the native and wasm engines
 * evaluate a bundle without its sources. OPA loads only Rego, data files, the manifest and
 * wasm modules from a bundle and ignores this file. Read back with a version check (STYLE.md 3).
 */
import { IR_VERSION, type PolicySetIR } from './ir.js';

export const IR_FILE = 'aegis/ir.json';

export function serializeIr(ir: PolicySetIR): string {
  // normalize() builds every object with its keys in a fixed order, so plain JSON.stringify is
  // already deterministic (and several times faster than canonical JSON on large sets).
  return JSON.stringify(ir);
}

export type IrReadResult = { ok: true; ir: PolicySetIR } | { ok: false; message: string };

export function parseIr(bytes: Uint8Array | string): IrReadResult {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch (error) {
    return { ok: false, message: `${IR_FILE} is not JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || !('version' in value)) {
    return { ok: false, message: `${IR_FILE} has no format version` };
  }
  if (value.version !== IR_VERSION) {
    return {
      ok: false,
      message: `${IR_FILE} has format version ${String(value.version)}; this aegis reads version ${IR_VERSION} (recompile the bundle)`,
    };
  }
  if (!('policies' in value) || !Array.isArray(value.policies)) {
    return { ok: false, message: `${IR_FILE} has no policies list` };
  }
  return { ok: true, ir: value as PolicySetIR };
}
