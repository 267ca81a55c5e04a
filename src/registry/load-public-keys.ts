/** Reads `--pub` files as verify does: the kid is the file name without `.pub.pem`. */
import { resolve } from 'node:path';
import { parsePublicKeyPem } from '../bundle/signing-algorithm.js';
import type { PublicKeyInput } from '../bundle/verify.js';
import { keyIdFromFile, readInput } from '../commands/sign.js';
import { InputError, UsageError } from '../errors.js';

export async function loadPublicKeys(
  files: readonly string[] | undefined,
  cwd: string,
  command: string,
): Promise<PublicKeyInput[]> {
  if (!files || files.length === 0) {
    throw new UsageError(
      `${command} needs --pub <public.pem>: the registry only takes bundles whose signature verifies`,
    );
  }
  const keys: PublicKeyInput[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    const pem = (await readInput(path, 'public key')).toString('utf8');
    const parsed = parsePublicKeyPem(pem);
    if (!parsed.ok) throw new InputError(`${path}: ${parsed.message}`);
    keys.push({ pem, id: keyIdFromFile(path) });
  }
  return keys;
}
