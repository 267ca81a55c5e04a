/**
 * Can an RE2 pattern match the empty string somewhere, in some string? Exactly, not by testing
 * it against `""`: `\b`, `^` or `(?m)$` match empty only at some positions, and `$|x` only at
 * the end of a string.
 *
 * An empty match consumes nothing, so whether one exists at a position depends only on the
 * empty-width assertions that hold there (`^ $ \A \z \b \B`, RE2's EmptyOp flags), and those
 * depend only on the character before and the one after: none (the start or end of the text),
 * a newline, a word character (ASCII, as RE2's `\b`), or any other character. So there are 16
 * contexts, and the pattern can match empty somewhere iff its compiled program reaches MATCH
 * without consuming a character, through assertions that all hold, in one of them. The program
 * is the one re2js (a port of Go's regexp, as OPA runs it) matches with; test/rules/
 * empty-match.test.ts checks the answers against OPA.
 */
import { RE2JS } from 're2js';

/** RE2's EmptyOp flags (Go's syntax.EmptyOp; re2js Utils.EMPTY_*). */
const BEGIN_LINE = 1;
const END_LINE = 2;
const BEGIN_TEXT = 4;
const END_TEXT = 8;
const WORD_BOUNDARY = 16;
const NO_WORD_BOUNDARY = 32;

/** re2js's instruction codes (its Inst class, Go's syntax.InstOp plus lookbehinds). */
const Op = {
  alt: 1,
  altMatch: 2,
  capture: 3,
  emptyWidth: 4,
  fail: 5,
  match: 6,
  nop: 7,
  rune: 8,
  rune1: 9,
  runeAny: 10,
  runeAnyNotNl: 11,
} as const;

/** One side of a position: no character, a newline, a word character, any other character. */
type Side = 'none' | 'newline' | 'word' | 'other';
const SIDES: readonly Side[] = ['none', 'newline', 'word', 'other'];

/** The flags that hold between `before` and `after` (Go's regexp.EmptyOpContext). */
function contextFlags(before: Side, after: Side): number {
  let flags = 0;
  if (before === 'none') flags |= BEGIN_TEXT | BEGIN_LINE;
  if (before === 'newline') flags |= BEGIN_LINE;
  if (after === 'none') flags |= END_TEXT | END_LINE;
  if (after === 'newline') flags |= END_LINE;
  flags |= (before === 'word') !== (after === 'word') ? WORD_BOUNDARY : NO_WORD_BOUNDARY;
  return flags;
}

const CONTEXTS: readonly number[] = SIDES.flatMap((b) => SIDES.map((a) => contextFlags(b, a)));

interface Inst {
  op: number;
  out: number;
  arg: number;
}
interface Prog {
  start: number;
  inst: readonly Inst[];
}

/** The pattern must compile (checkRe2 says so first); otherwise this throws. */
export function canMatchEmpty(pattern: string): boolean {
  // re2js does not type its program (RE2.prog is `any`); the shape is Go's syntax.Prog.
  const prog = RE2JS.compile(pattern).re2().prog as Prog;
  return CONTEXTS.some((flags) => matchesEmptyIn(prog, flags));
}

/** Does MATCH follow from the start through instructions that consume nothing? */
function matchesEmptyIn(prog: Prog, flags: number): boolean {
  const seen = new Set<number>();
  const todo = [prog.start];
  for (let pc = todo.pop(); pc !== undefined; pc = todo.pop()) {
    if (seen.has(pc)) continue;
    seen.add(pc);
    const inst = prog.inst[pc];
    if (inst === undefined) throw new Error(`re2js program has no instruction ${pc}`);
    switch (inst.op) {
      case Op.match:
        return true;
      case Op.alt:
      case Op.altMatch:
        todo.push(inst.out, inst.arg);
        break;
      case Op.capture:
      case Op.nop:
        todo.push(inst.out);
        break;
      case Op.emptyWidth:
        // Every assertion the instruction makes must hold here.
        if ((inst.arg & ~flags) === 0) todo.push(inst.out);
        break;
      case Op.fail:
      case Op.rune:
      case Op.rune1:
      case Op.runeAny:
      case Op.runeAnyNotNl:
        // Fails, or consumes a character.
        break;
      default:
        // A re2js whose program has another shape: a bug to fix here, not an answer to guess.
        throw new Error(`re2js instruction op ${inst.op} is not one canMatchEmpty knows`);
    }
  }
  return false;
}
