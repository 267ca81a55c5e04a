/**
 * `aegis eval <bundle|policy path...> --input FILE|-`: decide one input (a JSON document) or
 * many (JSON Lines, one decision per output line) with the chosen engine.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Decision, reasonInOrder } from '../engine/decision.js';
import { createEngine, ENGINE_NAMES, isEngineName } from '../engine/engines.js';
import { explainDecision } from '../engine/explain.js';
import type { JsonObject } from '../engine/json.js';
import { MAX_INPUT_DEPTH, nestsDeeperThan, numbersFinite } from '../engine/json.js';
import { compareCodePoints } from '../engine/strings.js';
import { describeErrno } from '../errno.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { decodeUtf8 } from '../policy/read-files.js';
import { loadPolicies } from './load-policies.js';
import { jsonOnly } from './text-or-json.js';

export interface EvalCommandOptions {
  paths: string[];
  input?: string;
  engine?: string;
  explain?: boolean;
  /** `json`, the only format eval prints (CLI.md: every command that prints takes --format). */
  format?: string;
  maxInputSize?: number;
}

const DEFAULT_MAX_INPUT = 64 * 1024 * 1024;

export async function run(options: EvalCommandOptions, io: CommandIO): Promise<number> {
  jsonOnly(options.format);
  const engineName = options.engine ?? 'native';
  if (!isEngineName(engineName)) {
    throw new UsageError(`unknown engine \`${engineName}\`; one of: ${ENGINE_NAMES.join(', ')}`);
  }
  if (!options.input) throw new UsageError('eval needs --input <file|->');
  const text = await readInputText(options.input, io, options.maxInputSize ?? DEFAULT_MAX_INPUT);
  const parsed = parseInputs(text, options.input);

  const loaded = await loadPolicies(options.paths, engineName, io);
  if (!loaded.ok) return loaded.code;
  const engine = await createEngine(engineName, loaded.set, { cwd: io.cwd, env: io.env });
  try {
    const decisions = (await engine.evaluateMany(parsed.inputs)).map(inDocumentOrder);
    if (parsed.lines) {
      io.stdout(decisions.map((d) => `${JSON.stringify(d)}\n`).join(''));
    } else {
      io.stdout(`${JSON.stringify(decisions[0], null, 2)}\n`);
    }
    if (options.explain) {
      parsed.inputs.forEach((input, i) => {
        const decision = decisions[i];
        if (decision) io.stderr(explainDecision(loaded.set.ir, input, decision));
      });
    }
  } finally {
    await engine.close();
  }
  return ExitCode.ok;
}

/**
 * The decision with its members in the order of POLICY-LANGUAGE.md section 5 and its params'
 * keys sorted (code point order), whichever engine made it: OPA and policy.wasm hand back
 * every object's keys sorted, the native engine in the order it built them, and the same
 * decision should print the same bytes with every --engine.
 */
export function inDocumentOrder(decision: Decision): Decision {
  return {
    decision: decision.decision,
    outcome: decision.outcome,
    allow: decision.allow,
    mode: decision.mode,
    reasons: decision.reasons.map(reasonInOrder),
    redactions: decision.redactions.map((r) => ({ path: r.path, by: r.by })),
    params: sortedKeys(decision.params) as JsonObject,
    ...(decision.policy
      ? {
          policy: {
            agent: decision.policy.agent,
            ...(decision.policy.tenant !== undefined ? { tenant: decision.policy.tenant } : {}),
          },
        }
      : {}),
  };
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).sort(([a], [b]) => compareCodePoints(a, b));
  // fromEntries defines own properties: a parameter called `__proto__` stays a key.
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)]));
}

async function readInputText(source: string, io: CommandIO, cap: number): Promise<string> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of io.stdin) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += buffer.length;
      if (size > cap) throw new InputError(`standard input is over the ${cap}-byte input cap`);
      chunks.push(buffer);
    }
    return strictUtf8(Buffer.concat(chunks), 'standard input');
  }
  const path = resolve(io.cwd, source);
  try {
    const bytes = await readFile(path);
    if (bytes.length > cap) throw new InputError(`${source} is over the ${cap}-byte input cap`);
    return strictUtf8(bytes, `--input ${source}`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read --input ${source}: ${describeErrno(error)}`);
  }
}

/**
 * The input's text, decoded as validate and test decode files: bytes that are not UTF-8 (or
 * hold NUL) are refused rather than read with U+FFFD in their place, which would decide a
 * call the gateway never sent.
 */
function strictUtf8(bytes: Uint8Array, where: string): string {
  const decoded = decodeUtf8(bytes);
  if (decoded.ok) return decoded.text;
  throw new InputError(
    `${where}:${decoded.line}:${decoded.column}: ${decoded.message}`,
    decoded.hint,
  );
}

/**
 * One JSON document, else JSON Lines; a bad line is an input error naming its line. A `.jsonl`
 * or `.ndjson` file is always JSON Lines, so that a file holding a single line still gets a
 * single compact output line, as a script reading the output line by line expects.
 */
export function parseInputs(file: string, source: string): { inputs: unknown[]; lines: boolean } {
  // A leading byte order mark (editors on Windows write one) is not part of the text, as for
  // policies and traces.
  const text = file.charCodeAt(0) === 0xfeff ? file.slice(1) : file;
  if (text.trim() === '') throw new InputError(`--input ${source} is empty`);
  if (!/\.(jsonl|ndjson)$/i.test(source)) {
    let input: unknown;
    let parsed = false;
    try {
      input = JSON.parse(text);
      parsed = true;
    } catch {
      // Not one document: JSON Lines.
    }
    if (parsed) return { inputs: [evaluableInput(input, `--input ${source}`)], lines: false };
  }
  const inputs: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let input: unknown;
    try {
      input = JSON.parse(line);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InputError(`--input ${source}:${i + 1}: not JSON (${reason})`);
    }
    inputs.push(evaluableInput(input, `--input ${source}:${i + 1}`));
  });
  return { inputs, lines: true };
}

/**
 * The input, or an InputError for what no engine may see: nesting past json.ts MAX_INPUT_DEPTH, and a number past
 * the double range (`1e400`), which JSON.parse reads as Infinity and aegis would decide as
 * null, while OPA keeps the number and compares it (`aegis test` refuses it too).
 */
function evaluableInput(input: unknown, where: string): unknown {
  if (nestsDeeperThan(input, MAX_INPUT_DEPTH))
    throw new InputError(
      `${where}: the input nests objects and arrays more than ${MAX_INPUT_DEPTH} levels deep`,
    );
  if (!numbersFinite(input))
    throw new InputError(
      `${where}: a number is beyond what a double holds (such as 1e400), which aegis cannot compare as OPA would`,
    );
  return input;
}
