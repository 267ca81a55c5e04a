/** The facts every format states alike: which changes are new blocks, counts, top entries. */
import { describe, expect, it } from 'vitest';
import {
  blockedPhrase,
  formatCount,
  formatShare,
  newBlocks,
  newPhrase,
  topEntries,
  transitionKind,
  transitions,
} from '../../../src/simulator/render/report-facts.js';
import { CLEAN, REPORT } from './sample-report.js';

describe('report facts', () => {
  it.each([
    ['allow', 'deny', 'new-block'],
    ['allow', 'approval_needed', 'new-block'],
    ['sanitize', 'deny', 'new-block'],
    ['approval_needed', 'deny', 'new-block'],
    ['allow', 'sanitize', 'tighter'],
    ['deny', 'allow', 'unblock'],
    ['approval_needed', 'sanitize', 'unblock'],
    ['deny', 'approval_needed', 'looser'],
    ['sanitize', 'allow', 'looser'],
    // A recorded decision spelled some other way is below every outcome.
    ['ALLOW', 'deny', 'new-block'],
    ['unknown', 'allow', 'tighter'],
  ])('%s -> %s is %s', (from, to, kind) => {
    expect(transitionKind(from, to)).toBe(kind);
  });

  it('splits a transition at its last arrow (the recorded side is untrusted)', () => {
    const list = transitions({ ...CLEAN, changes: { 'a->b->deny': 2, 'deny->allow': 3 } });
    expect(list.map((t) => [t.from, t.to, t.count])).toEqual([
      ['deny', 'allow', 3],
      ['a->b', 'deny', 2],
    ]);
  });

  it('counts new blocks and phrases the headline', () => {
    expect(newBlocks(REPORT)).toBe(9 + 3 + 2 + 1);
    expect(blockedPhrase(REPORT)).toBe('150 calls would be blocked');
    expect(newPhrase(REPORT)).toBe('(15 new)');
    expect(blockedPhrase({ ...CLEAN, would_block: 1 })).toBe('1 call would be blocked');
    expect(newPhrase(CLEAN)).toBe('');
  });

  it('formats numbers the same in every locale', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(Number.NaN)).toBe('?');
    expect(formatShare(1, 3)).toBe('33.3%');
    expect(formatShare(1, 100_000)).toBe('<0.1%');
    expect(formatShare(0, 0)).toBe('');
  });

  it('ranks by score, then key, and counts what it left out', () => {
    const { entries, omitted } = topEntries({ b: 2, a: 2, c: 5, d: 1 }, (n) => [n], 3);
    expect(entries).toEqual([
      ['c', 5],
      ['a', 2],
      ['b', 2],
    ]);
    expect(omitted).toBe(1);
  });
});
