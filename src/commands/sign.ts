/** `aegis sign <bundle> --key K`: add an OPA-format signature, write the bundle atomically. */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { SignError, signBundle } from '../bundle/sign.js';
import { isSigningAlgorithm } from '../bundle/signing-algorithm.js';
import { writeFileAtomically } from '../bundle/write-file-atomically.js';
import { describeErrno } from '../errno.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { refuseBundleOverKeyName, refuseStdoutDash, refuseWritingOver } from './output-guard.js';
import { printResult, textOrJson } from './text-or-json.js';

export interface SignCommandOptions {
  bundle: string;
  key?: string;
  keyId?: string;
  alg?: string;
  output?: string;
  format?: string;
}

export async function run(options: SignCommandOptions, io: CommandIO): Promise<number> {
  const format = textOrJson(options.format);
  if (!options.key) throw new UsageError('sign needs --key <private.pem>');
  refuseStdoutDash(options.output, '-o', 'a bundle');
  const input = resolve(io.cwd, options.bundle);
  const output = resolve(io.cwd, options.output ?? options.bundle);
  if (options.output !== undefined) refuseBundleOverKeyName(options.output, '-o');
  refuseWritingOver([output], [resolve(io.cwd, options.key)], 'the signing key (--key)');
  const bytes = await readInput(input, 'bundle');
  const signed = await signWithKeyFile(bytes, options, io.cwd);
  await writeFileAtomically(output, signed.bundle);
  const written = options.output ?? options.bundle;
  printResult(io, format, `signed ${written} with key id ${signed.keyId}\n`, {
    bundle: written,
    keyId: signed.keyId,
  });
  return ExitCode.ok;
}

/** Shared with `aegis compile --sign-key`. Throws InputError/UsageError for the user's mistakes. */
export async function signWithKeyFile(
  bundle: Uint8Array,
  options: { key?: string; keyId?: string; alg?: string },
  cwd: string,
): Promise<{ bundle: Buffer; keyId: string }> {
  if (!options.key) throw new UsageError('a signing key is needed');
  if (options.alg !== undefined && !isSigningAlgorithm(options.alg)) {
    throw new UsageError(`unknown algorithm \`${options.alg}\`; one of: ES256, RS256, PS256`);
  }
  const keyPath = resolve(cwd, options.key);
  const pem = (await readInput(keyPath, 'key')).toString('utf8');
  // The id is what verifiers match keys by: derived only from a name that says it
  // (`prod-2026.key.pem`), never from one such as /dev/fd/62 (`--key <(...)`).
  if (options.keyId === undefined && !/\.pem$/i.test(keyPath))
    throw new UsageError(
      `the key id comes from a key file named <id>.key.pem, and ${options.key} is not one; give --key-id`,
    );
  const keyId = options.keyId ?? keyIdFromFile(keyPath);
  if (keyId === '') throw new UsageError('--key-id must not be empty');
  try {
    const signed = await signBundle(bundle, {
      privateKeyPem: pem,
      keyId,
      ...(options.alg !== undefined && isSigningAlgorithm(options.alg) ? { alg: options.alg } : {}),
    });
    return { bundle: signed, keyId };
  } catch (error) {
    if (error instanceof SignError) throw new InputError(`cannot sign: ${error.message}`);
    throw error;
  }
}

/** `prod.key.pem` -> `prod`, the id `aegis keys generate --id prod` gave it. */
export function keyIdFromFile(path: string): string {
  return basename(path).replace(/(\.key|\.pub)?\.pem$/, '');
}

export async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `${what} ${path}: no such file`
        : code === 'EISDIR'
          ? `${what} ${path} is a directory; give the file`
          : `cannot read ${what} ${path}: ${describeErrno(error)}`,
    );
  }
}
