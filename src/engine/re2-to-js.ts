/**
 * An RE2 pattern -> a JavaScript RegExp that matches exactly the same strings, for the subset of
 * RE2 where that can be shown by construction; undefined for anything else (the caller keeps
 * re2js). Only *whether* a string matches is carried over: match positions and replacements stay
 * with re2js, because Go and JavaScript differ on empty matches in replace-all loops.
 *
 * Why the subset is safe. Whether a string contains a match depends only on the language of the
 * pattern, not on how an engine searches, so backtracking and RE2 agree once every construct
 * denotes the same set of strings. With the `u` flag JavaScript works on code points as RE2
 * does, and with `iu` it compares by Unicode simple case folding, which is exactly the orbit Go
 * folds with (`k` also matches U+212A KELVIN SIGN in both). What differs is translated or
 * refused:
 * - `.` is any code point but `\n` in RE2 (JavaScript also leaves out `\r`, U+2028, U+2029): `[^\n]`;
 * - `\s` is `[\t\n\f\r ]` in RE2 (JavaScript's is Unicode's), `\d` `\w` and their negations are
 *   spelled out as ASCII classes;
 * - `\b` `\B` are kept only without `(?i)`: under `iu` JavaScript counts U+017F and U+212A as
 *   word characters, RE2 never;
 * - only ASCII in the pattern, flags only as one leading `(?i)`, no POSIX or Unicode classes,
 *   no `\A` `\z` `\Q..\E` `\x` or octal escapes, no quantified assertions, no literal `{`:
 *   all refused (rare in policies; re2js handles them).
 *
 * Speed is the other half: V8 backtracks, RE2 never does, so a pattern is only worth running
 * on V8 when backtracking cannot blow up. `bounded` says so: no unbounded repetition (`*`, `+`,
 * `{n,}`) and few ways for one start position to be matched (`paths`, counted from the
 * pattern's alternatives and repetition counts), so the work is linear in the string whatever
 * it holds. `[a-z]+@` is not: on a long run of letters it costs V8 quadratic time.
 */

const SYNTAX = new Set('^$\\.*+?()[]{}|/');
const CLASS_SPECIAL = new Set('\\]^-[');
const ASCII_CLASSES: Readonly<Record<string, string>> = {
  d: '0-9',
  w: '0-9A-Za-z_',
  s: '\\t\\n\\f\\r ',
};
const CONTROL_ESCAPES = new Set('ntrfv');

/** Paths per start position up to which a pattern without unbounded repetition runs on V8. */
const MAX_PATHS = 5000;

class Unsupported extends Error {}

export interface Translation {
  /** Matches exactly the strings the RE2 pattern matches (test only, see above). */
  regex: RegExp;
  /** Safe from backtracking blow-ups: linear time on V8. */
  bounded: boolean;
  /** A substring every match contains: a string without it cannot match ('' if none known). */
  required: string;
  /**
   * Every match is at least one character long. Then leftmost-first matching (RE2's, and a
   * backtracker's by construction) makes replace-all the same in Go and on V8: they differ
   * only in how they step past empty matches.
   */
  nonEmpty: boolean;
}

/** A translated piece: its source, whether a quantifier may follow, its paths (see above). */
interface Piece {
  source: string;
  quantifiable: boolean;
  paths: number;
  /** The length of the shortest match, in characters. */
  min: number;
  /** A literal character matched exactly (no case folding), for `required`. */
  exact?: string;
}

export function re2ToJs(pattern: string): Translation | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return undefined;
  }
  const ignoreCase = pattern.startsWith('(?i)');
  const body = ignoreCase ? pattern.slice(4) : pattern;
  try {
    const translator = new Translator(body, ignoreCase);
    const top = translator.translate();
    return {
      regex: new RegExp(top.source, ignoreCase ? 'iu' : 'u'),
      bounded: top.paths <= MAX_PATHS,
      required: translator.required,
      nonEmpty: top.min >= 1,
    };
  } catch (error) {
    // A construct outside the subset, or something JavaScript itself rejects.
    if (error instanceof Unsupported || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

class Translator {
  private i = 0;
  private depth = 0;
  /** The longest run of exact literals in the top-level sequence (when it has no `|`). */
  required = '';

  constructor(
    private readonly p: string,
    private readonly ignoreCase: boolean,
  ) {}

  translate(): Piece {
    const out = this.alternation();
    if (this.i !== this.p.length) throw new Unsupported();
    return out;
  }

  private peek(offset = 0): string {
    return this.p[this.i + offset] ?? '';
  }

  private alternation(): Piece {
    const top = this.depth === 0;
    const first = this.sequence();
    let { source, paths, min } = first;
    while (this.peek() === '|') {
      this.i++;
      const next = this.sequence();
      source += `|${next.source}`;
      paths += next.paths;
      min = Math.min(min, next.min);
    }
    if (top && source !== first.source) this.required = '';
    return { source, quantifiable: true, paths, min };
  }

  private sequence(): Piece {
    let source = '';
    let paths = 1;
    let min = 0;
    let run = '';
    const endRun = () => {
      if (this.depth === 0 && run.length > this.required.length) this.required = run;
      run = '';
    };
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '|' || (c === ')' && this.depth > 0)) {
        endRun();
        return { source, quantifiable: true, paths, min };
      }
      const atom = this.atom();
      source += atom.source;
      if (this.isQuantifier()) {
        if (!atom.quantifiable) throw new Unsupported();
        const q = this.quantifier();
        source += q.source;
        paths *= repeatedPaths(atom.paths, q.min, q.max);
        min += atom.min * q.min;
        endRun();
        // RE2 rejects `a**` and JavaScript `a*+`; neither is worth translating.
        if (this.isQuantifier()) throw new Unsupported();
      } else {
        paths *= atom.paths;
        min += atom.min;
        if (atom.exact !== undefined) run += atom.exact;
        else endRun();
      }
    }
  }

  private isQuantifier(): boolean {
    const c = this.peek();
    return c === '*' || c === '+' || c === '?' || c === '{';
  }

  private quantifier(): { source: string; min: number; max: number } {
    const c = this.peek();
    let source: string;
    let min = c === '+' ? 1 : 0;
    let max = c === '?' ? 1 : Number.POSITIVE_INFINITY;
    if (c === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
      if (!match) throw new Unsupported();
      source = match[0];
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] ? Number(match[3]) : Number.POSITIVE_INFINITY;
      this.i += source.length;
    } else {
      source = c;
      this.i++;
    }
    if (this.peek() === '?') {
      source += '?';
      this.i++;
    }
    return { source, min, max };
  }

  private atom(): Piece {
    const c = this.peek();
    this.i++;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return { source: this.characterClass(), quantifiable: true, paths: 1, min: 1 };
      case '.':
        return { source: '[^\\n]', quantifiable: true, paths: 1, min: 1 };
      case '^':
      case '$':
        return { source: c, quantifiable: false, paths: 1, min: 0 };
      case '\\':
        return this.escape();
      case ')':
      case '*':
      case '+':
      case '?':
      case '{':
        throw new Unsupported();
      default:
        return this.literalPiece(c);
    }
  }

  /** A literal character; exact unless `(?i)` may fold it (only letters fold, in ASCII). */
  private literalPiece(c: string): Piece {
    const folds = this.ignoreCase && /^[A-Za-z]$/.test(c);
    return {
      source: literal(c),
      quantifiable: true,
      paths: 1,
      min: 1,
      ...(folds ? {} : { exact: c }),
    };
  }

  private group(): Piece {
    if (this.peek() === '?') {
      const rest = this.p.slice(this.i);
      const named = /^\?P?<[A-Za-z0-9_]+>/.exec(rest);
      if (named) this.i += named[0].length;
      else if (rest.startsWith('?:')) this.i += 2;
      else throw new Unsupported();
    }
    this.depth++;
    const inner = this.alternation();
    this.depth--;
    if (this.peek() !== ')') throw new Unsupported();
    this.i++;
    return {
      source: `(?:${inner.source})`,
      quantifiable: true,
      paths: inner.paths,
      min: inner.min,
    };
  }

  private escape(): Piece {
    const c = this.peek();
    this.i++;
    const ascii = ASCII_CLASSES[c];
    if (ascii !== undefined) return { source: `[${ascii}]`, quantifiable: true, paths: 1, min: 1 };
    const negated = ASCII_CLASSES[c.toLowerCase()];
    if (negated !== undefined && c !== c.toLowerCase())
      return { source: `[^${negated}]`, quantifiable: true, paths: 1, min: 1 };
    if (c === 'b' || c === 'B') {
      if (this.ignoreCase) throw new Unsupported();
      return { source: `\\${c}`, quantifiable: false, paths: 1, min: 0 };
    }
    if (CONTROL_ESCAPES.has(c)) return { source: `\\${c}`, quantifiable: true, paths: 1, min: 1 };
    if (isPunctuation(c)) return this.literalPiece(c);
    throw new Unsupported();
  }

  private characterClass(): string {
    let out = '[';
    if (this.peek() === '^') {
      out += '^';
      this.i++;
    }
    // `[]a]` is a class holding `]` in RE2 and an empty class in JavaScript.
    if (this.peek() === ']') throw new Unsupported();
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === '') throw new Unsupported();
      if (c === ']') {
        this.i++;
        return `${out}]`;
      }
      if (c === '-') {
        // A literal `-` only first or last, where both read it so.
        this.i++;
        if (!first && this.peek() !== ']') throw new Unsupported();
        out += '\\-';
        first = false;
        continue;
      }
      const lo = this.classAtom();
      if (lo.set !== undefined) {
        out += lo.set;
      } else if (this.peek() === '-' && this.peek(1) !== ']') {
        this.i++;
        const hi = this.classAtom();
        if (hi.char === undefined || lo.char === undefined || hi.char < lo.char)
          throw new Unsupported();
        out += `${classLiteral(lo.char)}-${classLiteral(hi.char)}`;
      } else if (lo.char !== undefined) {
        out += classLiteral(lo.char);
      }
      first = false;
    }
  }

  /** One member of a class: a single character, or a whole escape class like `\d`. */
  private classAtom(): { char?: string; set?: string } {
    const c = this.peek();
    this.i++;
    if (c === '[') throw new Unsupported();
    if (c !== '\\') return { char: c };
    const e = this.peek();
    this.i++;
    const ascii = ASCII_CLASSES[e];
    if (ascii !== undefined) return { set: ascii };
    if (CONTROL_ESCAPES.has(e)) return { set: `\\${e}` };
    if (isPunctuation(e)) return { char: e };
    throw new Unsupported();
  }
}

/**
 * The ways `x{min,max}` can be matched when `x` has `paths` ways: one choice of count, then a
 * path for each repetition. Infinite for unbounded repetition.
 */
function repeatedPaths(paths: number, min: number, max: number): number {
  if (max === Number.POSITIVE_INFINITY) return max;
  let total = 0;
  for (let k = min; k <= max && total <= MAX_PATHS; k++) total += paths ** k;
  return total;
}

function isPunctuation(c: string): boolean {
  return /^[!-/:-@[-`{-~]$/.test(c);
}

/** A printable ASCII character as a literal outside a class. */
function literal(c: string): string {
  return SYNTAX.has(c) ? `\\${c}` : c;
}

/** A printable ASCII character as a literal inside a class. */
function classLiteral(c: string): string {
  return CLASS_SPECIAL.has(c) || SYNTAX.has(c) ? `\\${c}` : c;
}
