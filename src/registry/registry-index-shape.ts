/**
 * The shape of what a registry reads back (the file registry's index.json, the OCI registry's
 * history document), checked in full before any of it is used: a hand-edited or damaged entry
 * (`null`, a number for a time, a channel map that is an array) is an input error naming the
 * first bad entry, never a TypeError deep in a command (exit 3).
 */
import { type HistoryEntry, isValidName } from './registry.js';

/** Where in the document, and what is wrong there: `history[0] must be an object (it is null)`. */
export type ShapeProblem = string;

const DIGEST = /^[0-9a-f]{64}$/;
const ACTIONS: ReadonlySet<unknown> = new Set([
  'publish',
  'rollback',
] satisfies HistoryEntry['action'][]);

/**
 * The first problem with an index's `versions`, `channels` and `history` (its `version` is
 * checked before, so that an unknown format gets its own message).
 */
export function registryIndexProblem(index: Record<string, unknown>): ShapeProblem | undefined {
  const { versions, channels, history } = index;
  if (!Array.isArray(versions)) return mustBe('versions', 'an array', versions);
  const published = new Set<string>();
  for (const [i, entry] of versions.entries()) {
    const at = `versions[${i}]`;
    if (!isObject(entry)) return mustBe(at, 'an object { version, digest, time }', entry);
    const problem =
      nameProblem(`${at}.version`, entry.version) ??
      digestProblem(`${at}.digest`, entry.digest) ??
      stringProblem(`${at}.time`, entry.time);
    if (problem !== undefined) return problem;
    const version = entry.version as string;
    if (published.has(version)) return `${at}.version ${JSON.stringify(version)} is listed twice`;
    published.add(version);
  }
  if (!isObject(channels)) return mustBe('channels', 'an object { channel: version }', channels);
  for (const [channel, version] of Object.entries(channels)) {
    if (!isValidName(channel))
      return `channels has a key that is not a channel name: ${show(channel)}`;
    const at = `channels.${channel}`;
    const problem = nameProblem(at, version);
    if (problem !== undefined) return problem;
    if (!published.has(version as string)) return mustBe(at, 'a version in versions', version);
  }
  if (!Array.isArray(history)) return mustBe('history', 'an array', history);
  for (const [i, entry] of history.entries()) {
    const problem = historyEntryProblem(`history[${i}]`, entry);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** The first problem with one history entry (the fields HistoryEntry declares, with their types). */
export function historyEntryProblem(at: string, entry: unknown): ShapeProblem | undefined {
  if (!isObject(entry))
    return mustBe(at, 'an object { time, user, action, version, digest, ... }', entry);
  return (
    stringProblem(`${at}.time`, entry.time) ??
    stringProblem(`${at}.user`, entry.user) ??
    (ACTIONS.has(entry.action)
      ? undefined
      : mustBe(`${at}.action`, 'publish or rollback', entry.action)) ??
    nameProblem(`${at}.version`, entry.version) ??
    digestProblem(`${at}.digest`, entry.digest) ??
    optional(entry, 'channel', () => nameProblem(`${at}.channel`, entry.channel)) ??
    optional(entry, 'previous', () => nameProblem(`${at}.previous`, entry.previous)) ??
    optional(entry, 'message', () => stringProblem(`${at}.message`, entry.message, true))
  );
}

function optional(
  entry: Record<string, unknown>,
  key: string,
  check: () => ShapeProblem | undefined,
): ShapeProblem | undefined {
  return Object.hasOwn(entry, key) ? check() : undefined;
}

function stringProblem(at: string, value: unknown, emptyToo = false): ShapeProblem | undefined {
  return typeof value === 'string' && (emptyToo || value !== '')
    ? undefined
    : mustBe(at, emptyToo ? 'a string' : 'a non-empty string', value);
}

function nameProblem(at: string, value: unknown): ShapeProblem | undefined {
  return typeof value === 'string' && isValidName(value)
    ? undefined
    : mustBe(at, 'a version or channel name', value);
}

function digestProblem(at: string, value: unknown): ShapeProblem | undefined {
  return typeof value === 'string' && DIGEST.test(value)
    ? undefined
    : mustBe(at, 'a sha256 digest (64 hex digits)', value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mustBe(at: string, what: string, value: unknown): ShapeProblem {
  return `${at} must be ${what} (it is ${value === undefined ? 'missing' : show(value)})`;
}

/** A value as JSON, cut short: enough to find it in the file. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
