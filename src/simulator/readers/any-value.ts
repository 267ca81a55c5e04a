/**
 * OTLP/JSON `AnyValue` and `KeyValue` lists -> plain JSON data. The collector writes 64-bit
 * integers as strings (the protobuf JSON mapping) and other producers as numbers; both become
 * numbers here, exact up to 2^53 and the nearest double beyond it, which is what any JSON
 * decision input holds. `bytesValue` stays the base64 text it is written as: a decision input
 * has no bytes type.
 */
import {
  InputTooDeepError,
  isObject,
  type Json,
  type JsonObject,
  MAX_INPUT_DEPTH,
  setOwn,
} from '../../engine/json.js';

const INTEGER = /^[+-]?\d+$/;

/**
 * Throws InputTooDeepError for arrays and kvlists nested more than MAX_INPUT_DEPTH deep, which
 * no decision input may be (and which would otherwise exhaust the stack here).
 */
export function decodeAnyValue(value: unknown, depth = 0): Json {
  if (!isObject(value)) return null;
  if ('stringValue' in value)
    return typeof value.stringValue === 'string' ? value.stringValue : null;
  if ('boolValue' in value) return value.boolValue === true || value.boolValue === 'true';
  if ('intValue' in value) return decodeInt(value.intValue);
  if ('doubleValue' in value) return decodeDouble(value.doubleValue);
  if ('arrayValue' in value) {
    const values = isObject(value.arrayValue) ? value.arrayValue.values : undefined;
    if (depth >= MAX_INPUT_DEPTH) throw new InputTooDeepError();
    return Array.isArray(values) ? values.map((v) => decodeAnyValue(v, depth + 1)) : [];
  }
  if ('kvlistValue' in value) {
    const values = isObject(value.kvlistValue) ? value.kvlistValue.values : undefined;
    if (depth >= MAX_INPUT_DEPTH) throw new InputTooDeepError();
    return decodeKeyValues(values, depth + 1);
  }
  if ('bytesValue' in value) return typeof value.bytesValue === 'string' ? value.bytesValue : null;
  // An AnyValue with no field set is the empty value.
  return null;
}

/** `[{ key, value }]` -> an object; a later duplicate key wins, as in the OTel SDKs. */
export function decodeKeyValues(list: unknown, depth = 0): JsonObject {
  const out: JsonObject = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list) {
    if (isObject(entry) && typeof entry.key === 'string') {
      setOwn(out, entry.key, decodeAnyValue(entry.value, depth));
    }
  }
  return out;
}

/** Attributes straight into a map, for merging resource and span attributes. */
export function addAttributes(into: Map<string, Json>, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const entry of list) {
    if (isObject(entry) && typeof entry.key === 'string') {
      into.set(entry.key, decodeAnyValue(entry.value));
    }
  }
}

function decodeInt(raw: unknown): Json {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string' && INTEGER.test(raw)) return Number(raw);
  return null;
}

/** The protobuf JSON mapping also allows "NaN", "Infinity" and numbers as strings. */
function decodeDouble(raw: unknown): Json {
  const n =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && raw.trim() !== ''
        ? Number(raw)
        : Number.NaN;
  // JSON has no NaN or infinities; OPA would see them as null too (engine/json.ts).
  return Number.isFinite(n) ? n : null;
}
