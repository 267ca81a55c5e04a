/**
 * What the error mapper needs to know about places in the policy schema, found once by walking
 * it. ajv (with `verbose`) hands back the very schema objects it was compiled from, so places
 * are recognised by object identity rather than by schema paths, which ajv words differently
 * inside and outside recursive `$ref`s.
 */
import { OPERATOR_NAMES } from '../types.js';
import type { SchemaNode } from './policy-schema.js';

export interface SchemaIndex {
  root: SchemaNode;
  /** Operator property schemas (in `params` constraints and `when` conditions) -> operator. */
  operators: ReadonlyMap<unknown, string>;
  /** The schema of one `sanitize.detectors` entry. */
  detector: unknown;
  /** For a key: where it is allowed, as phrases ("in a tool entry"), for misplaced-key hints. */
  homes: ReadonlyMap<string, readonly string[]>;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(node: unknown, ...path: string[]): unknown {
  let at = node;
  for (const key of path) at = isNode(at) ? at[key] : undefined;
  return at;
}

/** The noun for an object schema in messages: its title, lower-cased ("tool entry"). */
export function placeNoun(schema: unknown, index: SchemaIndex): string {
  if (schema === index.root) return 'agent policy';
  const title = child(schema, 'title');
  return typeof title === 'string' ? title.toLowerCase() : 'this mapping';
}

/** Where an object schema sits, as a phrase: "at the top level", "in a tool entry". */
export function placePhrase(schema: unknown, root: SchemaNode): string {
  if (schema === root) return 'at the top level';
  const noun = String(child(schema, 'title') ?? 'this mapping').toLowerCase();
  const article = noun.endsWith('s') ? '' : /^[aeiou]/.test(noun) ? 'an ' : 'a ';
  return `in ${article}${noun}`;
}

export function indexSchema(root: SchemaNode): SchemaIndex {
  const operators = new Map<unknown, string>();
  for (const def of ['paramConstraint', 'condition']) {
    for (const op of OPERATOR_NAMES) {
      const schema = child(root, '$defs', def, 'properties', op);
      if (schema !== undefined) operators.set(schema, op);
    }
  }
  const homes = new Map<string, string[]>();
  const objects = [root, ...Object.values(isNode(root.$defs) ? root.$defs : {})].filter(isNode);
  for (const schema of objects) {
    if (!isNode(schema.properties)) continue;
    for (const key of Object.keys(schema.properties)) {
      homes.set(key, [...(homes.get(key) ?? []), placePhrase(schema, root)]);
    }
  }
  return {
    root,
    operators,
    detector: child(root, '$defs', 'sanitize', 'properties', 'detectors', 'items'),
    homes,
  };
}
