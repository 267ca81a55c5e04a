/**
 * The `--format text|json` of the commands whose result is a few facts (compile, verify,
 * history, sign, keys generate, publish, rollback): the text a person reads, or one JSON
 * document on stdout for a script; and the `--format json` of those that print JSON only
 * (eval, schema).
 */
import { UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';

export type TextOrJson = 'text' | 'json';

/** The format asked for (text when none); anything else is a usage error. */
export function textOrJson(format: string | undefined): TextOrJson {
  const chosen = format ?? 'text';
  if (chosen !== 'text' && chosen !== 'json')
    throw new UsageError(`unknown format \`${chosen}\`; one of: text, json`);
  return chosen;
}

/** Prints a command's result: `text` as it is, or `json` as one indented document. */
export function printResult(
  io: CommandIO,
  format: TextOrJson,
  text: string,
  json: Record<string, unknown>,
): void {
  io.stdout(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text);
}

/**
 * The `--format` of the commands that print JSON only (eval, schema): `json`, or none; anything
 * else is a usage error worded as the other commands word theirs.
 */
export function jsonOnly(format: string | undefined): 'json' {
  if (format !== undefined && format !== 'json')
    throw new UsageError(`unknown format \`${format}\`; one of: json`);
  return 'json';
}
