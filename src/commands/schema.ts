/**
 * `aegis schema [policy|input|decision|trace|test]`: print a JSON Schema shipped in `schemas/`.
 * A schema whose file is not in the package yet is reported as not available rather than
 * hidden, so that it appears as soon as the file is added.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { packageFile } from '../package-root.js';
import { jsonOnly } from './text-or-json.js';

export const SCHEMA_FILES = {
  policy: 'aegis-policy.v1.schema.json',
  input: 'decision-input.schema.json',
  decision: 'decision.schema.json',
  trace: 'trace-event.schema.json',
  test: 'policy-test.schema.json',
} as const;

export type SchemaName = keyof typeof SCHEMA_FILES;

export interface SchemaCommandOptions {
  name?: string;
  /** `json`, the only format schema prints. */
  format?: string;
}

export function schemaUrl(name: SchemaName): URL {
  return pathToFileURL(packageFile('schemas', SCHEMA_FILES[name]));
}

export async function run(options: SchemaCommandOptions, io: CommandIO): Promise<number> {
  jsonOnly(options.format);
  const name = options.name ?? 'policy';
  if (!Object.hasOwn(SCHEMA_FILES, name)) {
    throw new UsageError(
      `unknown schema \`${name}\`; one of: ${Object.keys(SCHEMA_FILES).join(', ')}`,
    );
  }
  let text: string;
  try {
    text = await readFile(schemaUrl(name as SchemaName), 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') {
      throw new UsageError(`schema \`${name}\` is not available yet`);
    }
    throw error;
  }
  io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
