/**
 * Bytes -> lines, for the JSON Lines formats. Hand-rolled rather than `readline` because
 * readline costs an event and a closure per line; this decodes each chunk once and cuts it
 * with `indexOf`, so that splitting stays cheap next to `JSON.parse`. Memory is bounded by
 * the chunk size plus `maxLine`: a longer line is dropped while it streams past and reported
 * as `TOO_LONG` in its place.
 */
import { StringDecoder } from 'node:string_decoder';

export const TOO_LONG = null;
export type SplitLine = string | typeof TOO_LONG;

export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxLine: number;
  /**
   * The line begun in earlier chunks, in pieces: joined only once its newline comes, so that
   * a long line costs time in proportion to its length (joining and searching it again with
   * every chunk would cost its length squared: minutes for a 100 MB line).
   */
  #carry: string[] = [];
  #carried = 0;
  #dropping = false;
  #started = false;

  constructor(maxLine: number) {
    this.#maxLine = maxLine;
  }

  /** The lines completed by this chunk, without their `\n` or `\r\n`. */
  push(chunk: Buffer): SplitLine[] {
    return this.#split(this.#decoder.write(chunk), false);
  }

  /** The last line, when the input does not end with a newline. */
  end(): SplitLine[] {
    return this.#split(this.#decoder.end(), true);
  }

  #split(chunk: string, final: boolean): SplitLine[] {
    let text = chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      // A byte order mark is not content (editors on Windows write one).
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const lines: SplitLine[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      if (this.#dropping) {
        lines.push(TOO_LONG);
        this.#dropping = false;
      } else if (start === 0 && this.#carried > 0) {
        this.#carry.push(text.slice(0, newline));
        lines.push(withoutCr(this.#carry.join('')));
        // Reset here only: a new array for every line would be garbage on the hot path.
        this.#carry = [];
        this.#carried = 0;
      } else {
        lines.push(withoutCr(text.slice(start, newline)));
      }
      start = newline + 1;
    }
    if (!this.#dropping && start < text.length) {
      const rest = start === 0 ? text : text.slice(start);
      if (this.#carried + rest.length > this.#maxLine) {
        this.#dropping = true;
        this.#carry = [];
        this.#carried = 0;
      } else {
        this.#carry.push(rest);
        this.#carried += rest.length;
      }
    }
    if (final) {
      if (this.#dropping) lines.push(TOO_LONG);
      else if (this.#carried > 0) lines.push(withoutCr(this.#carry.join('')));
      this.#carry = [];
      this.#carried = 0;
      this.#dropping = false;
    }
    return lines;
  }
}

/** A line without the `\r` of a `\r\n` ending. */
function withoutCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}
