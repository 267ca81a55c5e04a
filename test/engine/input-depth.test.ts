/**
 * How deep an input may nest (json.ts MAX_INPUT_DEPTH): evaluate() decides an input of exactly
 * that many levels, and throws InputTooDeepError for one level more, as do the checks the replay
 * makes, instead of overflowing the stack in a walk; nestsDeeperThan, which the commands use to
 * refuse such inputs as they read them, draws the same line and is safe at any depth.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import {
  InputTooDeepError,
  isJsonData,
  MAX_INPUT_DEPTH,
  nestsDeeperThan,
  numbersFinite,
} from '../../src/engine/json.js';
import { callOf, irOf } from './helpers.js';

const ir = irOf(`
agent: a
allowed_tools:
  - name: t
    sanitize: { detectors: [email] }
egress: { allow: ["*"] }
`);

/** `levels` arrays, one in another, around a string. */
function nested(levels: number, inner: unknown = 'mail jane@example.com'): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** A call whose input nests exactly `levels` deep: the input and params are two of them. */
const callNesting = (levels: number) => callOf('a', 't', { params: { x: nested(levels - 2) } });

describe('the nesting limit of an input', () => {
  it('decides an input of exactly MAX_INPUT_DEPTH levels, a detector reaching the bottom', () => {
    const input = callNesting(MAX_INPUT_DEPTH);
    expect(nestsDeeperThan(input)).toBe(false);
    const decision = evaluate(ir, input);
    expect(decision.decision).toBe('sanitize');
    expect(decision.redactions).toEqual([
      { path: `/x${'/0'.repeat(MAX_INPUT_DEPTH - 2)}`, by: 'email' },
    ]);
    expect(JSON.stringify(decision.params)).toContain('"mail [REDACTED]"');
  });

  it('throws InputTooDeepError one level deeper, from evaluate and the replay checks', () => {
    const input = callNesting(MAX_INPUT_DEPTH + 1);
    expect(nestsDeeperThan(input)).toBe(true);
    expect(() => evaluate(ir, input)).toThrow(InputTooDeepError);
    expect(() => isJsonData(input)).toThrow(InputTooDeepError);
    expect(() => numbersFinite(input)).toThrow(InputTooDeepError);
  });

  it('answers far past the stack without overflowing it', () => {
    const deep = nested(1_000_000, {});
    expect(nestsDeeperThan(deep)).toBe(true);
    expect(() => evaluate(ir, callOf('a', 't', { params: { x: deep } }))).toThrow(
      InputTooDeepError,
    );
  });

  it('counts objects and arrays alike, and nothing else', () => {
    expect(nestsDeeperThan('x', 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: 'c' }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: 'c' }] }, 2)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: [[]] }, 2)).toBe(true);
  });
});
