/** `aegis keys generate`: a signing key pair, written only where no key file exists yet. */
import { rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generateSigningKeyPair } from '../bundle/keys.js';
import {
  DEFAULT_SIGNING_ALGORITHM,
  isSigningAlgorithm,
  SIGNING_ALGORITHMS,
} from '../bundle/signing-algorithm.js';
import { describeErrno } from '../errno.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { makeDirectory } from '../make-directory.js';
import { refuseStdoutDash } from './output-guard.js';
import { printResult, textOrJson } from './text-or-json.js';

export interface KeysGenerateOptions {
  alg?: string;
  out?: string;
  id?: string;
  format?: string;
}

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function run(options: KeysGenerateOptions, io: CommandIO): Promise<number> {
  const format = textOrJson(options.format);
  const alg = options.alg ?? DEFAULT_SIGNING_ALGORITHM;
  if (!isSigningAlgorithm(alg)) {
    throw new UsageError(`unknown algorithm \`${alg}\`; one of: ${SIGNING_ALGORITHMS.join(', ')}`);
  }
  const id = options.id ?? 'aegis';
  // The id becomes a file name and a JWS `kid`: no separators, no leading dot.
  if (!KEY_ID.test(id)) {
    throw new UsageError(
      '--id must be 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit',
    );
  }
  refuseStdoutDash(options.out, '--out', 'keys');
  const dir = resolve(io.cwd, options.out ?? '.');
  const privatePath = join(dir, `${id}.key.pem`);
  const publicPath = join(dir, `${id}.pub.pem`);
  for (const path of [privatePath, publicPath]) {
    if (await exists(path)) {
      throw new InputError(
        `${path} exists; aegis never overwrites a key`,
        'pick another --id or --out',
      );
    }
  }
  const pair = await generateSigningKeyPair(alg);
  try {
    await makeDirectory(dir);
  } catch (error) {
    throw new InputError(`cannot create ${dir}: ${describeErrno(error)}`);
  }
  // `wx` fails if the file appeared since the check, so a key is never replaced.
  await writeNew(privatePath, pair.privateKeyPem, 0o600);
  try {
    await writeNew(publicPath, pair.publicKeyPem, 0o644);
  } catch (error) {
    await rm(privatePath, { force: true });
    throw error;
  }
  // The paths as the user named them (`--out keys` gives keys/<id>.key.pem).
  const shownPrivate = join(options.out ?? '.', `${id}.key.pem`);
  const shownPublic = join(options.out ?? '.', `${id}.pub.pem`);
  printResult(
    io,
    format,
    `generated ${alg} key pair ${id}\n  private ${shownPrivate} (keep secret)\n  public  ${shownPublic}\n`,
    { alg, id, private: shownPrivate, public: shownPublic },
  );
  return ExitCode.ok;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new InputError(`cannot check ${path}: ${describeErrno(error)}`);
  }
}

async function writeNew(path: string, pem: string, mode: number): Promise<void> {
  try {
    await writeFile(path, pem.endsWith('\n') ? pem : `${pem}\n`, { flag: 'wx', mode });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new InputError(`${path} exists; aegis never overwrites a key`);
    throw new InputError(`cannot write ${path}: ${describeErrno(error)}`);
  }
}
