/**
 * `--shard i/n`: which events one simulation run keeps. An event belongs to the shard its
 * usage key `(tenant, agent)` hashes to, so that every event of a key (and therefore all of
 * that key's rate windows and daily spend) is replayed by exactly one shard, and merging the
 * shard reports gives the unsharded report.
 *
 * The hash is 32-bit FNV-1a over the UTF-8 bytes of `tenant + "\0" + agent` (tenant `""` when
 * absent), modulo n. It is part of the report contract: the same trace split with the same n
 * must land the same keys in the same shards on every machine and every version.
 */
import { UsageError } from '../errors.js';

export interface ShardSpec {
  /** 0-based. */
  index: number;
  count: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** The shard of a usage key (an id that is not a string hashes as its `<invalid>` label). */
export function shardOf(tenant: string | undefined, agent: string, count: number): number {
  return count <= 1 ? 0 : fnv1a32(`${tenant ?? ''}\0${agent}`) % count;
}

export function checkShard(spec: ShardSpec): ShardSpec {
  const { index, count } = spec;
  if (!Number.isSafeInteger(count) || count < 1)
    throw new UsageError(`--shard: the shard count must be a positive integer, not ${count}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count)
    throw new UsageError(`--shard: the index must be 0 to ${count - 1}, not ${index}`);
  return spec;
}

/** `"i/n"` (0-based i) -> the spec; a UsageError when it is not one. */
export function parseShard(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--shard: expected i/n (e.g. 0/4), got "${text}"`);
  return checkShard({ index: Number(match[1]), count: Number(match[2]) });
}

export function formatShard(spec: ShardSpec): string {
  return `${spec.index}/${spec.count}`;
}
