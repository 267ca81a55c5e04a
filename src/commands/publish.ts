/**
 * `aegis publish <bundle> --registry R --version V [--channel C] [--message M] --pub P...`:
 * verifies the signature and the manifest revision, then adds the version (immutable) and
 * moves the channel in one atomic change. Exit 1: the bundle does not verify or V exists.
 */
import { resolve } from 'node:path';
import { readBundle } from '../bundle/read-bundle.js';
import { verifyBundle } from '../bundle/verify.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { loadPublicKeys } from '../registry/load-public-keys.js';
import { openRegistry } from '../registry/open-registry.js';
import { currentUser } from '../registry/registry.js';
import { printable } from '../render/printable.js';
import { readInput } from './sign.js';
import { printResult, textOrJson } from './text-or-json.js';

export interface PublishCommandOptions {
  bundle: string;
  registry?: string;
  version?: string;
  channel?: string;
  message?: string;
  pub?: string[];
  format?: string;
}

export async function run(options: PublishCommandOptions, io: CommandIO): Promise<number> {
  const format = textOrJson(options.format);
  if (!options.version) throw new UsageError('publish needs --version <version>');
  const keys = await loadPublicKeys(options.pub, io.cwd, 'publish');
  const registry = openRegistry(options.registry, io.cwd);
  const bytes = await readInput(resolve(io.cwd, options.bundle), 'bundle');

  const verified = await verifyBundle(bytes, keys);
  if (!verified.ok) {
    if (verified.reason === 'unreadable')
      throw new InputError(`${options.bundle}: ${verified.message}`);
    io.stderr(
      `aegis: refusing to publish ${options.bundle}: it does not verify (${verified.reason}): ${verified.message}\n`,
    );
    return ExitCode.findings;
  }
  const revision = await manifestRevision(bytes);
  if (revision === undefined) {
    io.stderr(`aegis: refusing to publish ${options.bundle}: its .manifest has no revision\n`);
    return ExitCode.findings;
  }

  const result = await registry.put(options.version, bytes, {
    user: currentUser(io.env),
    ...(options.channel !== undefined ? { channel: options.channel } : {}),
    ...(options.message !== undefined ? { message: options.message } : {}),
  });
  if (!result.ok) {
    io.stderr(
      `aegis: version ${options.version} already exists in the registry; versions are immutable, publish a new one\n`,
    );
    return ExitCode.findings;
  }
  const { digest, previous } = result.entry;
  const moved = options.channel !== undefined ? `, ${options.channel} -> ${options.version}` : '';
  const was = previous !== undefined ? ` (was ${previous})` : '';
  printResult(
    io,
    format,
    // The revision comes from the bundle: no control characters on the terminal.
    `published ${options.version} (revision ${printable(revision)}, sha256 ${digest})${moved}${was}\n`,
    {
      version: options.version,
      revision,
      sha256: digest,
      ...(options.channel !== undefined ? { channel: options.channel } : {}),
      ...(previous !== undefined ? { previous } : {}),
    },
  );
  return ExitCode.ok;
}

async function manifestRevision(bytes: Uint8Array): Promise<string | undefined> {
  const read = await readBundle(bytes);
  if (!read.ok) return undefined;
  const manifest = read.files.get('.manifest');
  if (!manifest) return undefined;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(manifest));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const revision = (parsed as { revision?: unknown }).revision;
    return typeof revision === 'string' && revision !== '' ? revision : undefined;
  } catch {
    return undefined;
  }
}
