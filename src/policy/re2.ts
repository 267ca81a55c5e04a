/**
 * Is a pattern something OPA will run? OPA's `regex.match` compiles with Go's `regexp` (RE2
 * syntax); aegis's own engine uses re2js, a port of the same parser. So re2js decides, and its
 * errors are turned into words a policy author can act on.
 *
 * Two kinds of refusal, because they call for different fixes:
 * - `not-re2`: a regex that works elsewhere (JavaScript, PCRE, Perl) but uses a feature RE2
 *   leaves out on purpose: lookaround, backreferences, possessive quantifiers, atomic groups,
 *   JavaScript's `\uXXXX`, counts above 1000. Rewriting is needed, not a typo fix.
 * - `invalid`: the pattern is broken in any dialect (an unclosed group, `{2,1}`).
 *
 * Checked against Go 1.26 (the toolchain OPA 1.22 is built with): re2js accepts exactly what
 * Go accepts except that Go, since 1.25, also takes loosely spelled Unicode classes
 * (`\p{letter}`, `\p{Any}`) and duplicate group names. Those are refused here as `invalid`:
 * aegis's own engine could not run them, and the strict spelling works in both. re2js also caps
 * a compiled program at about 1.4M instructions where Go allows 3.3M: only patterns thousands of
 * characters long, repeated hundreds of times, fall between the two.
 */
import { RE2JS, RE2JSSyntaxException } from 're2js';

export type Re2Check =
  | { ok: true }
  | { ok: false; reason: 'not-re2' | 'invalid'; message: string; hint?: string };

const SYNTAX_GUIDE = 'RE2 syntax: https://github.com/google/re2/wiki/Syntax';
/** Policies repeat the same few patterns; both regex rules (and compile) ask about each. */
const cache = new Map<string, Re2Check>();
const CACHE_LIMIT = 1000;

export function checkRe2(pattern: string): Re2Check {
  const known = cache.get(pattern);
  if (known) return known;
  const result = check(pattern);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, result);
  return result;
}

function check(pattern: string): Re2Check {
  try {
    RE2JS.compile(pattern);
    return { ok: true };
  } catch (error) {
    if (error instanceof RE2JSSyntaxException) {
      return explain(pattern, error.error, error.input ?? '');
    }
    // Compile-stage errors (program too large) have no finer structure to map.
    const message = error instanceof Error ? error.message : String(error);
    return invalid(message.replace(/^error parsing regexp: /, ''));
  }
}

function notRe2(message: string, hint: string = SYNTAX_GUIDE): Re2Check {
  return { ok: false, reason: 'not-re2', message, hint };
}

function invalid(message: string, hint?: string): Re2Check {
  return { ok: false, reason: 'invalid', message, ...(hint ? { hint } : {}) };
}

/** `code` is Go's error code text ("missing closing )"), `input` the offending part. */
function explain(pattern: string, code: string, input: string): Re2Check {
  switch (code) {
    case 'invalid or unsupported Perl syntax':
      return perlGroup(pattern, input);
    case 'invalid named capture':
      if (input.startsWith('(?<=') || input.startsWith('(?<!')) {
        const negative = input.startsWith('(?<!') ? 'negative ' : '';
        return notRe2(
          `${negative}lookbehind \`${input.slice(0, 4)}\` is not supported by RE2`,
          LOOKAROUND_HINT,
        );
      }
      return invalid(
        `invalid group name in \`${input}\``,
        'a group name is letters, digits and `_`',
      );
    case 'invalid nested repetition operator':
      return nestedRepetition(input);
    case 'invalid escape sequence':
      return escapeSequence(pattern, input);
    case 'invalid repeat count':
      return repeatCount(input);
    case 'invalid character class range':
      return classRange(input);
    case 'missing closing ]':
      if (input.startsWith('[^]')) {
        return notRe2(
          '`[^]` (any character) is JavaScript syntax, not RE2',
          'write `(?s:.)` or `[\\s\\S]` for any character',
        );
      }
      return invalid(`missing closing \`]\` in \`${input}\``, 'escape a literal `[` as `\\[`');
    case 'missing closing )':
      return invalid(`missing closing \`)\` in \`${input}\``, 'escape a literal `(` as `\\(`');
    case 'unexpected )':
      return invalid('unexpected `)`', 'escape a literal `)` as `\\)`');
    case 'missing argument to repetition operator':
      return invalid(
        `\`${input}\` repeats nothing`,
        'escape a literal `*`, `+` or `?` with a backslash',
      );
    case 'trailing backslash at end of expression':
      return invalid(
        'the regex ends with a lone backslash',
        'write `\\\\` for a literal backslash',
      );
    case 'duplicate capture group name':
      return invalid(
        `capture group name \`${input}\` is used twice`,
        'give each named group its own name',
      );
    case 'expression nests too deeply':
      return invalid('the regex nests groups more than 1000 deep');
    case 'expression too large':
      return invalid('the regex is too large for RE2', 'use fewer or smaller repetitions');
    case 'invalid character class':
      return invalid(`invalid character class \`${input}\``);
    case 'invalid UTF-8':
      return invalid('the regex is not valid UTF-8');
    default:
      return acceptedByJavaScript(pattern)
        ? notRe2(`RE2 does not accept it: ${code}${input ? ` \`${input}\`` : ''}`)
        : invalid(`${code}${input ? ` \`${input}\`` : ''}`);
  }
}

const LOOKAROUND_HINT =
  'RE2 has no lookaround; test the parts separately (e.g. `matches` with `not_matches`)';

/** `(?` followed by something RE2 does not know; `input` is the group's opening. */
function perlGroup(pattern: string, input: string): Re2Check {
  const named: Record<string, [string, string?]> = {
    '(?=': ['lookahead `(?=`', LOOKAROUND_HINT],
    '(?!': ['negative lookahead `(?!`', LOOKAROUND_HINT],
    '(?>': ['atomic group `(?>`', 'RE2 never backtracks: a plain group `(?:` does the same'],
    '(?(': ['conditional group `(?(`'],
    '(?#': ['inline comment `(?#`', 'remove the comment; YAML `#` comments can say it instead'],
    '(?|': ['branch reset group `(?|`'],
    '(?&': ['subroutine call `(?&`'],
    '(?R': ['recursion `(?R)`'],
    '(?P=': ['named backreference `(?P=`', 'RE2 has no backreferences'],
    '(?P>': ['subroutine call `(?P>`'],
  };
  // For `(?P=name)` and `(?P>name)` the parser quotes only `(?P`.
  const opening = input === '(?P' ? (/\(\?P[=>]/.exec(pattern)?.[0] ?? input) : input;
  const prefix = Object.keys(named).find((p) => opening.startsWith(p));
  if (prefix) {
    const [what, hint] = named[prefix] ?? [prefix];
    return notRe2(`${what} is not supported by RE2`, hint);
  }
  if (/^\(\?[+-]?\d/.test(input))
    return notRe2(`subroutine call \`${input}\` is not supported by RE2`);
  if (input.startsWith('(?x')) {
    return notRe2(
      'extended mode `(?x)` is not supported by RE2',
      'remove the flag and the whitespace it allowed; RE2 flags are i, m, s and U',
    );
  }
  return invalid(
    `unknown group or flag syntax \`${input}\``,
    'RE2 flags are i, m, s and U, as in `(?i)`',
  );
}

/** Two quantifiers in a row: `a++` is Perl's possessive form, `a**` is just wrong. */
function nestedRepetition(input: string): Re2Check {
  if (/^(?:[*+?]|\{\d+(?:,\d*)?\})\+$/.test(input)) {
    return notRe2(
      `possessive quantifier \`${input}\` is not supported by RE2`,
      'drop the last `+`: RE2 never backtracks, so the plain quantifier already behaves so',
    );
  }
  return invalid(
    `quantifier \`${input}\` repeats a repetition`,
    'wrap the repeated part in a group, e.g. `(?:a*)+`',
  );
}

/** Perl and PCRE escapes RE2 leaves out, with what to write instead where there is one. */
const FOREIGN_ESCAPES: Record<string, [string, string?]> = {
  Z: ['`\\Z` (end of text before a final newline)', 'use `$` or `\\z`'],
  G: ['`\\G` (end of the previous match)'],
  K: ['`\\K` (reset match start)'],
  R: ['`\\R` (any line break)', 'use `(?:\\r\\n|\\n|\\r)`'],
  X: ['`\\X` (grapheme cluster)'],
  h: ['`\\h` (horizontal space)', 'use `[ \\t]`'],
  H: ['`\\H` (not horizontal space)', 'use `[^ \\t]`'],
  V: ['`\\V` (not vertical space)'],
  N: ['`\\N` (not a newline, or a named character)', 'use `[^\\n]`'],
  e: ['`\\e` (escape character)', 'use `\\x1B`'],
  o: ['`\\o{...}` (octal)', 'use `\\x{...}`'],
};

function escapeSequence(pattern: string, input: string): Re2Check {
  const letter = input.slice(1, 2);
  if (/^[1-9]$/.test(letter)) {
    return notRe2(
      `backreference \`${input}\` is not supported by RE2`,
      'RE2 has no backreferences',
    );
  }
  if (letter === 'k' || letter === 'g') {
    return notRe2(
      `backreference \`\\${letter}\` is not supported by RE2`,
      'RE2 has no backreferences',
    );
  }
  if (letter === 'u') {
    const digits = /\\u\{?([0-9A-Fa-f]{1,6})/.exec(pattern)?.[1];
    return notRe2(
      '`\\u` escapes are JavaScript syntax, not RE2',
      digits ? `write \`\\x{${digits}}\`` : 'write a code point as `\\x{2028}`',
    );
  }
  if (letter === 'c') {
    return notRe2(
      'control escapes `\\cX` are not supported by RE2',
      'write the character as `\\x01` to `\\x1F`',
    );
  }
  if (letter === 'x') {
    return invalid(
      `invalid hex escape \`${input}\``,
      'write two hex digits (`\\x41`) or a code point in braces (`\\x{1F600}`)',
    );
  }
  const foreign = FOREIGN_ESCAPES[letter];
  if (foreign) {
    const [what, hint] = foreign;
    return notRe2(`escape ${what} is not supported by RE2`, hint);
  }
  if (input === '\\d' || input === '\\w' || input === '\\s' || /^\\[DWSpP]/.test(input)) {
    // Only reached inside a class range such as `[a-\d]`.
    return invalid(`\`${input}\` cannot be the end of a character class range`);
  }
  return invalid(
    `unknown escape \`${input}\``,
    'escape only punctuation; letters after `\\` are classes or controls',
  );
}

function repeatCount(input: string): Re2Check {
  const m = /^\{(\d+)(?:,(\d*))?\}$/.exec(input);
  const min = Number(m?.[1] ?? 0);
  const max = m?.[2] === undefined ? min : m[2] === '' ? min : Number(m[2]);
  if (m && max < min) return invalid(`repeat count \`${input}\` has its minimum above its maximum`);
  return notRe2(
    `repeat count \`${input}\` is above RE2's limit of 1000 (nested counts multiply)`,
    'use a smaller count, or check the length with `max_length`',
  );
}

function classRange(input: string): Re2Check {
  if (/^\\[pP]/.test(input)) {
    return invalid(
      `unknown Unicode class \`${input}\``,
      'spell the class as RE2 does, e.g. `\\pL`, `\\p{Lu}`, `\\p{Greek}` (names are case-sensitive)',
    );
  }
  if (input.startsWith('[:')) {
    return invalid(
      `unknown POSIX class \`${input}\``,
      'POSIX classes are `[:alpha:]`, `[:digit:]`, ...',
    );
  }
  return invalid(`character class range \`${input}\` is out of order`);
}

function acceptedByJavaScript(pattern: string): boolean {
  for (const flags of ['', 'u']) {
    try {
      new RegExp(pattern, flags);
      return true;
    } catch {
      // Try the next dialect.
    }
  }
  return false;
}
