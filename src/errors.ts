/**
 * The error taxonomy (STYLE.md 6). User mistakes are collected as diagnostics or thrown as
 * UsageError/InputError, which the CLI turns into one line and exit 2. Anything else that
 * escapes is a bug: exit 3 with a "please report" line.
 */

export const ExitCode = {
  ok: 0,
  findings: 1,
  usage: 2,
  internal: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A bad flag or argument combination. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An input that cannot be used: unreadable or malformed file, missing tool such as opa. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function isUserError(error: unknown): error is UsageError | InputError {
  return error instanceof UsageError || error instanceof InputError;
}

/**
 * The default of a switch that covers every member of a union: a value of none of them is a
 * bug (exit 3), never a case to let through. irFromPolicyData refuses such values in a
 * bundle's data.json, so only an IR built wrongly gets here.
 */
export function unreachable(what: string, value: never): never {
  const shown = JSON.stringify(value) ?? String(value);
  throw new Error(
    `${what} ${shown.length > 60 ? `${shown.slice(0, 59)}…` : shown} is not one aegis has`,
  );
}
