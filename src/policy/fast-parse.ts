/**
 * The fast path of parsing. The `yaml` library gives exact positions and every error at once,
 * but composes about eight times slower than js-yaml, and positions are only needed when
 * something is reported. So a file that is plainly well-behaved is read with js-yaml, and the
 * exact parse (parse.ts) runs lazily, only if a diagnostic asks where a value is.
 *
 * "Plainly well-behaved" is decided before js-yaml sees the text: no anchors (alias expansion
 * is capped only on the exact path), no tags (js-yaml would resolve `!!int "3"` or `!!float 3`
 * and take the document; the exact path refuses every tag, yaml-tag), a nesting bound far
 * under MAX_DEPTH (js-yaml recurses per level; a stack overflow must never happen), and none
 * of the constructs that js-yaml and `yaml` were found to read apart (READ_APART, and the
 * continuation lines plainlyLaidOut looks at). Anything else, and any js-yaml error, takes the
 * exact path, which reports it with its position.
 *
 * The two paths must read every scalar alike, or a file would mean one thing until an anchor
 * elsewhere in it sent it down the exact path. js-yaml's CORE_SCHEMA is not quite YAML 1.2's
 * core schema, which `yaml` implements: it reads `0b101`, `-0x10` and `+0o7` as numbers and
 * `+.5` or `9e999` as strings. CORE_1_2 below resolves ints and floats as `yaml` does (its
 * schema/core/int.js and float.js), and null and booleans as both do.
 *
 * A `%YAML` directive also takes the exact path, which refuses any version but 1.2 (js-yaml
 * reads `%YAML 1.1` with the schema it is given, as if it said 1.2).
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

/**
 * What js-yaml reads otherwise than `yaml`, or reads where `yaml` refuses, as found by
 * comparing the two on generated documents (test/parse.test.ts). Each is rare in a policy, so
 * the fast path leaves it to the exact path rather than read it as `yaml` would:
 *
 * - a CR that ends a line alone: YAML's line break, `yaml`'s content (`a:\rb` is one key);
 * - a leading BOM before indentation or `- ` (`yaml` counts it as a column), and a BOM anywhere
 *   else (`yaml` drops it where a document begins, js-yaml keeps it);
 * - `---` with no space after (a plain scalar, not a document marker), a block collection on
 *   the `---` line and `...` followed by more than a comment (errors), a block scalar as the
 *   whole document (js-yaml reads `--- |` with a blank line then `#x` as "");
 * - a tab in indentation, and a comment glued to a flow collection or quoted scalar (`[a]#c`),
 *   both errors that js-yaml lets through;
 * - an escaped line break followed by an empty line in a double-quoted scalar, which each
 *   library folds its own way, and a `\U` escape past U+10FFFF, which js-yaml reads as garbage;
 * - a collection as a key: explicit keys (`? `) and implicit ones ending in `]` or `}`, which
 *   js-yaml writes as `a,b` or `[object Object]` and `yaml` as `[ a, b ]` or `{}`;
 * - an empty sequence entry (`-` alone): js-yaml puts the entries of an outer sequence that
 *   follow it into the inner one;
 * - a block scalar's indentation indicator (`|2`): at the top level js-yaml counts from
 *   column -1, `yaml` from 0; and leading blank lines of spaces in a block scalar, which
 *   `yaml` refuses when they are longer than its indentation and js-yaml can misread.
 */
const READ_APART =
  /\r(?!\n)|^\uFEFF[ \t-]|[\s\S]\uFEFF|(?:^|[ \t])[|>][-+]?[ \t]*(?:#.*)?\r?\n(?:\r?\n)*[ \t]+\r?\n|^---(?:[^ \t\r\n]|[ \t]+(?:[-?:](?:[ \t]|\r?$)|[^#\s][^\n]*?:(?:[ \t]|\r?$)))|^(?:---[ \t]+)?[|>]|^\.\.\.(?![ \t]*(?:[ \t]#|\r?$))|^ *\t|\\\r?\n[ \t]*\r?\n|\\U(?!000|0010)[0-9a-fA-F]{8}|(?:^|[\s,[{])\?(?:[ \t\r\n]|$)|^ *(?:[-?:] +)*-[ \t]*(?:#.*)?$|(?:^|[ \t])[|>][-+]?[1-9]/m;

/**
 * What every class of READ_APART needs somewhere in the text: a rare character, a document
 * marker, or a `-` entry with nothing in it (LONE_DASH). Most policies have none, and these two
 * scan far faster than READ_APART's alternatives at every position.
 */
const READ_APART_HINT = /[\r\uFEFF|>\t\\?]|^(?:---|\.\.\.)/m;
const LONE_DASH = /^ *(?:[-?:] +)*-[ \t]*(?:#.*)?$/m;

function readApart(text: string): boolean {
  return (READ_APART_HINT.test(text) || LONE_DASH.test(text)) && READ_APART.test(text);
}

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
  if (
    !plainlyLaidOut(text) ||
    /(?:^|[\s,[{:-])[&!]/.test(text) ||
    /^%YAML/m.test(text) ||
    readApart(text)
  ) {
    return undefined;
  }
  // A last line of spaces with no line break after it is one more kept line to js-yaml, none
  // to `yaml` (`|+` then `  x` then `  ` at the end of the file).
  const end = text.charCodeAt(text.length - 1);
  if ((end === 32 || end === 9) && /[|>][1-9]?\+/.test(text)) return undefined;
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
 * Whether the text is laid out so that both parsers must read it alike, as far as nesting and
 * continuation lines go: false when it may be nested too deep, or when a flow collection or a
 * quoted scalar continues on a line not indented past the line it began on.
 *
 * Depth: every block level needs either more indentation (a mapping; a sequence may share its
 * parent key's indent, hence the factor two) or an indicator on the line (`- `, `? `, `: `),
 * and every flow level an open bracket. The bound is loose on purpose: a false "deep" only
 * costs the exact path.
 *
 * Continuation lines: YAML 1.2 wants the lines of a multi-line flow collection or quoted scalar
 * indented past the block around them (`a: [b,` then `c]` at column 1 is an error), and `yaml`
 * enforces it (it lets a lone closing bracket sit at the opening line's indent) where js-yaml
 * reads `{a: [b, c]}`. Which block that is takes a parser to know, so the bound is the opening
 * line's indent, `- `, `? ` and `: ` prefixes counted as yaml counts them: stricter than yaml
 * when the bracket or quote opens on a line of its own (`key:` then `  [a,` then `  b]`), which
 * only costs the exact path. Brackets and quotes in comments do not count, brackets inside
 * quotes neither; a quote opens only where a token can begin.
 */
function plainlyLaidOut(text: string): boolean {
  const limit = MAX_DEPTH;
  // The depth bound counts every bracket and indicator, wherever it is, as it always has.
  let brackets = 0;
  let indicators = 0;
  let lineStart = true;
  let indent = 0;
  /** The brackets of the flow collections open at this point, innermost last. */
  const flows: number[] = [];
  /** The quote of the quoted scalar open at this point, or 0. */
  let quote = 0;
  let comment = false;
  /** This line's indent, its `- `, `? ` and `: ` prefixes counted while they last. */
  let lineIndent = 0;
  let inPrefix = false;
  /** lineIndent of the line where the open flow collection or quoted scalar began. */
  let openIndent = 0;
  /** Where this line's first character after its indent is. */
  let first = 0;
  /** The character before, and the last one that was no space, outside comments. */
  let prev = 10;
  let last = 10;
  /** Just after a closing bracket or quote; `bracket`: after a bracket, spaces between. */
  let closed = false;
  let afterCollection = false;
  /** A comment line came right after a `key:` line, no more indented than it. */
  let commentAfterKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      indent = 0;
      indicators = 0;
      comment = false;
      closed = false;
      prev = c;
      continue;
    }
    if (lineStart) {
      if (c === 32) {
        indent++;
        continue;
      }
      if (c === 13) continue;
      lineStart = false;
      first = i;
      if (flows.length > 0 || quote !== 0) {
        const closing = (c === 93 || c === 125) && flows.length === 1 && quote === 0;
        if (indent < openIndent || (indent === openIndent && !closing)) return false;
      }
      // `key:`, then a comment line no more indented than the key, then a scalar: `yaml` takes
      // the scalar for a key of its own ("Implicit keys need to be on a single line"). A key or
      // an entry after the comment is read alike (a commented-out line is common in policies).
      if (c === 35 && last === 58 && indent <= lineIndent) commentAfterKey = true;
      else if (commentAfterKey && c !== 35) {
        commentAfterKey = false;
        const end = text.indexOf('\n', i);
        if (!KEY_OR_ENTRY.test(text.slice(i, end < 0 ? text.length : end))) return false;
      }
      if (c !== 35) {
        lineIndent = indent;
        inPrefix = true;
      }
    }
    if (c === 91 || c === 123) brackets++;
    else if (c === 93 || c === 125) brackets = Math.max(0, brackets - 1);
    else if (c === 45 || c === 58 || c === 63) indicators++;
    if (2 * indent + indicators + brackets > limit) return false;
    // YAML caps an implicit key at 1024 characters; js-yaml reads longer ones.
    if (c === 58 && i - first > 1000) return false;
    if (inPrefix) inPrefix = prefixGoesOn(text, i, c, prev);
    if (inPrefix) lineIndent++;
    const space = c === 32 || c === 9 || c === 13;
    // After a flow collection or a quoted scalar comes a space, a flow indicator or a `:`.
    if (closed && !space && c !== 44 && c !== 93 && c !== 125 && c !== 58) return false;
    closed = false;
    // A flow collection followed by `:` is a key; js-yaml and `yaml` write it as a string each
    // their own way.
    if (afterCollection && !space) {
      if (c === 58 && !comment) return false;
      afterCollection = false;
    }
    if (comment) {
      // Nothing in a comment is structure.
    } else if (quote !== 0) {
      if (c === quote) {
        if (c === 39 && text.charCodeAt(i + 1) === 39) i++;
        else {
          quote = 0;
          closed = true;
        }
      } else if (c === 92 && quote === 34 && text.charCodeAt(i + 1) !== 10) {
        i++;
      }
    } else if (c === 35) {
      comment = prev === 32 || prev === 9 || prev === 10;
      // A comment glued to `[`, `{`, `,` or `:` in a flow collection: an error js-yaml lets
      // through.
      if (
        !comment &&
        flows.length > 0 &&
        (prev === 91 || prev === 123 || prev === 44 || prev === 58)
      ) {
        return false;
      }
    } else if (c === 34 || c === 39) {
      // In a flow collection a quote begins a scalar only after `[`, `{`, `,` or `: `: `a 'b`
      // is one plain scalar there, even across lines.
      // In a block, after an indicator or first on its line: `a "b` is a plain scalar too.
      const opens =
        flows.length === 0
          ? tokenMayBegin(prev) && (i === first || afterIndicator(last))
          : last === 91 || last === 123 || last === 44 || (last === 58 && prev !== 58);
      if (opens) {
        if (flows.length === 0) openIndent = lineIndent;
        quote = c;
      }
    } else if (c === 91 || c === 123) {
      if (flows.length > 0 || tokenMayBegin(prev)) {
        // A collection as a key in a flow mapping, `{[a]: b}` or `{{}}`.
        if (flows[flows.length - 1] === 123 && (last === 123 || last === 44)) return false;
        if (flows.length === 0) openIndent = lineIndent;
        flows.push(c);
      }
    } else if (c === 93 || c === 125) {
      if (flows.length > 0) {
        flows.pop();
        closed = true;
        afterCollection = true;
      }
    }
    if (!space && !comment) last = c;
    prev = c;
  }
  return true;
}

/** A line that is a sequence entry or begins with a plain key: not a scalar continued. */
const KEY_OR_ENTRY = /^(?:-(?:[ \t]|\r?$)|[^#'"[{\r\n]*?:(?:[ \t]|\r?$))/;

/** Whether `c` at `i` is still part of its line's `- `, `? ` or `: ` prefixes. */
function prefixGoesOn(text: string, i: number, c: number, prev: number): boolean {
  if (c === 45 || c === 63 || c === 58) {
    const next = text.charCodeAt(i + 1);
    return next === 32 || next === 10 || next === 13 || Number.isNaN(next);
  }
  return c === 32 && (prev === 45 || prev === 63 || prev === 58 || prev === 32);
}

/** `:`, `-`, `?` or a BOM: what a quoted scalar may follow on its line in a block. */
function afterIndicator(c: number): boolean {
  return c === 58 || c === 45 || c === 63 || c === 0xfeff;
}

/** After a line break, a space or tab, a flow indicator, a `:` or a BOM a quote begins a scalar. */
function tokenMayBegin(prev: number): boolean {
  return (
    prev === 10 ||
    prev === 32 ||
    prev === 9 ||
    prev === 91 ||
    prev === 123 ||
    prev === 44 ||
    prev === 58 ||
    prev === 0xfeff
  );
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
