/**
 * `aegis rollback --registry R --channel C [--to V] [--message M] --pub P...`: points the
 * channel back at the version before the current one (from the history), or at V, after
 * verifying that bundle again. A channel that is not there: exit 2 with the channels (only
 * publish makes one). A version that is not there: exit 2 with the versions; one
 * whose bundle file is not the bytes published (another sha256 than the index's): exit 2.
 */
import { verifyBundle } from '../bundle/verify.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { existingChannel, noSuchChannel } from '../registry/existing-channel.js';
import { rollbackTarget } from '../registry/file-registry.js';
import { loadPublicKeys } from '../registry/load-public-keys.js';
import { existingRegistry, openRegistry } from '../registry/open-registry.js';
import { currentUser } from '../registry/registry.js';
import { printResult, textOrJson } from './text-or-json.js';

export interface RollbackCommandOptions {
  registry?: string;
  channel?: string;
  to?: string;
  message?: string;
  pub?: string[];
  format?: string;
}

export async function run(options: RollbackCommandOptions, io: CommandIO): Promise<number> {
  const format = textOrJson(options.format);
  if (!options.channel) throw new UsageError('rollback needs --channel <channel>');
  const channel = options.channel;
  const keys = await loadPublicKeys(options.pub, io.cwd, 'rollback');
  const registry = existingRegistry(openRegistry(options.registry, io.cwd), options.registry);
  // Only publish makes channels: a mistyped one is exit 2, not a new channel while the one
  // meant keeps its bad version.
  const current = await existingChannel(registry, channel);
  const versions = await registry.list();

  let target = options.to;
  if (target === undefined) {
    target = rollbackTarget(await registry.history(), channel, current);
    if (target === undefined)
      throw new InputError(
        `the channel ${channel} has no version before ${current} to roll back to`,
        'name one with --to <version>',
      );
  }
  const bundle = await registry.get(target);
  if (!bundle.ok && bundle.reason === 'digest-mismatch') {
    // Its signature may well verify (another signed bundle copied over it): it is still not
    // the version that was published, so the channel is not pointed at it.
    throw new InputError(
      `refusing to roll back ${channel} to ${target}: its bundle file has sha256 ${bundle.actual}, the registry recorded ${bundle.expected} when it was published`,
      `restore the published bundle of ${target}, or roll back to another version with --to`,
    );
  }
  if (!bundle.ok) {
    throw new UsageError(
      `version ${target} is not in the registry; versions: ${versions.join(', ') || '(none)'}`,
    );
  }
  const verified = await verifyBundle(bundle.bytes, keys);
  if (!verified.ok) {
    io.stderr(
      `aegis: refusing to roll back ${channel} to ${target}: it does not verify (${verified.reason}): ${verified.message}\n`,
    );
    return ExitCode.findings;
  }
  const result = await registry.setChannel(channel, target, {
    user: currentUser(io.env),
    ...(options.message !== undefined ? { message: options.message } : {}),
  });
  if (!result.ok && result.reason === 'no-channel')
    throw noSuchChannel(channel, Object.keys(await registry.channels()));
  if (!result.ok) throw new UsageError(`version ${target} is not in the registry`);
  printResult(io, format, `${channel} -> ${target} (was ${current})\n`, {
    channel,
    version: target,
    previous: current,
  });
  return ExitCode.ok;
}
