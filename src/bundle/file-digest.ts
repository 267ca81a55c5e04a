/**
 * The digest OPA records for one bundle file in a signature (bundle/verify.go
 * VerifyBundleFile, bundle/hash.go, IsStructuredDoc): structured documents (`data.json`,
 * `.manifest` and a `.signatures.json` below the root, at any depth) are hashed over their
 * canonical JSON form, so whitespace does not matter; every other file over its bytes.
 */
import { createHash } from 'node:crypto';
import { canonicalizeJsonText } from './canonical-json.js';

export const SIGNATURES_FILE = '.signatures.json';

/** OPA's hash names and node:crypto's names for them (bundle/hash.go). */
const HASHES: Readonly<Record<string, string>> = {
  'SHA-256': 'sha256',
  'SHA-224': 'sha224',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
};

export function isSupportedHash(algorithm: string): boolean {
  return Object.hasOwn(HASHES, algorithm);
}

export type FileDigestResult = { ok: true; hash: string } | { ok: false; message: string };

export function fileDigest(
  path: string,
  content: Uint8Array,
  algorithm = 'SHA-256',
): FileDigestResult {
  const name = HASHES[algorithm];
  if (name === undefined)
    return { ok: false, message: `${path}: unknown hash algorithm ${algorithm}` };
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'data.yaml') {
    // OPA hashes YAML data through Go's YAML-to-JSON conversion, whose number formatting
    // cannot be reproduced exactly here; refusing beats signing with a digest OPA rejects.
    return { ok: false, message: `${path}: YAML data files are not supported in signed bundles` };
  }
  let input: Uint8Array | string = content;
  if (base === 'data.json' || base === '.manifest' || base === SIGNATURES_FILE) {
    const canonical = canonicalizeJsonText(content);
    if (!canonical.ok)
      return { ok: false, message: `${path}: not valid JSON (${canonical.message})` };
    input = canonical.text;
  }
  return { ok: true, hash: createHash(name).update(input).digest('hex') };
}
