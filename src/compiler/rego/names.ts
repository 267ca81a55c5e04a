/**
 * Names in the emitted Rego: rule names derived from policy ids, package paths and module
 * file paths of the policy packages.
 */
import type { PolicyIR } from '../ir.js';
import { regoRef } from './terms.js';

/** The package of one policy: looked up by key (tenant, agent) or (agent) in decision.rego. */
export function policyPackage(policy: PolicyIR): string {
  return policy.tenant === undefined
    ? regoRef('aegis.policies.global', [policy.agent])
    : regoRef('aegis.policies.tenants', [policy.tenant, policy.agent]);
}

/** The module's file path in the bundle, mirroring the package path. */
export function policyModulePath(policy: PolicyIR): string {
  return policy.tenant === undefined
    ? `aegis/policies/global/${fileSegment(policy.agent)}.rego`
    : `aegis/policies/tenants/${fileSegment(policy.tenant)}/${fileSegment(policy.agent)}.rego`;
}

/**
 * A tenant or agent id as one safe path segment: letters, digits, `_`, `-` and inner dots as
 * they are, every other byte of its UTF-8 as `%XX` (so `/`, `..` and control characters
 * cannot escape the directory or confuse a tar reader).
 */
export function fileSegment(id: string): string {
  let out = '';
  const bytes = new TextEncoder().encode(id);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    const c = String.fromCharCode(byte);
    const plain = /[A-Za-z0-9_-]/.test(c) || (c === '.' && i > 0 && i < bytes.length - 1);
    out += plain ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out === '' ? '%' : out;
}

/**
 * Allocates rule names made of lower-case words from ids (`rule_stripe_payments_weekend`),
 * unique within one module.
 */
export class NameAllocator {
  private readonly used = new Set<string>();

  constructor(reserved: readonly string[]) {
    for (const name of reserved) this.used.add(name);
  }

  allocate(prefix: string, ...parts: string[]): string {
    const words = parts
      .join('_')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
    const base = words === '' ? prefix : `${prefix}_${words}`;
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }
}
