/**
 * Signs a bundle the way `opa sign` does (bundle/sign.go): one compact JWS over
 * `{"files": [{name, hash, algorithm}], "keyid"}` with the key id in the `kid` header, stored
 * as `/.signatures.json` = `{"signatures": ["<JWS>"]}`. Every file but the signature file is
 * listed, so OPA refuses a bundle with a file added, removed or changed.
 */
import type { KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { compareCodePoints } from '../engine/strings.js';
import { fileDigest, SIGNATURES_FILE } from './file-digest.js';
import { readBundle } from './read-bundle.js';
import { algorithmForKey, parsePrivateKeyPem, type SigningAlgorithm } from './signing-algorithm.js';
import { writeBundle } from './write-bundle.js';

export interface SignOptions {
  privateKeyPem: string;
  /** Goes into the `kid` header (and the deprecated `keyid` claim, as `opa sign` writes it). */
  keyId: string;
  /** Default: ES256 for a P-256 key, RS256 for an RSA key. */
  alg?: SigningAlgorithm;
}

export interface SignedFile {
  name: string;
  hash: string;
  algorithm: string;
}

/** A bundle or key that cannot be signed: the caller's input, not a bug. */
export class SignError extends Error {
  override readonly name = 'SignError';
}

export async function signBundle(bundle: Uint8Array, options: SignOptions): Promise<Buffer> {
  const read = await readBundle(bundle);
  if (!read.ok) throw new SignError(`cannot read the bundle: ${read.message}`);
  const parsed = parsePrivateKeyPem(options.privateKeyPem);
  if (!parsed.ok) throw new SignError(parsed.message);
  const alg = algorithmForKey(parsed.key, options.alg);
  if (!alg.ok) throw new SignError(alg.message);
  if (options.keyId === '') throw new SignError('the key id must not be empty');

  // A bundle signed before is signed again: the old signature file is replaced, not listed.
  const files = [...read.files].filter(([path]) => path !== SIGNATURES_FILE);
  const token = await signFiles(signedFileList(files), parsed.key, alg.alg, options.keyId);
  return writeBundle([
    ...files.map(([path, content]) => ({ path, content })),
    { path: SIGNATURES_FILE, content: `${JSON.stringify({ signatures: [token] })}\n` },
  ]);
}

/** Sorted by name so that signing the same bundle with the same key lists the same files. */
export function signedFileList(files: Iterable<[string, Uint8Array]>): SignedFile[] {
  const list: SignedFile[] = [];
  for (const [name, content] of files) {
    const digest = fileDigest(name, content);
    if (!digest.ok) throw new SignError(digest.message);
    list.push({ name, hash: digest.hash, algorithm: 'SHA-256' });
  }
  return list.sort((a, b) => compareCodePoints(a.name, b.name));
}

async function signFiles(
  files: SignedFile[],
  key: KeyObject,
  alg: SigningAlgorithm,
  keyId: string,
): Promise<string> {
  const payload = new TextEncoder().encode(JSON.stringify({ files, keyid: keyId }));
  return new CompactSign(payload).setProtectedHeader({ alg, kid: keyId, typ: 'JWT' }).sign(key);
}
