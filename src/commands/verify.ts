/** `aegis verify <bundle> --pub P...`: exit 0 when the signature and every file check out. */
import { resolve } from 'node:path';
import { parsePublicKeyPem } from '../bundle/signing-algorithm.js';
import { type PublicKeyInput, verifyBundle } from '../bundle/verify.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { keyIdFromFile, readInput } from './sign.js';
import { textOrJson } from './text-or-json.js';

export interface VerifyCommandOptions {
  bundle: string;
  pub?: string[];
  format?: string;
}

export async function run(options: VerifyCommandOptions, io: CommandIO): Promise<number> {
  const format = textOrJson(options.format);
  if (!options.pub || options.pub.length === 0)
    throw new UsageError('verify needs --pub <public.pem>');
  const keys: PublicKeyInput[] = [];
  for (const file of options.pub) {
    const path = resolve(io.cwd, file);
    const pem = (await readInput(path, 'public key')).toString('utf8');
    const parsed = parsePublicKeyPem(pem);
    if (!parsed.ok) throw new InputError(`${path}: ${parsed.message}`);
    keys.push({ pem, id: keyIdFromFile(path) });
  }
  const bundlePath = resolve(io.cwd, options.bundle);
  const result = await verifyBundle(await readInput(bundlePath, 'bundle'), keys);
  if (!result.ok && result.reason === 'unreadable')
    throw new InputError(`${options.bundle}: ${result.message}`);

  if (format === 'json') {
    io.stdout(`${JSON.stringify({ bundle: options.bundle, ...result }, null, 2)}\n`);
  } else if (result.ok) {
    io.stdout(
      `verified ${options.bundle}: signed with key id ${result.keyId}, ${result.files} files match\n`,
    );
  } else {
    io.stderr(`aegis: ${options.bundle} does not verify (${result.reason}): ${result.message}\n`);
  }
  return result.ok ? ExitCode.ok : ExitCode.findings;
}
