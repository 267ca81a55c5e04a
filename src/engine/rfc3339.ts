/**
 * `context.time` -> nanoseconds since the Unix epoch, accepting exactly the times the emitted
 * Rego accepts: the strict RFC 3339 form (docs/semantics.md, step 1) and then what OPA's
 * `time.parse_rfc3339_ns` accepts, i.e. Go's `time.Parse(time.RFC3339, s)` range checks plus
 * an instant that fits an int64 of nanoseconds (1677-09-21T00:12:43.145224192Z to
 * 2262-04-11T23:47:16.854775807Z); outside it OPA's builtin fails and the time is malformed.
 *
 * The form is checked here with a pattern because Go's parser, when its strict fast path
 * fails, falls back to a lenient one (one-digit hours, `,` before the fraction, offsets up to
 * 24:00 or with minute 60); the Rego checks the same pattern before calling the builtin.
 */

/**
 * The pattern the Rego checks too (ASCII digits only). It bounds the offset itself because
 * Go's lenient fallback would accept `+24:00` and `+01:60`; every other range Go checks.
 */
export const RFC3339_PATTERN =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$';

/** The int64 nanosecond range as (seconds, nanoseconds) bounds, inclusive. */
const MIN_SECONDS = -9_223_372_037;
const MIN_NANOS = 145_224_192;
const MAX_SECONDS = 9_223_372_036;
const MAX_NANOS = 854_775_807;

export interface Instant {
  /** Whole seconds since the epoch (floor). */
  seconds: number;
  /** 0..999_999_999. */
  nanos: number;
}

/**
 * The instant, or undefined when OPA would not accept the time. The form is read character by
 * character rather than with a RegExp: this runs once per event of a replay. It accepts exactly
 * `^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$` (ASCII digits).
 */
export function parseRfc3339(text: string): Instant | undefined {
  const n = text.length;
  if (n < 20) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== T ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  )
    return undefined;
  let i = 19;
  // Go reads at most nine fraction digits and ignores the rest (truncation, not rounding).
  let nanos = 0;
  if (text.charCodeAt(i) === DOT) {
    i++;
    const first = i;
    for (; i < n && isDigit(text.charCodeAt(i)); i++)
      if (i - first < 9) nanos = nanos * 10 + (text.charCodeAt(i) - ZERO);
    if (i === first) return undefined;
    for (let k = Math.min(i - first, 9); k < 9; k++) nanos *= 10;
  }
  let offset = 0;
  let offsetHour = 0;
  let offsetMinute = 0;
  const zone = text.charCodeAt(i);
  if (zone === Z) {
    if (i + 1 !== n) return undefined;
  } else if (zone === PLUS || zone === MINUS) {
    if (i + 6 !== n || text.charCodeAt(i + 3) !== COLON) return undefined;
    offsetHour = digits(text, i + 1, 2);
    offsetMinute = digits(text, i + 4, 2);
    if (offsetHour < 0 || offsetMinute < 0) return undefined;
    offset = (offsetHour * 60 + offsetMinute) * 60 * (zone === MINUS ? -1 : 1);
  } else {
    return undefined;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59)
    return undefined;
  // Exact in a double: |seconds| stays far below 2^53 for years 0000-9999.
  const seconds =
    daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
  if (seconds < MIN_SECONDS || (seconds === MIN_SECONDS && nanos < MIN_NANOS)) return undefined;
  if (seconds > MAX_SECONDS || (seconds === MAX_SECONDS && nanos > MAX_NANOS)) return undefined;
  return { seconds, nanos };
}

const ZERO = 48;
const DASH = 45;
const COLON = 58;
const DOT = 46;
const PLUS = 43;
const MINUS = 45;
const T = 84;
const Z = 90;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The value of `count` ASCII digits at `at`, or -1 when one of them is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    value = value * 10 + (c - ZERO);
  }
  return value;
}

/** Nanoseconds since the epoch, as OPA's `time.parse_rfc3339_ns` returns them. */
export function parseRfc3339Ns(text: string): bigint | undefined {
  const t = parseRfc3339(text);
  if (!t) return undefined;
  // Through whole milliseconds (exact in a double: |ms| < 2^53): a time written to the second or
  // the millisecond, as most are, costs two BigInt operations instead of four.
  const sub = t.nanos % 1_000_000;
  const ms = BigInt(t.seconds * 1000 + (t.nanos - sub) / 1_000_000) * 1_000_000n;
  return sub === 0 ? ms : ms + BigInt(sub);
}

/** Milliseconds since the epoch, floored: all that local weekday and minute need. */
export function instantMs(t: Instant): number {
  return t.seconds * 1000 + Math.floor(t.nanos / 1_000_000);
}

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(month: number, year: number): number {
  return month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
