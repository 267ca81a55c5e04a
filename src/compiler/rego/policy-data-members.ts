/**
 * The members of data.json read as policy-data.ts writes them, for irFromPolicyData: each
 * reader returns a member of the type aegis writes there, or throws NotPolicyData naming the
 * member's holder and key and what aegis writes. Only then is the member's place in data.json
 * looked for (pointerTo), so that reading a large bundle builds no paths.
 */
import { printable } from '../../render/printable.js';

/** An object of data.json. */
export type Doc = { readonly [key: string]: unknown };
type Holder = Doc | readonly unknown[];
type Key = string | number;

/** A member that is not what policy-data.ts writes: `holder[key]`, where aegis writes `expected`. */
export class NotPolicyData extends Error {
  constructor(
    readonly holder: Holder,
    readonly key: Key,
    readonly expected: string,
  ) {
    super(`${String(key)}: not ${expected}`);
  }
}

export function refuse(holder: Holder, key: Key, expected: string): never {
  throw new NotPolicyData(holder, key, expected);
}

/** `holder[key]` when it is the holder's own; undefined otherwise. */
export function own(holder: Holder, key: Key): unknown {
  return Object.hasOwn(holder, key) ? (holder as Record<Key, unknown>)[key] : undefined;
}

export function has(holder: Doc, key: string): boolean {
  return Object.hasOwn(holder, key);
}

function isDoc(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function object(holder: Holder, key: Key): Doc {
  const value = own(holder, key);
  return isDoc(value) ? value : refuse(holder, key, 'an object');
}

export function list(holder: Holder, key: Key): readonly unknown[] {
  const value = own(holder, key);
  return Array.isArray(value) ? value : refuse(holder, key, 'a list');
}

/**
 * A list written as an object keyed by the positions, "0" to "n-1" (policy-data.ts
 * byPosition): the object, and its keys in order.
 */
export function positionKeyed(holder: Holder, key: Key): { doc: Holder; keys: Key[] } {
  const doc = object(holder, key);
  // Object.keys gives keys such as "0" and "12" in ascending numeric order, whatever the text's.
  const keys = Object.keys(doc);
  if (!keys.every((k, i) => k === String(i))) {
    refuse(holder, key, 'an object keyed by the positions "0", "1", ...');
  }
  return { doc, keys };
}

/** A list, as positionKeyed gives one (format 2 wrote the tools as a list). */
export function positionListed(holder: Holder, key: Key): { doc: Holder; keys: Key[] } {
  const doc = list(holder, key);
  return { doc, keys: doc.map((_, i) => i) };
}

export function string(holder: Holder, key: Key): string {
  const value = own(holder, key);
  return typeof value === 'string' ? value : refuse(holder, key, 'a string');
}

export function number(holder: Holder, key: Key): number {
  const value = own(holder, key);
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : refuse(holder, key, 'a number');
}

/** A position, id or count: an integer from 0. */
export function index(holder: Holder, key: Key): number {
  const value = own(holder, key);
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    ? value
    : refuse(holder, key, 'an integer from 0');
}

export function boolean(holder: Holder, key: Key): boolean {
  const value = own(holder, key);
  return typeof value === 'boolean' ? value : refuse(holder, key, 'true or false');
}

/** A mark policy-data.ts writes only as `true`: absent is false. */
export function mark(holder: Doc, key: string): boolean {
  if (!has(holder, key)) return false;
  return holder[key] === true || refuse(holder, key, 'true or absent');
}

/** A list of strings, copied (the IR shares no arrays with the data). */
export function strings(holder: Holder, key: Key): string[] {
  const items = list(holder, key);
  const copy: string[] = [];
  for (let i = 0; i < items.length; i++) copy.push(string(items, i));
  return copy;
}

/** A list of paths, each a list of strings, copied. */
export function paths(holder: Holder, key: Key): string[][] {
  const items = list(holder, key);
  return items.map((_, i) => strings(items, i));
}

/** One of the keys of `allowed` (a table typed by the union it covers); `wanted` names them. */
export function oneOf<T extends string>(
  holder: Holder,
  key: Key,
  allowed: Readonly<Record<T, unknown>>,
  wanted?: string,
): T {
  const value = own(holder, key);
  if (typeof value === 'string' && Object.hasOwn(allowed, value)) return value as T;
  return refuse(holder, key, wanted ?? `one of ${Object.keys(allowed).join(', ')}`);
}

/** `holder[key]` is exactly the JSON `expected` (a lookup the data derives from other members). */
export function derived(holder: Doc, key: string, expected: unknown, what: string): void {
  if (JSON.stringify(own(holder, key)) !== JSON.stringify(expected)) refuse(holder, key, what);
}

/**
 * The refusal as one line: the member's JSON pointer in data.json (its first place there:
 * data made in memory may share an array between members; JSON.parse never does), its value,
 * and what aegis writes there.
 */
export function refusal(data: unknown, error: NotPolicyData): string {
  const segments = pathTo(data, error.holder);
  const at =
    segments === undefined
      ? String(error.key)
      : [...segments, String(error.key)].map((s) => `/${pointerSegment(s)}`).join('');
  const value = own(error.holder, error.key);
  const is = value === undefined ? 'missing' : shown(value);
  return printable(`${at} is ${is}, not ${error.expected}`);
}

const MAX_SHOWN = 40;

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/** A key as a JSON pointer writes it (RFC 6901), cut short when long. */
function pointerSegment(key: string): string {
  const escaped = key.replaceAll('~', '~0').replaceAll('/', '~1');
  return escaped.length > MAX_SHOWN ? `${escaped.slice(0, MAX_SHOWN - 1)}…` : escaped;
}

/** The keys from `root` down to `target`, depth first; undefined when it is not there. */
function pathTo(root: unknown, target: object): string[] | undefined {
  interface Frame {
    value: unknown;
    key?: string;
    parent?: Frame;
  }
  const stack: Frame[] = [{ value: root }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value } = frame;
    if (value === target) {
      const keys: string[] = [];
      for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) keys.push(f.key);
      return keys.reverse();
    }
    if (typeof value !== 'object' || value === null) continue;
    // Pushed last to first, so that the first place holding the target is the one found.
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      if (typeof child === 'object' && child !== null)
        stack.push({ value: child, key, parent: frame });
    }
  }
  return undefined;
}
