/**
 * Every regex a policy holds, with its pointer: `matches` / `not_matches` in `params` and in
 * every `when` condition (whatever the condition's shape), and `sanitize.patterns[].regex`.
 * The built-in detectors are aegis's own and tested once, not per policy.
 */
import { encodePointer } from '../../parse.js';
import type { LoadedPolicy } from '../rule.js';
import { conditionSites, toolSites } from './walk.js';

export interface RegexSite {
  at: LoadedPolicy;
  pattern: string;
  pointer: string;
}

const REGEX_OPERATORS = ['matches', 'not_matches'] as const;

export function* regexSites(policies: readonly LoadedPolicy[]): Generator<RegexSite> {
  for (const { at, tool, pointer } of toolSites(policies)) {
    for (const [path, constraint] of Object.entries(tool.params ?? {})) {
      for (const op of REGEX_OPERATORS) {
        const pattern = constraint[op];
        if (typeof pattern === 'string') {
          yield { at, pattern, pointer: `${pointer}${encodePointer(['params', path, op])}` };
        }
      }
    }
    const patterns = tool.sanitize?.patterns ?? [];
    for (let i = 0; i < patterns.length; i++) {
      const regex = patterns[i]?.regex;
      if (typeof regex === 'string') {
        yield { at, pattern: regex, pointer: `${pointer}/sanitize/patterns/${i}/regex` };
      }
    }
  }
  for (const { site, condition, pointer } of conditionSites(policies)) {
    for (const op of REGEX_OPERATORS) {
      const pattern = condition[op];
      if (typeof pattern === 'string') yield { at: site.at, pattern, pointer: `${pointer}/${op}` };
    }
  }
}

/** Long patterns are cut in messages; the pointer shows the whole one. */
export function showPattern(pattern: string): string {
  const chars = [...pattern];
  return chars.length > 40 ? `${chars.slice(0, 39).join('')}…` : pattern;
}
