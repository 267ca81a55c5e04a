/**
 * Number semantics that must agree with OPA v1 bit for bit.
 *
 * Comparisons: OPA compares the JSON texts of two numbers exactly (ast.NumberCompare). The
 * gateway and the conformance suite hand OPA `JSON.stringify` of the same doubles the reference
 * evaluator sees, i.e. their shortest round-trip texts, and distinct doubles have distinct,
 * identically ordered shortest texts. So `<`, `>` and `===` on the doubles give OPA's answer and
 * no code here is needed for them.
 *
 * Addition (the budget test `spend + cost_usd > daily_usd`) is different: OPA's `+`
 * (topdown/arithmetic.go) is exact when both texts are integers, and otherwise converts each
 * text to a big.Float of 64 mantissa bits (math/big's `scan`), adds with rounding to 64 bits,
 * and formats the sum back to the shortest decimal that reads back to the same 64-bit float
 * (big.Float.Text('g', -1)). The comparison then sees that decimal. This module emulates each
 * of those steps with BigInt so that, e.g., `0.1 + 0.2 > 0.3` is false, as in OPA, where
 * JavaScript's double sum says true.
 */

/** An exact decimal: `m * 10^e`. */
export interface Decimal {
  m: bigint;
  e: number;
}

/** The JSON text of a finite double, as `JSON.stringify` writes it and OPA then reads it. */
export function jsonNumberText(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`not a JSON number: ${n}`);
  return String(n);
}

const NUMBER_TEXT = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;

/** The exact value of a JSON number text. */
export function parseDecimal(text: string): Decimal {
  const match = NUMBER_TEXT.exec(text);
  if (!match) throw new TypeError(`not a JSON number text: ${text}`);
  const [, sign = '', int = '', frac = '', exp = '0'] = match;
  const m = BigInt(int + frac);
  return { m: sign === '-' ? -m : m, e: Number(exp) - frac.length };
}

export function decimalOf(n: number): Decimal {
  return parseDecimal(jsonNumberText(n));
}

export function compareDecimals(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const e = Math.min(a.e, b.e);
  const x = a.m * 10n ** BigInt(a.e - e);
  const y = b.m * 10n ** BigInt(b.e - e);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether OPA's `a + b > limit` holds for these doubles. */
export function sumExceeds(a: number, b: number, limit: number): boolean {
  const s = a + b;
  // Integers: the double sum is exact while it is a safe integer, as OPA's integer sum is.
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(s))
    return s > limit;
  // Far from the limit, every rounding involved (each text vs its double: half an ulp of 53
  // bits; OPA's three roundings to 64 bits; the double sum) is too small to change the answer.
  const margin =
    (Math.abs(a) + Math.abs(b) + Math.abs(s) + Math.abs(limit)) * FAST_PATH_RELATIVE +
    FAST_PATH_ABSOLUTE;
  if (Number.isFinite(margin)) {
    if (s - limit > margin) return true;
    if (limit - s > margin) return false;
  }
  return compareDecimals(opaPlus(jsonNumberText(a), jsonNumberText(b)), decimalOf(limit)) > 0;
}

/** Some 8x the sum of the relative errors; the absolute term covers subnormals. */
const FAST_PATH_RELATIVE = 2 ** -50;
const FAST_PATH_ABSOLUTE = 2 ** -1000;

/** The value of the number OPA's `a + b` produces for two JSON number texts. */
export function opaPlus(a: string, b: string): Decimal {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  // Both integral: OPA adds exactly (int32 fast path or big.Int; both exact).
  const xi = integerValue(x);
  const yi = integerValue(y);
  if (xi !== undefined && yi !== undefined) return { m: xi + yi, e: 0 };
  const sum = addFloats(scanFloat(x), scanFloat(y), GO_FLOAT_PREC);
  return shortestDecimal(sum);
}

function integerValue(d: Decimal): bigint | undefined {
  if (d.e >= 0) return d.m * 10n ** BigInt(d.e);
  const div = 10n ** BigInt(-d.e);
  return d.m % div === 0n ? d.m / div : undefined;
}

/** big.Float's default precision when a zero Float is set from a string. */
const GO_FLOAT_PREC = 64;

/** A binary float `(neg ? -1 : 1) * m * 2^e` with `m >= 0`. */
interface BinFloat {
  neg: boolean;
  m: bigint;
  e: number;
}

function bitLength(m: bigint): number {
  if (m === 0n) return 0;
  const hex = m.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(hex[0] ?? '0', 16)));
}

const POW5 = new Map<number, bigint>();

/** 5^n, exact; the small ones are asked for on every call, so they are kept. */
function pow5Exact(n: number): bigint {
  let p = POW5.get(n);
  if (p === undefined) {
    p = 5n ** BigInt(n);
    if (n <= 1100) POW5.set(n, p);
  }
  return p;
}

/** Round `m * 2^e` (plus a nonzero tail below m's last bit when `sticky`) to `prec` bits, nearest even. */
function round(m: bigint, e: number, prec: number, sticky = false): { m: bigint; e: number } {
  const shift = bitLength(m) - prec;
  if (shift <= 0) return { m, e };
  const s = BigInt(shift);
  let kept = m >> s;
  const rest = m & ((1n << s) - 1n);
  const half = 1n << (s - 1n);
  // Above half, or half with a nonzero tail, rounds up; an exact tie goes to the even neighbour.
  if (rest > half || (rest === half && (sticky || (kept & 1n) === 1n))) kept += 1n;
  return { m: kept, e: e + shift };
}

/**
 * big.Float.SetString at 64 bits (math/big floatconv.go `scan`): the digits as an exact
 * integer times 2^k, then multiplied or divided by 5^|k| with one rounding, where 5^|k| is
 * itself exact up to 5^27 and beyond that the product of 128-bit roundings `pow5` computes.
 */
function scanFloat(d: Decimal): BinFloat {
  const neg = d.m < 0n;
  const digits = neg ? -d.m : d.m;
  if (digits === 0n) return { neg: false, m: 0n, e: 0 };
  const k = d.e;
  if (k === 0) return { neg, ...round(digits, 0, GO_FLOAT_PREC) };
  const p = pow5(Math.abs(k), GO_FLOAT_PREC + 64);
  if (k > 0) return { neg, ...round(digits * p.m, k + p.e, GO_FLOAT_PREC) };
  // Enough quotient bits for the rounding bit plus one, and the remainder as the sticky bit.
  const s = Math.max(0, bitLength(p.m) - bitLength(digits) + GO_FLOAT_PREC + 2);
  const num = digits << BigInt(s);
  const q = num / p.m;
  const r = num % p.m;
  return { neg, ...round(q, k - p.e - s, GO_FLOAT_PREC, r !== 0n) };
}

const POW5_EXACT_MAX = 27;

/** math/big's `(*Float).pow5` on a Float of precision `prec`. */
function pow5(n: number, prec: number): { m: bigint; e: number } {
  if (n <= POW5_EXACT_MAX) return { m: pow5Exact(n), e: 0 };
  let z = { m: pow5Exact(POW5_EXACT_MAX), e: 0 };
  let f = { m: 5n, e: 0 };
  let rest = n - POW5_EXACT_MAX;
  while (rest > 0) {
    if (rest % 2 === 1) z = round(z.m * f.m, z.e + f.e, prec);
    f = round(f.m * f.m, 2 * f.e, prec + 64);
    rest = Math.floor(rest / 2);
  }
  return z;
}

function addFloats(x: BinFloat, y: BinFloat, prec: number): BinFloat {
  if (x.m === 0n) return y;
  if (y.m === 0n) return x;
  const e = Math.min(x.e, y.e);
  const sx = (x.neg ? -x.m : x.m) << BigInt(x.e - e);
  const sy = (y.neg ? -y.m : y.m) << BigInt(y.e - e);
  const sum = sx + sy;
  if (sum === 0n) return { neg: false, m: 0n, e: 0 };
  const neg = sum < 0n;
  return { neg, ...round(neg ? -sum : sum, e, prec) };
}

/** Digits (no trailing zeros) and decimal point position: value = 0.mant * 10^exp. */
interface GoDecimal {
  mant: string;
  exp: number;
}

/** math/big decimal.init: the exact decimal of `m * 2^e`. */
function goDecimal(m: bigint, e: number): GoDecimal {
  const n = e >= 0 ? m << BigInt(e) : m * pow5Exact(-e);
  const s = n.toString();
  const exp = e >= 0 ? s.length : s.length + e;
  return trim({ mant: s, exp });
}

function trim(d: GoDecimal): GoDecimal {
  let end = d.mant.length;
  while (end > 0 && d.mant.charCodeAt(end - 1) === 48) end--;
  return end === 0 ? { mant: '', exp: 0 } : { mant: d.mant.slice(0, end), exp: d.exp };
}

/** The 64-bit float's shortest decimal, as math/big ftoa.go `roundShortest` chooses it. */
function shortestDecimal(x: BinFloat): Decimal {
  if (x.m === 0n) return { m: 0n, e: 0 };
  // Normalize to exactly prec bits, then append the half-ulp bit.
  const bl = bitLength(x.m);
  const norm =
    bl > GO_FLOAT_PREC ? x.m >> BigInt(bl - GO_FLOAT_PREC) : x.m << BigInt(GO_FLOAT_PREC - bl);
  const exp = x.e + (bl - GO_FLOAT_PREC);
  let d = goDecimal(norm, exp);
  const mant = norm << 1n;
  const lower = goDecimal(mant - 1n, exp - 1);
  const upper = goDecimal(mant + 1n, exp - 1);
  const inclusive = (norm & 1n) === 0n;
  const at = (g: GoDecimal, i: number) => (i < g.mant.length ? g.mant.charCodeAt(i) : 48);
  for (let i = 0; i < d.mant.length; i++) {
    const l = at(lower, i);
    const u = at(upper, i);
    const c = d.mant.charCodeAt(i);
    const okDown = l !== c || (inclusive && i + 1 === lower.mant.length);
    const okUp = c !== u && (inclusive || c + 1 < u || i + 1 < upper.mant.length);
    if (okDown && okUp) {
      d = roundNearest(d, i + 1);
      break;
    }
    if (okDown) {
      d = roundDown(d, i + 1);
      break;
    }
    if (okUp) {
      d = roundUp(d, i + 1);
      break;
    }
  }
  const digits = BigInt(d.mant === '' ? '0' : d.mant);
  return { m: x.neg ? -digits : digits, e: d.exp - d.mant.length };
}

function roundNearest(d: GoDecimal, n: number): GoDecimal {
  if (n < 0 || n >= d.mant.length) return d;
  const digit = d.mant.charCodeAt(n);
  const up =
    digit === 53 && n + 1 === d.mant.length
      ? n > 0 && (d.mant.charCodeAt(n - 1) - 48) % 2 === 1
      : digit >= 53;
  return up ? roundUp(d, n) : roundDown(d, n);
}

function roundUp(d: GoDecimal, n: number): GoDecimal {
  if (n < 0 || n >= d.mant.length) return d;
  let i = n;
  while (i > 0 && d.mant.charCodeAt(i - 1) >= 57) i--;
  if (i === 0) return { mant: '1', exp: d.exp + 1 };
  const bumped = String.fromCharCode(d.mant.charCodeAt(i - 1) + 1);
  return { mant: d.mant.slice(0, i - 1) + bumped, exp: d.exp };
}

function roundDown(d: GoDecimal, n: number): GoDecimal {
  if (n < 0 || n >= d.mant.length) return d;
  return trim({ mant: d.mant.slice(0, n), exp: d.exp });
}
