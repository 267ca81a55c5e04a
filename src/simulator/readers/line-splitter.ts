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
  #carry = '';
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

  #split(text: string, final: boolean): SplitLine[] {
    let data = this.#carry === '' ? text : this.#carry + text;
    if (!this.#started && data.length > 0) {
      this.#started = true;
      // A byte order mark is not content (editors on Windows write one).
      if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    const lines: SplitLine[] = [];
    let start = 0;
    for (;;) {
      const newline = data.indexOf('\n', start);
      if (newline < 0) break;
      if (this.#dropping) {
        lines.push(TOO_LONG);
        this.#dropping = false;
      } else {
        const end = newline > start && data.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
        lines.push(data.slice(start, end));
      }
      start = newline + 1;
    }
    this.#carry = '';
    if (!this.#dropping) {
      if (data.length - start > this.#maxLine) this.#dropping = true;
      else this.#carry = start === 0 ? data : data.slice(start);
    }
    if (final) {
      if (this.#dropping) lines.push(TOO_LONG);
      else if (this.#carry !== '') {
        const last = this.#carry;
        lines.push(last.charCodeAt(last.length - 1) === 13 ? last.slice(0, -1) : last);
      }
      this.#carry = '';
      this.#dropping = false;
    }
    return lines;
  }
}
