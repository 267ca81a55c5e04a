/** Where a command writes. Tests pass buffers; the CLI passes the process streams. */
export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour and spinners: only on a TTY, never with NO_COLOR or CI set (CLI.md). */
  color: boolean;
  interactive: boolean;
  /** Standard input, for `-` arguments. */
  stdin: NodeJS.ReadableStream;
}

export function processIO(): CommandIO {
  const env = process.env;
  const tty = Boolean(process.stdout.isTTY) && !env.CI;
  const color = tty && !env.NO_COLOR && env.TERM !== 'dumb';
  return {
    cwd: process.cwd(),
    env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color,
    interactive: Boolean(process.stderr.isTTY) && !env.CI,
    stdin: process.stdin,
  };
}
