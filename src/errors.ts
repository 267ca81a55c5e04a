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
