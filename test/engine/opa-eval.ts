/**
 * Runs the real OPA binary (`AEGIS_OPA`, else `.tools/bin/opa`, where `npm run install-opa`
 * and CI put it) on one query over one input: the engine tests use it as the oracle for the
 * Go semantics they emulate (number arithmetic, RFC 3339 parsing, time zones, regexes).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OPA =
  process.env.AEGIS_OPA ?? fileURLToPath(new URL('../../.tools/bin/opa', import.meta.url));

export function opaAvailable(): boolean {
  return existsSync(OPA);
}

/** `opa eval` of `query` with `input` as stdin input; returns the query's single value. */
export function opaEval(query: string, input: string): unknown {
  if (!opaAvailable()) throw new Error(`OPA not found at ${OPA}: run npm run install-opa`);
  const out = execFileSync(OPA, ['eval', '--format', 'json', '--stdin-input', query], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const result = JSON.parse(out) as { result?: { expressions: { value: unknown }[] }[] };
  return result.result?.[0]?.expressions[0]?.value;
}
