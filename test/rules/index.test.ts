/**
 * The rule registry (STYLE.md 5): every module in src/policy/rules/ is one rule, registered in
 * RULES exactly once under a unique id that is a diagnostic code, and documented in the README.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../src/diagnostics.js';
import { RULES } from '../../src/policy/rules/index.js';
import type { SemanticRule } from '../../src/policy/rules/rule.js';

const RULES_DIR = new URL('../../src/policy/rules/', import.meta.url);
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** Rule modules: every .ts file at the top of the directory but the interface and the list. */
const modules = readdirSync(RULES_DIR, { withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts') && !['rule.ts', 'index.ts'].includes(e.name))
  .map((e) => e.name)
  .sort();

describe('RULES', () => {
  test('there are rule modules to check', () => {
    expect(modules.length).toBeGreaterThanOrEqual(15);
  });

  test.each(modules)(
    '%s exports one rule, registered exactly once under its file name',
    async (name) => {
      const exports = Object.values(
        (await import(new URL(name, RULES_DIR).href)) as Record<string, unknown>,
      );
      expect(exports).toHaveLength(1);
      const rule = exports[0] as SemanticRule;
      expect(RULES.filter((r) => r === rule)).toHaveLength(1);
      // The file is named after the rule: src/policy/rules/<id>.ts.
      expect(`${rule.id}.ts`).toBe(name);
    },
  );

  test('every registered rule comes from a module here', () => {
    expect(RULES.map((r) => `${r.id}.ts`).sort()).toEqual(modules);
  });

  test('ids are unique diagnostic codes, and each rule has a check', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(Object.keys(DIAGNOSTIC_CODES)).toContain(rule.id);
      expect(typeof rule.check).toBe('function');
    }
  });

  test('every rule id is documented in README.md', () => {
    const readme = readFileSync(README, 'utf8');
    expect(RULES.map((r) => r.id).filter((id) => !readme.includes(`\`${id}\``))).toEqual([]);
  });
});
