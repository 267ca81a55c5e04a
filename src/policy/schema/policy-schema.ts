/**
 * The policy JSON Schema (`schemas/aegis-policy.v1.schema.json`) is the single source of the
 * format's shape: editors read the file, and so does the validator. It ships in the package
 * beside `dist/`, so it is found from the package root.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Ajv2020, Options } from 'ajv/dist/2020.js';
import { packageFile } from '../../package-root.js';

export const POLICY_SCHEMA_URL = pathToFileURL(
  packageFile('schemas', 'aegis-policy.v1.schema.json'),
);

const requireCjs = createRequire(import.meta.url);

/** A JSON Schema object, read as plain data. */
export interface SchemaNode {
  readonly [keyword: string]: unknown;
}

let cached: SchemaNode | undefined;

/** The parsed schema; read once per process (it is a package asset, not user input). */
export function policySchema(): SchemaNode {
  cached ??= JSON.parse(readFileSync(POLICY_SCHEMA_URL, 'utf8')) as SchemaNode;
  return cached;
}

/**
 * An ajv instance that knows the schema's editor-only keywords. `patternErrorMessage` is the
 * vscode-json-languageservice annotation (yaml-language-server shows it); the validator reads
 * it too, so a pattern failure has the same words in the editor and in CI.
 */
export function createPolicyAjv(options: Options = {}): Ajv2020 {
  // Loaded on first use: a clean run is answered by the precompiled validator and never
  // needs ajv itself (about a tenth of a second to load and compile here).
  const { Ajv2020: AjvClass } = requireCjs('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new AjvClass(options);
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  return ajv;
}
