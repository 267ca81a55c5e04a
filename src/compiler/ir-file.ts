/**
 * `/aegis/ir.json`: how bundles compiled by earlier aegis versions carried the IR beside
 * data.json (OPA ignores the file). Bundles now carry the policies once, in data.json, and the
 * IR is read back from there (rego/ir-from-policy-data.ts); this reads the older ones, with a
 * version check (STYLE.md 3), and serializes the IR for tools that still want it as a file.
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
