/**
 * `index.json`, the one file whose rename commits a change: versions with their digests,
 * channel pointers and the history all live in it, so a crash cannot split them.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { channelMap, type HistoryEntry } from './registry.js';
import { registryIndexProblem } from './registry-index-shape.js';

export const REGISTRY_INDEX_FORMAT = 1;
/** The index's name in the registry directory: a directory without it is not a registry. */
export const REGISTRY_INDEX_FILE = 'index.json';

export interface IndexedVersion {
  version: string;
  digest: string;
  time: string;
}

export interface RegistryIndex {
  version: typeof REGISTRY_INDEX_FORMAT;
  versions: IndexedVersion[];
  channels: Record<string, string>;
  history: HistoryEntry[];
}

export function emptyIndex(): RegistryIndex {
  return { version: REGISTRY_INDEX_FORMAT, versions: [], channels: channelMap([]), history: [] };
}

/**
 * A missing index is an empty registry (what publish starts from; the commands that only read
 * a registry refuse a directory without one first, see existingRegistry); an unreadable or
 * unknown one is an InputError.
 */
export async function readRegistryIndex(path: string): Promise<RegistryIndex> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return emptyIndex();
    throw new InputError(`cannot read ${path}: ${String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(`${path} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputError(`${path} is not a registry index`);
  const record = parsed as Record<string, unknown>;
  if (record.version !== REGISTRY_INDEX_FORMAT) {
    throw new InputError(
      `${path} has index format ${JSON.stringify(record.version)}; this aegis reads format ${REGISTRY_INDEX_FORMAT}`,
      'upgrade aegis to use this registry',
    );
  }
  // Every entry, before any is used: a damaged one is the user's to repair, not a crash.
  const problem = registryIndexProblem(record);
  if (problem !== undefined) {
    throw new InputError(
      `${path} is not a valid registry index: ${problem}`,
      'repair that entry, or restore index.json from a backup',
    );
  }
  const index = parsed as RegistryIndex;
  return { ...index, channels: channelMap(Object.entries(index.channels)) };
}
