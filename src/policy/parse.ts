/**
 * Text -> documents that remember where every value came from. Pure: the I/O edge
 * (read-files.ts) hands in decoded text. YAML and JSON both go through the `yaml` library's
 * parser so that positions come from its CST, never from a regex over the text; JSON files
 * are additionally held to strict JSON syntax.
 */
import { createRequire } from 'node:module';
import type { CST, YAMLError, Document as YamlDocument, Node as YamlNode } from 'yaml';
import {
  type Diagnostic,
  type DiagnosticCode,
  FILE_START,
  fileDiagnostic,
  type Position,
} from '../diagnostics.js';
import { explicitTags } from './explicit-tags.js';
import { fastParseYaml, type MappingPositions, parseWithMappingLines } from './fast-parse.js';

/**
 * The `yaml` library takes a tenth of a second to load and is needed only on the exact path
 * (a diagnostic to locate, or a file the fast path will not take), so it loads on first use.
 */
const requireCjs = createRequire(import.meta.url);
let yamlLibrary: typeof import('yaml') | undefined;
/** The `yaml` library, loaded on first use (also by `aegis test`'s test-file reader). */
export function yaml(): typeof import('yaml') {
  yamlLibrary ??= requireCjs('yaml') as typeof import('yaml');
  return yamlLibrary;
}

/** Deeper than this is no policy anyone writes; past it we stop before recursion can hurt. */
export const MAX_DEPTH = 64;
/** Alias expansions allowed per document ("billion laughs" guard). */
export const MAX_ALIAS_COUNT = 100;

export type LocateTarget = 'key' | 'value';

export interface SourceDocument {
  file: string;
  /** 0-based index of the document within its file. */
  index: number;
  /** The whole file's text (all of its documents), for digests and re-parsing. */
  text: string;
  /** The plain JSON-like value of the document. */
  value: unknown;
  /**
   * Where the value at `pointer` (a JSON pointer) is written. `key` asks for the mapping key
   * that holds it (for unknown or misplaced keys). Falls back to the nearest ancestor that
   * exists, so a pointer to a missing key lands on the mapping that lacks it.
   */
  locate(pointer: string, target?: LocateTarget): Position;
  /**
   * The line where the value at `pointer` begins. Cheaper than `locate` for mappings (tool
   * entries, rules), which is all that compiling asks about, thousands of times.
   */
  line(pointer: string): number;
}

export interface ParseResult {
  documents: SourceDocument[];
  diagnostics: Diagnostic[];
}

type Range = readonly [number, number, number?];

/**
 * `lines`: the caller will ask `line()` about many values (compile does, for every tool entry
 * and rule), so the fast parse records where mappings begin as it goes rather than parsing
 * the file again on the first ask.
 */
export function parseSource(
  file: string,
  text: string,
  kind: 'yaml' | 'json',
  options: { lines?: boolean } = {},
): ParseResult {
  const fast = kind === 'yaml' ? fastParseYaml(text, options.lines) : undefined;
  // Empty or null documents take the exact path, which decides what they mean.
  if (!fast || fast.values.length === 0 || fast.values.some((v) => v === null || v === undefined)) {
    return parseExact(file, text, kind);
  }
  const exact = new ExactParse(file, text, kind);
  const lines = new MappingLines(text, fast.values, fast.mappings);
  const documents = fast.values.map(
    (value, index): SourceDocument => ({
      file,
      index,
      text,
      value,
      // Each from a function of its own, so that each closure holds only what it uses: a
      // policy's identity keeps `locate` to the end of the run (the checks across policies),
      // and must not keep the parsed document through `lines` with it.
      locate: locator(exact, index),
      line: liner(lines, exact, index),
    }),
  );
  return { documents, diagnostics: [] };
}

/** The exact parse of a file, made on first need (a diagnostic to place) and shared by its documents. */
class ExactParse {
  private result: ParseResult | undefined;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly kind: 'yaml' | 'json',
  ) {}

  document(index: number): SourceDocument | undefined {
    this.result ??= parseExact(this.file, this.text, this.kind);
    return this.result.documents.find((d) => d.index === index);
  }
}

/** Where the mappings of a file's documents begin, from the fast parse (again, if it did not record it). */
class MappingLines {
  constructor(
    private readonly text: string,
    private values: unknown[],
    private mappings: MappingPositions | undefined,
  ) {}

  /** The 0-based line where the mapping at `pointer` begins; undefined for anything else. */
  line(index: number, pointer: string): number | undefined {
    if (!this.mappings) {
      const parsed = parseWithMappingLines(this.text);
      this.values = parsed.values;
      this.mappings = parsed.mappings;
    }
    const node = valueAt(this.values[index], pointer);
    return node !== null && typeof node === 'object' ? this.mappings.get(node)?.[0] : undefined;
  }
}

function locator(exact: ExactParse, index: number): SourceDocument['locate'] {
  return (pointer, target) => exact.document(index)?.locate(pointer, target) ?? FILE_START;
}

function liner(lines: MappingLines, exact: ExactParse, index: number): SourceDocument['line'] {
  return (pointer) => {
    const start = lines.line(index, pointer);
    if (start !== undefined) return start + 1;
    return exact.document(index)?.locate(pointer).line ?? 1;
  };
}

/** The value a JSON pointer names inside `root`, if any. */
function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of decodePointer(pointer)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(segment)] : (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** The exact parse: positions for everything, every error at once. */
function parseExact(file: string, text: string, kind: 'yaml' | 'json'): ParseResult {
  const { Composer, LineCounter, Parser } = yaml();
  const lineCounter = new LineCounter();
  const position = (range: Range | null | undefined): Position => {
    const [start, end] = range ?? [0, 0];
    const a = lineCounter.linePos(start);
    const b = lineCounter.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  };
  const diagnostics: Diagnostic[] = [];
  const report = (
    code: DiagnosticCode,
    at: Position,
    message: string,
    index: number,
    hint?: string,
  ) => diagnostics.push(fileDiagnostic(code, file, at, message, hint, index));

  if (kind === 'json') {
    const jsonError = strictJsonError(text);
    if (jsonError) {
      lineCounter.addNewLine(0);
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
        lineCounter.addNewLine(i + 1);
      }
      report(
        'syntax-error',
        position([jsonError.offset, jsonError.offset + 1]),
        jsonError.message,
        0,
        jsonHint(text, jsonError.offset),
      );
      return { documents: [], diagnostics };
    }
  }

  let yamlDocs: YamlDocument.Parsed[];
  let cstDocuments: CST.Document[];
  let yamlVersions: Map<number, CST.Directive>;
  try {
    // parseAllDocuments split in two so that the depth guard sees the CST before composing.
    const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
    const deepToken = findTooDeepToken(tokens);
    if (deepToken) {
      report(
        'too-deep',
        position([deepToken.offset, deepToken.offset + 1]),
        `document is nested more than ${MAX_DEPTH} levels deep`,
        0,
      );
      return { documents: [], diagnostics };
    }
    const composer = new Composer({
      uniqueKeys: true,
      prettyErrors: false,
      version: '1.2',
      schema: 'core',
      strict: true,
    });
    yamlDocs = Array.from(composer.compose(tokens)) as YamlDocument.Parsed[];
    yamlVersions = otherYamlVersions(tokens);
    // The composer makes one document of each CST document, in order (and may add an empty
    // one at the end, for directives that nothing follows).
    cstDocuments = tokens.filter((t): t is CST.Document => t.type === 'document');
  } catch (error) {
    // The parser recurses on nested flow collections; a hostile file can exhaust the stack.
    if (error instanceof RangeError) {
      report(
        'too-deep',
        position([0, 0]),
        `document is nested too deeply to parse (limit ${MAX_DEPTH})`,
        0,
      );
      return { documents: [], diagnostics };
    }
    throw error;
  }
  // parseAllDocuments returns an EmptyStream (an array with .empty) for a file with no docs.
  const documents: SourceDocument[] = [];
  yamlDocs.forEach((doc, index) => {
    // The library's warnings are left out: they are about a tag, refused below, or about what
    // cannot change the data (an unknown directive, a `%YAML` version other than 1.1 or 1.2,
    // which is read as 1.2 like any other; an anchor or alias name ending in `:`; a flow's
    // closing bracket indented like its parent).
    const errors: readonly YAMLError[] = doc.errors;
    for (const e of errors) {
      const code: DiagnosticCode =
        e.code === 'DUPLICATE_KEY'
          ? 'duplicate-key'
          : e.code === 'RESOURCE_EXHAUSTION'
            ? 'too-deep'
            : 'syntax-error';
      const message =
        code === 'duplicate-key' ? duplicateKeyMessage(text, e.pos[0]) : firstLine(e.message);
      report(code, position(e.pos), message, index);
    }
    // Fail closed: YAML 1.1 reads `010`, `1:30` or `yes` as other values than YAML 1.2 does,
    // and a later major version may change anything. The fast path leaves every text with a
    // `%YAML` line to this parse. One the library already reports (`%YAML` with no version) is
    // reported once.
    const version = yamlVersions.get(index);
    if (version !== undefined && !errors.some((e) => e.pos[0] === version.offset)) {
      report(
        'yaml-version',
        position([version.offset, version.offset + version.source.length]),
        `\`${version.source}\` asks for another YAML version: aegis reads YAML 1.2 only`,
        index,
        'remove the directive, and check values YAML 1.1 reads otherwise (`010` is 10 in YAML 1.2, `yes` a string)',
      );
      return;
    }
    // Fail closed: a tag is never what a policy means (explicit-tags.ts); the fast path leaves
    // every text that could hold one to this parse. One the library already reports as an
    // error ("Unexpected tag", "Could not resolve tag") is reported once.
    const tags = explicitTags(cstDocuments[index]).filter(
      (tag) => !errors.some((e) => e.pos[0] === tag.offset),
    );
    for (const tag of tags) {
      report(
        'yaml-tag',
        position([tag.offset, tag.offset + tag.source.length]),
        `a YAML tag (\`${tag.source}\`) is not allowed: a policy is plain data`,
        index,
        'remove the tag, and quote the value if a string is meant',
      );
    }
    if (errors.length > 0 || tags.length > 0) return;
    // A bare `---` composes to an empty null scalar, not to null contents.
    if (doc.contents === null || isEmptyNode(doc.contents)) {
      // `---` with nothing after it: a stray separator, not a policy.
      if (yamlDocs.length > 1) return;
      report('empty-file', position([0, 0]), 'the file holds no policy document', index);
      return;
    }
    const deep = findTooDeep(doc.contents as YamlNode);
    if (deep) {
      report(
        'too-deep',
        position(deep.range),
        `document is nested more than ${MAX_DEPTH} levels deep`,
        index,
      );
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      if (error instanceof ReferenceError || error instanceof RangeError) {
        report(
          'alias-limit',
          position(doc.contents.range),
          `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} expansions)`,
          index,
          'write the values out, or use fewer aliases',
        );
        return;
      }
      throw error;
    }
    documents.push({
      file,
      index,
      text,
      value,
      locate: (pointer, target = 'value') => position(rangeAt(doc, pointer, target)),
      line: (pointer) => position(rangeAt(doc, pointer, 'value')).line,
    });
  });
  if (documents.length === 0 && diagnostics.length === 0) {
    report('empty-file', position([0, 0]), 'the file holds no policy document', 0);
  }
  return { documents, diagnostics };
}

/** The library says only "Map keys must be unique"; name the key, as written. */
function duplicateKeyMessage(text: string, offset: number): string {
  const key = /^("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^:#,{}[\]\n]+?)\s*:/.exec(
    text.slice(offset, offset + 300),
  );
  return key?.[1] ? `duplicate key \`${key[1]}\`` : 'duplicate key';
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

/** JSON.parse is the strictness check; its error text carries the offset we report at. */
function strictJsonError(text: string): { offset: number; message: string } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    const offset = at?.[1] ? Number(at[1]) : Math.max(0, text.length - 1);
    const clean = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    return { offset, message: `invalid JSON: ${clean}` };
  }
}

function isEmptyNode(node: unknown): boolean {
  return yaml().isScalar(node) && node.value === null && (node.source ?? '') === '';
}

/**
 * The same limit measured on the CST, before composing. The composer recurses once per
 * level; a stack overflow inside it is caught by the library, but it can leave V8 unable to
 * compile the next regex, which aborts the whole process (seen with two 10,000-deep files in
 * one run). So a document deeper than any policy must never reach the composer.
 */
function findTooDeepToken(tokens: readonly CST.Token[]): CST.Token | undefined {
  const stack: [CST.Token, number][] = tokens.map((token) => [token, 0]);
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const [token, depth] = top;
    if (token.type === 'document') {
      if (token.value) stack.push([token.value, depth]);
    } else if (
      token.type === 'block-map' ||
      token.type === 'block-seq' ||
      token.type === 'flow-collection'
    ) {
      if (depth + 1 > MAX_DEPTH) return token;
      for (const item of token.items) {
        if (item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return undefined;
}

/** The two JSON mistakes people make most, since YAML and JavaScript allow them. */
function jsonHint(text: string, offset: number): string | undefined {
  if (text.startsWith('//', offset) || text.startsWith('/*', offset)) {
    return 'JSON has no comments; write the policy as YAML (.yaml) to use comments';
  }
  const closing = text.charAt(offset) === ']' || text.charAt(offset) === '}';
  if (closing && /,\s*$/.test(text.slice(Math.max(0, offset - 200), offset))) {
    return 'JSON allows no trailing comma before a closing bracket';
  }
  return undefined;
}

/** Iterative depth check: the node where nesting first passes MAX_DEPTH, if any. */
function findTooDeep(root: YamlNode): YamlNode | undefined {
  const stack: [YamlNode, number][] = [[root, 1]];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const [node, depth] = top;
    if (depth > MAX_DEPTH) return node;
    if (yaml().isMap(node)) {
      for (const pair of node.items) {
        if (pair.value && typeof pair.value === 'object')
          stack.push([pair.value as YamlNode, depth + 1]);
        if (pair.key && typeof pair.key === 'object' && !yaml().isScalar(pair.key)) {
          stack.push([pair.key as YamlNode, depth + 1]);
        }
      }
    } else if (yaml().isSeq(node)) {
      for (const item of node.items) {
        if (item && typeof item === 'object') {
          stack.push([(yaml().isPair(item) ? item.value : item) as YamlNode, depth + 1]);
        }
      }
    }
  }
  return undefined;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function encodePointer(segments: readonly (string | number)[]): string {
  let pointer = '';
  for (const segment of segments) {
    const s = String(segment);
    // Rules build thousands of pointers per run; almost no key holds `~` or `/`.
    const plain = s.indexOf('~') < 0 && s.indexOf('/') < 0;
    pointer += `/${plain ? s : s.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  }
  return pointer;
}

function rangeAt(doc: YamlDocument.Parsed, pointer: string, target: LocateTarget): Range {
  let node = doc.contents as YamlNode | null;
  let range: Range = node?.range ?? [0, 0];
  const segments = decodePointer(pointer);
  for (let i = 0; i < segments.length && node; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (yaml().isMap(node)) {
      const pair = node.items.find(
        (p) => yaml().isScalar(p.key) && String(p.key.value) === segment,
      );
      if (!pair) break;
      const key = pair.key as YamlNode;
      const value = pair.value as YamlNode | null;
      if (last && target === 'key') return key.range ?? range;
      node = value;
      range = value?.range ?? key.range ?? range;
    } else if (yaml().isSeq(node)) {
      const item = node.items[Number(segment)] as YamlNode | undefined;
      if (!item) break;
      node = item;
      range = item.range ?? range;
    } else {
      break;
    }
  }
  return range;
}

/**
 * The `%YAML` directives of a file that ask for any version but 1.2, by the index of the
 * document each stands before (a directive applies to the next document only).
 */
function otherYamlVersions(tokens: readonly CST.Token[]): Map<number, CST.Directive> {
  const found = new Map<number, CST.Directive>();
  let index = 0;
  for (const token of tokens) {
    if (token.type === 'document') index++;
    else if (token.type === 'directive' && /^%YAML(?:[ \t]|$)/.test(token.source)) {
      const version = token.source.slice(5).trim();
      if (version !== '1.2') found.set(index, token);
    }
  }
  return found;
}
