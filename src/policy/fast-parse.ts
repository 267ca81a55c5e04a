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
 * A `&` or `!` that begins a token is all it takes: a tag or an anchor can only follow
 * whitespace (a BOM or a line break included), a flow indicator (`[`, `{`, `,`), the `:` of a
 * JSON-like key or a `-`, or begin the text. One inside a word or a quoted string (`"Hi!"`,
 * `"^a!b$"`) is not a token's start and keeps the fast path; one that only looks like it
 * (`reason: wait !`) costs the exact path, which finds no tag there.
 */
import jsyaml from 'js-yaml';
import { MAX_DEPTH } from './parse.js';

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
      : { values: jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA, json: false }) };
  } catch {
    return undefined;
  }
  return parsed.values.every((v) => depthAtMost(v, MAX_DEPTH)) ? parsed : undefined;
}

/** The fast parse, remembering where each mapping begins. Only for text fastParseYaml took. */
export function parseWithMappingLines(text: string): Required<FastParse> {
  const mappings: MappingPositions = new WeakMap();
  const open: [number, number][] = [];
  const values = jsyaml.loadAll(text, undefined, {
    schema: jsyaml.CORE_SCHEMA,
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

function depthAtMost(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const [v, depth] = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return true;
}
