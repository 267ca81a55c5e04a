/**
 * The fast path of parsing. The `yaml` library gives exact positions and every error at once,
 * but composes about eight times slower than js-yaml, and positions are only needed when
 * something is reported. So a file that is plainly well-behaved is read with js-yaml, and the
 * exact parse (parse.ts) runs lazily, only if a diagnostic asks where a value is.
 *
 * "Plainly well-behaved" is decided before js-yaml sees the text: no anchors (alias expansion
 * is capped only on the exact path), no tags (js-yaml would resolve `!!int "3"` or `!!float 3`
 * and take the document; the exact path refuses every tag, yaml-tag) and a nesting bound far
 * under MAX_DEPTH (js-yaml recurses per level; a stack overflow must never happen). Anything
 * else, and any js-yaml error, takes the exact path, which reports it with its position.
 *
 * The two paths must read every scalar alike, or a file would mean one thing until an anchor
 * elsewhere in it sent it down the exact path. js-yaml's CORE_SCHEMA is not quite YAML 1.2's
 * core schema, which `yaml` implements: it reads `0b101`, `-0x10` and `+0o7` as numbers and
 * `+.5` or `9e999` as strings. CORE_1_2 below resolves ints and floats as `yaml` does (its
 * schema/core/int.js and float.js), and null and booleans as both do.
 *
 * A `&` or `!` that begins a token is all it takes: a tag or an anchor can only follow
 * whitespace (a BOM or a line break included), a flow indicator (`[`, `{`, `,`), the `:` of a
 * JSON-like key or a `-`, or begin the text. One inside a word or a quoted string (`"Hi!"`,
 * `"^a!b$"`) is not a token's start and keeps the fast path; one that only looks like it
 * (`reason: wait !`) costs the exact path, which finds no tag there.
 */
import jsyaml from 'js-yaml';
import { MAX_DEPTH } from './parse.js';

/**
 * YAML 1.2 core ints, as `yaml` reads them: octal `0o17`, decimal with a sign, hex `0x1F`. Each
 * resolver looks at the first character before its regex: js-yaml asks every type about every
 * plain scalar, and most are words.
 */
const INT_1_2 = new jsyaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) =>
    data !== null && startsNumber(data) && /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/.test(data),
  construct: (data: string) =>
    data.startsWith('0o')
      ? Number.parseInt(data.slice(2), 8)
      : data.startsWith('0x')
        ? Number.parseInt(data.slice(2), 16)
        : Number.parseInt(data, 10),
});

/**
 * YAML 1.2 core floats, as `yaml` reads them: `1.5`, `+.5`, `1e3`, `9e999` (Infinity), `.inf`,
 * `.nan` (its three patterns in one; an int matched INT_1_2 first).
 */
const FLOAT_1_2 = new jsyaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) =>
    data !== null &&
    (startsNumber(data) || data.charCodeAt(0) === 46) &&
    /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/.test(
      data,
    ),
  construct: (data: string) => {
    if (/^\.(?:nan|NaN|NAN)$/.test(data)) return Number.NaN;
    if (/\.(?:inf|Inf|INF)$/.test(data)) {
      return data.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    return Number.parseFloat(data);
  },
});

/** A digit, `+` or `-`: how every int and every float but `.5`, `.inf` and `.nan` begins. */
function startsNumber(data: string): boolean {
  const c = data.charCodeAt(0);
  return (c >= 48 && c <= 57) || c === 43 || c === 45;
}

/** YAML 1.2 core null: `~`, `null`, `Null`, `NULL` or nothing. */
const NULL_1_2 = new jsyaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) =>
    data === null ||
    data === '' ||
    data === '~' ||
    data === 'null' ||
    data === 'Null' ||
    data === 'NULL',
  construct: () => null,
});

/** YAML 1.2 core booleans: `true`, `True`, `TRUE` and the same of false, nothing else. */
const BOOL_1_2 = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) =>
    data === 'true' ||
    data === 'True' ||
    data === 'TRUE' ||
    data === 'false' ||
    data === 'False' ||
    data === 'FALSE',
  construct: (data: string) => data[0] === 't' || data[0] === 'T',
});

/** js-yaml's failsafe schema (strings, sequences, mappings) with YAML 1.2's core scalars. */
const CORE_1_2 = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [NULL_1_2, BOOL_1_2, INT_1_2, FLOAT_1_2],
});

/** Where js-yaml saw a mapping begin: 0-based line and column. */
export type MappingPositions = WeakMap<object, readonly [line: number, column: number]>;

export interface FastParse {
  /** Documents' values; empty documents are kept as null. */
  values: unknown[];
  /** Where each mapping of those values begins, when the parse was asked to record it. */
  mappings?: MappingPositions;
}

/**
 * The documents, or undefined: take the exact path. With `lines`, also where each mapping
 * begins: enough to give the line of a tool entry or a rule (what compile asks for, thousands
 * of times) without the exact parse. The listener that records it slows the parse by about a
 * tenth, so validating alone does without, and parseWithMappingLines parses again if asked.
 */
export function fastParseYaml(text: string, lines = false): FastParse | undefined {
  if (!plainlyShallow(text) || /(?:^|[\s,[{:-])[&!]/.test(text)) return undefined;
  let parsed: FastParse;
  try {
    parsed = lines
      ? parseWithMappingLines(text)
      : { values: jsyaml.loadAll(text, undefined, { schema: CORE_1_2, json: false }) };
  } catch {
    return undefined;
  }
  return parsed.values.every((v) => plainlyRead(v, MAX_DEPTH)) ? parsed : undefined;
}

/** The fast parse, remembering where each mapping begins. Only for text fastParseYaml took. */
export function parseWithMappingLines(text: string): Required<FastParse> {
  const mappings: MappingPositions = new WeakMap();
  const open: [number, number][] = [];
  const values = jsyaml.loadAll(text, undefined, {
    schema: CORE_1_2,
    json: false,
    listener(event, state) {
      if (event === 'open') {
        open.push([state.line, state.position - state.lineStart]);
        return;
      }
      const start = open.pop();
      const result: unknown = state.result;
      if (start && result !== null && typeof result === 'object' && !Array.isArray(result)) {
        mappings.set(result, start);
      }
    },
  });
  return { values, mappings };
}

/**
 * An upper bound on the nesting depth of any line: every block level needs either more
 * indentation (a mapping; a sequence may share its parent key's indent, hence the factor two)
 * or an indicator on the line (`- `, `? `, `: `), and every flow level an open bracket. The
 * bound is loose on purpose: a false "deep" only costs the exact path.
 */
function plainlyShallow(text: string): boolean {
  const limit = MAX_DEPTH;
  let flow = 0;
  let lineStart = true;
  let indent = 0;
  let indicators = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      indent = 0;
      indicators = 0;
      continue;
    }
    if (lineStart && c === 32) {
      indent++;
      continue;
    }
    lineStart = false;
    if (c === 91 || c === 123) flow++;
    else if (c === 93 || c === 125) flow = Math.max(0, flow - 1);
    else if (c === 45 || c === 58 || c === 63) indicators++;
    if (2 * indent + indicators + flow > limit) return false;
  }
  return true;
}

/**
 * Whether a value js-yaml read is nested at most `max` deep and has no key `null`: js-yaml
 * writes a null key (`~:`, `null:`, or none at all) as "null", `yaml` as "" (both are strings
 * in a JavaScript object); the exact path decides, also for a quoted "null", which costs only
 * the exact parse.
 */
function plainlyRead(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const [v, depth] = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max || Object.hasOwn(v, 'null')) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return true;
}
