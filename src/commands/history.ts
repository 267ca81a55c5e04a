/** `aegis history --registry R [--channel C] [--format text|json]`: oldest first. */
import { ExitCode } from '../errors.js';
import type { CommandIO } from '../io.js';
import { existingChannel } from '../registry/existing-channel.js';
import { existingRegistry, openRegistry } from '../registry/open-registry.js';
import { printable } from '../render/printable.js';
import { textOrJson } from './text-or-json.js';

export interface HistoryCommandOptions {
  registry?: string;
  channel?: string;
  format?: string;
}

export async function run(options: HistoryCommandOptions, io: CommandIO): Promise<number> {
  const format = textOrJson(options.format);
  const registry = existingRegistry(openRegistry(options.registry, io.cwd), options.registry);
  // A mistyped channel has no history either: say so, rather than "no history" and exit 0.
  if (options.channel !== undefined) await existingChannel(registry, options.channel);
  const entries = await registry.history(options.channel);
  if (format === 'json') {
    io.stdout(`${JSON.stringify(entries, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (entries.length === 0) io.stdout('no history\n');
  for (const e of entries) {
    const move =
      e.channel !== undefined
        ? ` ${e.channel} -> ${e.version}${e.previous !== undefined ? ` (was ${e.previous})` : ''}`
        : ` ${e.version}`;
    // The message and the user are whatever was typed (--message, AEGIS_USER), and the time is
    // only checked to be a string: a newline or an escape sequence in them must not forge or
    // hide a line of the audit trail. Versions, channels and digests are checked names.
    const message = e.message !== undefined ? `  "${printable(e.message)}"` : '';
    io.stdout(
      `${printable(e.time)}  ${e.action.padEnd(8)} ${printable(e.user)}${move}  sha256:${e.digest.slice(0, 12)}${message}\n`,
    );
  }
  return ExitCode.ok;
}
