/**
 * The Rego v1 emitter: policy IR -> the modules and data of an OPA bundle (pure; no I/O).
 *
 * The policies are data (policy-data.ts), looked up by key; the Rego is a fixed, generic
 * program that a security reviewer reads once, one package per concern (STYLE.md item 11):
 * - `aegis` (decision.rego): the entrypoint `data.aegis.decision`, steps 1 to 5, combining;
 * - `aegis.checks`, `aegis.conditions`, `aegis.sanitize`: step 6 for the matched entry;
 * - `aegis.lib` (lib/*.rego): input checks, operators, matching, scrubbing.
 * Why data and not one Rego package per policy: OPA compiles every rule and every constant
 * one by one (about 20 ms per policy of fixtures/policies/fintech.yaml's size, and 1.3 MB of
 * memory), so ten thousand agents took five minutes and 12 GB to load, where their data
 * loads in seconds. Reviewability stays: data.json is the policy as written, normalized, with
 * the source line of every entry and rule next to it.
 */
import type { JsonValue } from '../../policy/types.js';
import { IR_VERSION, type PolicySetIR } from '../ir.js';
import { CHECKS_MODULE } from './checks-module.js';
import { conditionsModule } from './conditions-module.js';
import { DECISION_MODULE } from './decision-module.js';
import { libModules } from './lib-modules.js';
import { type PolicyDataStats, policyData } from './policy-data.js';
import { SANITIZE_MODULE } from './sanitize-module.js';

export interface RegoModule {
  /** Slash path inside the bundle, e.g. `aegis/lib/input.rego`. */
  path: string;
  text: string;
}

export interface EmittedRego {
  modules: RegoModule[];
  /** The bundle's data.json: `{ "aegis": { "policies": { "tenants": ..., "global": ... } } }`. */
  data: JsonValue;
}

export function emitRego(ir: PolicySetIR): EmittedRego {
  if (ir.version !== IR_VERSION) {
    throw new Error(`emitRego: IR version ${String(ir.version)}, expected ${IR_VERSION}`);
  }
  const { data, ...stats } = policyData(ir);
  return { modules: regoModules(stats), data };
}

/** The modules, written out for the tallest condition and the longest list of matchers. */
export function regoModules(stats: PolicyDataStats): RegoModule[] {
  return [
    DECISION_MODULE,
    CHECKS_MODULE,
    conditionsModule(stats.maxHeight),
    SANITIZE_MODULE,
    ...libModules(stats.maxMatchers),
  ];
}
