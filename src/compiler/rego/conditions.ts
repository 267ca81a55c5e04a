/**
 * `when` conditions as Rego (POLICY-LANGUAGE.md section 2, docs/semantics.md "Rule
 * conditions"). Two-valued: a test on a missing value, or on a value of the wrong type for
 * its operator, is false, and `not` of it is true. A conjunction is one body; `any` and `not`
 * become helper rules, because a rule with several bodies is Rego's disjunction and `not` of
 * a rule is true exactly when the rule is not (the same `not` applied to a call would not be:
 * see operators.ts).
 */
import type { ConditionIR } from '../ir.js';
import type { NameAllocator } from './names.js';
import { operatorRego } from './operators.js';
import { rule } from './rego-text.js';
import { regoRef, regoString, regoValue } from './terms.js';

/** Compiles one rule's condition: the main rule `name`, guarded, and its helpers. */
export function conditionRules(
  name: string,
  lead: readonly string[],
  guard: readonly string[],
  when: ConditionIR,
  names: NameAllocator,
): string[] {
  const helpers: string[] = [];
  const compiler = new ConditionCompiler((kind) => names.allocate(name, kind), helpers);
  const body = [...guard, ...compiler.conjunction(when)];
  return [rule(lead, name, body.length > 0 ? body : ['true']), ...helpers];
}

class ConditionCompiler {
  constructor(
    private readonly helperName: (kind: 'any' | 'not') => string,
    private readonly helpers: string[],
  ) {}

  /** The expressions of one body that holds exactly when `when` holds. */
  conjunction(when: ConditionIR): string[] {
    const vars = new Map<string, string>();
    return this.expressions(when, vars);
  }

  private expressions(when: ConditionIR, vars: Map<string, string>): string[] {
    switch (when.kind) {
      case 'param':
      case 'field': {
        const ref = regoRef(when.kind === 'param' ? 'input.params' : 'input', when.path);
        const key = `${when.kind}:${JSON.stringify(when.path)}`;
        const out: string[] = [];
        let value = vars.get(key);
        if (value === undefined) {
          value = vars.size === 0 ? 'value' : `value_${vars.size + 1}`;
          vars.set(key, value);
          out.push(`${value} := ${ref}`);
        }
        for (const test of when.tests) {
          const rego = operatorRego(test.op, value, test.value);
          if (rego.applies !== undefined) out.push(rego.applies);
          out.push(rego.holds);
        }
        return out;
      }
      case 'time': {
        const out: string[] = [];
        const tz = regoString(when.tz);
        if (when.days !== undefined) out.push(`lib.weekday(${tz}) in ${regoValue(when.days)}`);
        if (when.hours !== undefined) {
          const { start, end } = when.hours;
          out.push(`lib.within_hours(${tz}, ${start}, ${end}) # ${clock(start)}-${clock(end)}`);
        }
        return out;
      }
      case 'all':
        return when.of.flatMap((child) => this.expressions(child, vars));
      case 'any': {
        if (when.of.length === 0) return ['false'];
        const helper = this.helperName('any');
        for (const child of when.of) {
          const body = this.conjunction(child);
          this.helpers.push(rule([], helper, body.length > 0 ? body : ['true']));
        }
        return [helper];
      }
      case 'not': {
        const body = this.conjunction(when.of);
        const [only] = body;
        if (body.length === 1 && only !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(only)) {
          // Already a helper rule (or true/false): negate it directly.
          return [only === 'true' ? 'false' : only === 'false' ? 'true' : `not ${only}`];
        }
        if (body.length === 0) return ['false'];
        const helper = this.helperName('not');
        this.helpers.push(rule([], helper, body));
        return [`not ${helper}`];
      }
    }
  }
}

/** Minutes since midnight as HH:MM, for the comment beside a time window. */
function clock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
