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
  /**
   * The descriptor `stdin` reads (0 for the process's), looked at before it is read: a
   * directory there reads as no bytes at all, and a file there must not be written over.
   */
  stdinFd?: number;
}

/**
 * The process's streams. A reader that stops early (`aegis eval ... | head`) closes the pipe:
 * what is left to write goes nowhere, quietly, and the command still finishes with its own
 * exit code. Any other failure to write stdout (a full disk) is lost output: `onLostOutput`
 * hears of it once, with a one-line message.
 */
export function processIO(onLostOutput: (message: string) => void = () => {}): CommandIO {
  const env = process.env;
  const tty = Boolean(process.stdout.isTTY) && !env.CI;
  const color = tty && !env.NO_COLOR && env.TERM !== 'dumb';
  const stdout = guardedWriter(process.stdout, (error) => {
    if (error.code !== 'EPIPE') onLostOutput(`cannot write to standard output: ${error.message}`);
  });
  const stderr = guardedWriter(process.stderr, () => {});
  return {
    cwd: process.cwd(),
    env,
    stdout,
    stderr,
    color,
    interactive: Boolean(process.stderr.isTTY) && !env.CI,
    stdin: process.stdin,
    stdinFd: 0,
  };
}

/** Writes to `stream` until its first error (told to `failed`), and nothing after it. */
function guardedWriter(
  stream: NodeJS.WriteStream,
  failed: (error: NodeJS.ErrnoException) => void,
): (text: string) => void {
  let open = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!open) return;
    open = false;
    failed(error);
  });
  return (text) => {
    if (open) stream.write(text);
  };
}
