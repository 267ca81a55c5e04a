import type { JsonValue } from '../types.js';
import type { LoadedPolicy, PolicyRule, Report } from './rule.js';
import { paramConstraintSites } from './support/param-sites.js';
import { conditionSites } from './support/walk.js';

/**
 * An operand written as a bare `yes`, `no`, `on` or `off`. YAML 1.1 (Ansible, older parsers)
 * reads those as booleans; aegis reads YAML 1.2, where they are strings, so `eq: no` tests
 * for the string "no" and never matches a call's `false`. With `ne`, `not_in` or in a `not`,
 * that mistake lets calls through. Quoted, the string is clearly meant and nothing is said.
 */
export const yamlTruthyString: PolicyRule = {
  id: 'yaml-truthy-string',
  check(policies, report) {
    for (const site of paramConstraintSites(policies))
      for (const { op, value, pointer } of site.entries)
        checkOperand(site.at, op, value, pointer, report);
    // Conditions are many: their keys are looked up, not listed (operatorEntries).
    for (const { site, condition, pointer } of conditionSites(policies)) {
      const record = condition as Record<string, JsonValue | undefined>;
      for (const op of COMPARED) {
        const value = record[op];
        if (value !== undefined) checkOperand(site.at, op, value, `${pointer}/${op}`, report);
      }
    }
  },
};

/** Operators whose operand is compared with a call's value (`in`/`not_in`: each element). */
const COMPARED = ['eq', 'ne', 'in', 'not_in', 'contains'] as const;
const TRUTHY = /^(?:yes|no|on|off)$/i;

function checkOperand(
  at: LoadedPolicy,
  op: string,
  value: JsonValue,
  pointer: string,
  report: Report,
): void {
  if (!(COMPARED as readonly string[]).includes(op)) return;
  if (Array.isArray(value)) {
    value.forEach((element, i) => {
      if (isTruthyWord(element)) flag(at, element, `${pointer}/${i}`, report);
    });
  } else if (isTruthyWord(value)) flag(at, value, pointer, report);
}

function isTruthyWord(value: JsonValue): value is string {
  return typeof value === 'string' && value.length <= 3 && TRUTHY.test(value);
}

function flag(at: LoadedPolicy, word: string, pointer: string, report: Report): void {
  if (isQuoted(at, pointer)) return;
  const bool = /^(?:yes|on)$/i.test(word);
  report(
    at,
    pointer,
    `\`${word}\` is the string "${word}" here, not ${bool} (aegis reads YAML 1.2)`,
    { hint: `write ${bool} for a boolean, or quote it ("${word}") if the string is meant` },
  );
}

/**
 * Whether the scalar at `pointer` is written in quotes (JSON files always quote strings), or
 * with an anchor or an alias: anything but a bare word says what it means. (A tag, `!!str yes`,
 * never gets this far: parsing refuses it, yaml-tag.)
 */
function isQuoted(at: LoadedPolicy, pointer: string): boolean {
  const { line, column } = at.source.locate(pointer);
  const text = at.source.text;
  let start = 0;
  for (let n = 1; n < line; n++) {
    start = text.indexOf('\n', start) + 1;
    if (start === 0) return true;
  }
  const offset = start + column - 1;
  const first = text.charAt(offset);
  if (first === '"' || first === "'" || first === '*') return true;
  // An anchor comes before the scalar it marks: `&flag yes`.
  const before = text.slice(start, offset).trimEnd();
  const token = before.slice(before.search(/\S+$/));
  return token.startsWith('&');
}
