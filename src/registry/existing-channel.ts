/**
 * The channel a command names, for the commands that read or move one (history, rollback):
 * a mistyped channel is not an empty one nor a new one (only publish makes channels), but an
 * input error naming the channels there are.
 */
import { InputError } from '../errors.js';
import { channelVersion, type Registry } from './registry.js';

/** The version the channel points at; an InputError when there is no such channel. */
export async function existingChannel(registry: Registry, channel: string): Promise<string> {
  const channels = await registry.channels();
  const current = channelVersion(channels, channel);
  if (current !== undefined) return current;
  throw noSuchChannel(channel, Object.keys(channels));
}

export function noSuchChannel(channel: string, channels: readonly string[]): InputError {
  return new InputError(
    `the channel ${channel} does not exist`,
    channels.length > 0
      ? `channels: ${[...channels].sort().join(', ')}`
      : 'no channel yet: `aegis publish --channel <name>` makes one',
  );
}
