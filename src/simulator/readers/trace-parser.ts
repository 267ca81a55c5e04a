/**
 * The lines of one trace file -> records, with the format detected from the first non-blank
 * content. JSON Lines (the common, large case) are handled a line at a time and nothing else
 * is kept. When the first line is not a complete JSON value the file is taken to be one
 * pretty-printed document (or several, or an array): its lines are gathered up to a cap and
 * split into values at the end. If that does not work out for a file that did not start like
 * a document (`{` or `[` alone on the first line), it was JSON Lines with a broken first line
 * after all, and the gathered lines are read as such.
 */
import { MAX_INPUT_DEPTH, nestsDeeperThan } from '../../engine/json.js';
import type { TraceFormat, TraceOrigin, TraceRecord } from '../types.js';
import { aegisRecord } from './aegis-record.js';
import { decisionLogRecord } from './decision-log-record.js';
import { detectFormat } from './detect-format.js';
import type { SplitLine } from './line-splitter.js';
import { otlpRecords, parseOtlpJson } from './otlp-records.js';
import type { SeenSpans } from './seen-spans.js';
import { splitJsonValues } from './split-json-values.js';

export const DEFAULT_MAX_LINE = 64 * 1024 * 1024;
export const DEFAULT_MAX_DOCUMENT = 256 * 1024 * 1024;
/** Enough of a parser's message to see what went wrong, not the whole line it quotes. */
const MAX_MESSAGE = 200;

export interface ParserOptions {
  seen: SeenSpans;
  /** Characters of one line; longer lines are malformed (memory stays bounded). */
  maxLine?: number;
  /** Characters of a pretty-printed document, which has to be held whole to be parsed. */
  maxDocument?: number;
  /** Keep each JSON Lines event's own line as its `text` (TraceEvent.text). */
  keepText?: boolean;
  /** The file's place among the run's trace files (TraceOrigin.source); 0 when not given. */
  source?: number;
}

type Mode = 'detect' | 'lines' | 'document';

export class TraceParser {
  readonly #file: string;
  readonly #seen: SeenSpans;
  readonly #maxLine: number;
  readonly #maxDocument: number;
  readonly #keepText: boolean;
  readonly #source: number;
  #line = 0;
  #mode: Mode = 'detect';
  #format: TraceFormat = 'aegis-jsonl';
  #documentAllowed = true;
  #document: string[] = [];
  #documentLine = 0;
  #documentSize = 0;
  #bareOpener = false;
  /**
   * The document's first line opens an array (`[{...},`): its elements' lines are not JSON
   * Lines, though the last one (no comma after it) parses alone.
   */
  #opensArray = false;
  /** Set when the rest of the file cannot be read (a document over the cap). */
  done = false;

  constructor(file: string, options: ParserOptions) {
    this.#file = file;
    this.#seen = options.seen;
    this.#maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
    this.#maxDocument = options.maxDocument ?? DEFAULT_MAX_DOCUMENT;
    this.#keepText = options.keepText === true;
    this.#source = options.source ?? 0;
  }

  /** `source` only past the first file: one shape per parser, and the common case stays small. */
  #origin(line: number): TraceOrigin {
    return this.#source === 0
      ? { file: this.#file, line }
      : { file: this.#file, line, source: this.#source };
  }

  lines(lines: readonly SplitLine[]): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (const text of lines) {
      const line = ++this.#line;
      if (this.done) break;
      if (this.#mode === 'lines') {
        // The hot path: one JSON value per line.
        if (text === null) this.#tooLong(line, out);
        else if (!isBlank(text)) this.#value(text, line, out);
      } else if (this.#mode === 'detect') this.#detect(text, line, out);
      else this.#gather(text, out);
    }
    return out;
  }

  /** Call once at the end of the input, with the splitter's last line. */
  finish(lines: readonly SplitLine[]): TraceRecord[] {
    const out = this.lines(lines);
    if (this.#mode === 'document' && !this.done) this.#endDocument(out);
    return out;
  }

  /**
   * The record for a read that failed (I/O, a corrupt gzip stream): at line 0, the file as a
   * whole, when no line of it was read; else at the line after the last one read, which is
   * where the reading stopped.
   */
  readError(error: unknown): TraceRecord {
    const message = error instanceof Error ? error.message : String(error);
    const line = this.#line === 0 ? 0 : this.#line + 1;
    return this.#malformed(line, `cannot read the file: ${message}`);
  }

  #malformed(line: number, error: string): TraceRecord {
    return { kind: 'malformed', origin: this.#origin(line), error };
  }

  #tooLong(line: number, out: TraceRecord[]): void {
    const mib = Math.round(this.#maxLine / (1024 * 1024));
    out.push(this.#malformed(line, `line is longer than the ${mib} MiB cap`));
  }

  #detect(text: SplitLine, line: number, out: TraceRecord[]): void {
    if (text === null) {
      this.#tooLong(line, out);
      return;
    }
    if (isBlank(text)) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // Only an object or an array can open a document worth gathering lines for.
      if (!this.#documentAllowed || !startsLikeJson(text)) {
        out.push(this.#malformed(line, invalidJson(error)));
        return;
      }
      this.#mode = 'document';
      this.#document = [text];
      this.#documentLine = line;
      this.#documentSize = text.length;
      const trimmed = text.trim();
      this.#bareOpener = trimmed === '{' || trimmed === '[';
      this.#opensArray = trimmed.startsWith('[');
      return;
    }
    this.#mode = 'lines';
    this.#format = detectFormat(value);
    if (this.#format === 'otlp-json') value = parseOtlpJson(text);
    this.#emitLine(value, line, text, out);
  }

  #value(text: string, line: number, out: TraceRecord[]): void {
    let value: unknown;
    try {
      value = this.#format === 'otlp-json' ? parseOtlpJson(text) : JSON.parse(text);
    } catch (error) {
      out.push(this.#malformed(line, invalidJson(error)));
      return;
    }
    this.#emitLine(value, line, text, out);
  }

  /** The value of one JSON line: an aegis event keeps the line when asked to (keepText). */
  #emitLine(value: unknown, line: number, text: string, out: TraceRecord[]): void {
    const from = out.length;
    if (this.#keepText && this.#format === 'aegis-jsonl' && !Array.isArray(value)) {
      const record = aegisRecord(value, this.#origin(line), hasEscapes(text));
      if (record.kind === 'event') record.text = text;
      out.push(record);
    } else this.#emitValue(value, line, hasEscapes(text), out);
    // Each level takes two characters: a shorter line cannot nest too deep.
    if (text.length > 2 * MAX_INPUT_DEPTH) refuseTooDeep(out, from);
  }

  /** `escapes`: whether the JSON text the value came from has `\u` escapes (aegisRecord). */
  #emit(value: unknown, line: number, escapes: boolean, out: TraceRecord[]): void {
    const from = out.length;
    this.#emitValue(value, line, escapes, out);
    refuseTooDeep(out, from);
  }

  #emitValue(value: unknown, line: number, escapes: boolean, out: TraceRecord[]): void {
    const origin = this.#origin(line);
    if (!Array.isArray(value)) this.#emitOne(value, origin, escapes, out);
    else for (const element of value) this.#emitOne(element, origin, escapes, out);
  }

  #emitOne(value: unknown, origin: TraceOrigin, escapes: boolean, out: TraceRecord[]): void {
    switch (this.#format) {
      case 'aegis-jsonl':
        out.push(aegisRecord(value, origin, escapes));
        return;
      case 'opa-decision-log': {
        const record = decisionLogRecord(value, origin);
        if (record) out.push(record);
        return;
      }
      case 'otlp-json':
        otlpRecords(value, origin, this.#seen, out);
        return;
    }
  }

  #gather(text: SplitLine, out: TraceRecord[]): void {
    if (text === null) {
      this.#giveUp(`the JSON document has a line longer than the cap`, out);
      return;
    }
    this.#document.push(text);
    this.#documentSize += text.length + 1;
    if (this.#documentSize > this.#maxDocument) {
      const mib = Math.round(this.#maxDocument / (1024 * 1024));
      this.#giveUp(`the JSON document is larger than the ${mib} MiB cap`, out);
      return;
    }
    // JSON Lines whose first line is broken: the next object line stands on its own.
    if (!this.#bareOpener && !this.#opensArray && startsLikeJson(text)) {
      try {
        JSON.parse(text);
      } catch {
        return;
      }
      this.#asLines(this.#document, out);
    }
  }

  #giveUp(error: string, out: TraceRecord[]): void {
    out.push(this.#malformed(this.#documentLine, error));
    this.#document = [];
    this.done = true;
  }

  /** The gathered lines, read as JSON Lines after all; the first one did not parse. */
  #asLines(lines: readonly string[], out: TraceRecord[]): void {
    const firstLine = this.#documentLine;
    this.#document = [];
    this.#mode = 'detect';
    this.#documentAllowed = false;
    lines.forEach((text, i) => {
      const line = firstLine + i;
      if (this.#mode === 'lines') {
        if (!isBlank(text)) this.#value(text, line, out);
      } else this.#detect(text, line, out);
    });
  }

  #endDocument(out: TraceRecord[]): void {
    const text = this.#document.join('\n');
    // Held once, as text, from here on: the lines can be had back with split('\n').
    this.#document = [];
    const firstLine = this.#documentLine;
    let whole: unknown;
    let parsed = false;
    try {
      whole = JSON.parse(text);
      parsed = true;
    } catch {
      // Several documents, or a broken one: split below.
    }
    if (parsed && !Array.isArray(whole)) {
      this.#mode = 'lines';
      this.#format = detectFormat(whole);
      this.#emit(
        this.#format === 'otlp-json' ? parseOtlpJson(text) : whole,
        firstLine,
        hasEscapes(text),
        out,
      );
      return;
    }
    whole = undefined;
    const split = splitJsonValues(text, firstLine);
    const values: { value: unknown; line: number }[] = [];
    let failure = split.error && {
      line: split.error.line,
      message: `invalid JSON: ${split.error.message}`,
    };
    for (const [i, { text: valueText, line }] of split.values.entries()) {
      try {
        let value: unknown;
        if (i === 0) {
          value = JSON.parse(valueText);
          this.#format = detectFormat(value);
          if (this.#format === 'otlp-json') value = parseOtlpJson(valueText);
        } else {
          value = this.#format === 'otlp-json' ? parseOtlpJson(valueText) : JSON.parse(valueText);
        }
        values.push({ value, line });
      } catch (error) {
        failure = { line, message: invalidJson(error) };
        break;
      }
    }
    if (failure && !this.#bareOpener) {
      this.#asLines(text.split('\n'), out);
      return;
    }
    this.#mode = 'lines';
    const escapes = hasEscapes(text);
    for (const { value, line } of values) this.#emit(value, line, escapes, out);
    if (failure) out.push(this.#malformed(failure.line, failure.message));
  }
}

/** The events from `from` on that nest too deep for the engines become malformed records. */
function refuseTooDeep(out: TraceRecord[], from: number): void {
  for (let i = from; i < out.length; i++) {
    const record = out[i] as TraceRecord;
    if (record.kind === 'event' && nestsDeeperThan(record.input, MAX_INPUT_DEPTH)) {
      out[i] = {
        kind: 'malformed',
        origin: record.origin,
        error: `the call nests objects and arrays more than ${MAX_INPUT_DEPTH} levels deep`,
      };
    }
  }
}

export function hasEscapes(text: string): boolean {
  return text.includes('\\u');
}

function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '');
}

function startsLikeJson(text: string): boolean {
  const c = text.trimStart().charCodeAt(0);
  return c === 123 || c === 91;
}

function invalidJson(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const short = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}...` : message;
  return `invalid JSON: ${short}`;
}
