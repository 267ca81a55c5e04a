/** `aegis validate <path...>`: validate, render in the chosen format, exit 0, 1 or 2. */
import { setFlagsFromString } from 'node:v8';
import { DIAGNOSTIC_CODES, type DiagnosticCode } from '../diagnostics.js';
import { ExitCode, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { validate } from '../policy/validate.js';
import { isValidationFormat, passes, VALIDATION_RENDERERS } from '../render/renderers.js';
import { packageInfo } from './package-info.js';

export interface ValidateCommandOptions {
  paths: string[];
  format?: string;
  strict?: boolean;
  /** Warning codes, as given to `--ignore` (repeatable, or comma-separated). */
  ignore?: string[];
  /** Bytes. */
  maxFileSize?: number;
}

export async function run(options: ValidateCommandOptions, io: CommandIO): Promise<number> {
  const format = options.format ?? 'text';
  if (!isValidationFormat(format)) {
    throw new UsageError(
      `unknown format \`${format}\`; one of: ${Object.keys(VALIDATION_RENDERERS).join(', ')}`,
    );
  }
  const strict = options.strict ?? false;
  const ignore = parseIgnoreCodes(options.ignore ?? []);
  // Garbage-collector sizing for this command. Most of what validation allocates dies within
  // one policy, so V8's young generation is kept at its initial size (about 1 MB) instead of
  // growing to 16 MB: more, smaller scavenges, and far fewer fresh pages touched. On virtual
  // machines, where a page fault is expensive, that was 15-20% of the validate benchmark's
  // 1,000-file run (peak RSS 121 -> 87 MB, minor faults 28.6k -> 19.3k, /usr/bin/time). compile
  // keeps V8's default: it holds on to much more, and this made it slower.
  setFlagsFromString('--semi-space-growth-factor=1');
  const result = await validate(options.paths, {
    cwd: io.cwd,
    ignore,
    keepPolicies: false,
    ...(options.maxFileSize !== undefined ? { maxFileSize: options.maxFileSize } : {}),
  });
  const pkg = packageInfo();
  io.stdout(
    VALIDATION_RENDERERS[format](result, {
      color: io.color,
      strict,
      version: pkg.version,
      informationUri: pkg.homepage,
    }),
  );
  if (result.inputError) return ExitCode.usage;
  return passes(result, strict) ? ExitCode.ok : ExitCode.findings;
}

const WARNING_CODES = (Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[]).filter(
  (code) => DIAGNOSTIC_CODES[code].severity === 'warning',
);

/** Only warnings can be ignored: an error left out would let a broken policy through. */
export function parseIgnoreCodes(values: readonly string[]): DiagnosticCode[] {
  const codes: DiagnosticCode[] = [];
  for (const name of values.flatMap((v) => v.split(',')).map((v) => v.trim())) {
    if (name === '') continue;
    if (!Object.hasOwn(DIAGNOSTIC_CODES, name)) {
      throw new UsageError(
        `--ignore: unknown code \`${name}\`; warning codes: ${WARNING_CODES.join(', ')}`,
      );
    }
    const code = name as DiagnosticCode;
    if (DIAGNOSTIC_CODES[code].severity !== 'warning') {
      throw new UsageError(
        `--ignore: \`${name}\` is an error and cannot be ignored; warning codes: ${WARNING_CODES.join(', ')}`,
      );
    }
    codes.push(code);
  }
  return codes;
}
