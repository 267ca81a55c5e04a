/**
 * A document that is not JSON Lines -> the texts of its values, each with the line it starts
 * on: one pretty-printed object, several printed one after another (`jq . a.json b.json`), or
 * a top-level array, whose elements come out one by one (a decision log shipped as one array).
 * Only brackets and strings are tracked; `JSON.parse` of each text checks the rest. Line
 * numbers are what make this worth a scanner instead of one `JSON.parse` of the whole text.
 */
export interface JsonText {
  text: string;
  /** 1-based line where the value starts. */
  line: number;
}

export interface SplitResult {
  values: JsonText[];
  /** Where the text stopped making sense; `values` holds what came before. */
  error?: { line: number; message: string };
}

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

export function splitJsonValues(text: string, firstLine = 1): SplitResult {
  const n = text.length;
  let i = 0;
  let line = firstLine;
  const values: JsonText[] = [];

  const skipSpace = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === LF) line++;
      else if (c !== SPACE && c !== TAB && c !== CR) return;
      i++;
    }
  };
  /** Moves `i` past the value starting at `i`; false when it never ends. */
  const skipValue = (): boolean => {
    let depth = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        if (!skipString()) return false;
        if (depth === 0) return true;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        // A closer where a value should start: the caller sees an empty value.
        if (depth === 0) return true;
        depth--;
        i++;
        if (depth === 0) return true;
        continue;
      } else if (c === LF) line++;
      else if (depth === 0 && (c === SPACE || c === TAB || c === CR || c === COMMA)) {
        return true; // the end of a bare number, true, false or null
      }
      i++;
    }
    return depth === 0;
  };
  const skipString = (): boolean => {
    let from = i + 1;
    for (;;) {
      const quote = text.indexOf('"', from);
      if (quote < 0) return false;
      let backslashes = 0;
      while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
      from = quote + 1;
      if (backslashes % 2 === 0) break;
    }
    // A raw line break inside a string is not JSON, but it still moves the line count on.
    for (let k = text.indexOf('\n', i); k >= 0 && k < from; k = text.indexOf('\n', k + 1)) line++;
    i = from;
    return true;
  };
  const fail = (message: string, at = line): SplitResult => ({
    values,
    error: { line: at, message },
  });

  skipSpace();
  while (i < n) {
    if (text.charCodeAt(i) === OPEN_BRACKET) {
      const arrayLine = line;
      i++;
      for (let first = true; ; first = false) {
        skipSpace();
        if (i >= n) return fail('unterminated JSON array', arrayLine);
        if (first && text.charCodeAt(i) === CLOSE_BRACKET) {
          i++;
          break;
        }
        const start = i;
        const startLine = line;
        if (!skipValue()) return fail('unterminated JSON value', startLine);
        if (i === start) return fail('expected a JSON value');
        values.push({ text: text.slice(start, i), line: startLine });
        skipSpace();
        if (i >= n) return fail('unterminated JSON array', arrayLine);
        const c = text.charCodeAt(i);
        i++;
        if (c === CLOSE_BRACKET) break;
        if (c !== COMMA) return fail("expected ',' or ']' after an array element");
      }
    } else {
      const start = i;
      const startLine = line;
      if (!skipValue()) return fail('unterminated JSON value', startLine);
      if (i === start) return fail('expected a JSON value');
      values.push({ text: text.slice(start, i), line: startLine });
    }
    skipSpace();
  }
  return { values };
}
