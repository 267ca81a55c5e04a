import type { PolicyRule } from './rule.js';

/** Every semantic rule, in the order they run. test/rules/index.test.ts checks it is complete. */
export const RULES: readonly PolicyRule[] = [];
