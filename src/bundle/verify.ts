/**
 * Verifies a bundle signature as OPA does (bundle/verify.go): exactly one compact JWS in
 * `/.signatures.json`, a valid signature by one of the trusted keys, no scope (OPA's default
 * verification config has none), and a signed file list equal to the tarball's files: a file
 * added, missing or changed fails.
 */
import type { KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import { fileDigest, isSupportedHash, SIGNATURES_FILE } from './file-digest.js';
import { readBundle } from './read-bundle.js';
import { parsePublicKeyPem, SIGNING_ALGORITHMS } from './signing-algorithm.js';

export type VerifyFailureReason =
  | 'unreadable'
  | 'unsigned'
  | 'malformed-signature'
  | 'bad-signature'
  | 'scope-mismatch'
  | 'file-mismatch';

export interface FileMismatch {
  /** In the bundle, not in the signature. */
  extra: string[];
  /** In the signature, not in the bundle. */
  missing: string[];
  /** In both, with another digest. */
  changed: string[];
}

export type VerifyResult =
  | { ok: true; keyId: string; files: number }
  | {
      ok: false;
      reason: VerifyFailureReason;
      message: string;
      /** Set for `file-mismatch`. */
      files?: FileMismatch;
    };

/** A trusted public key; `id` matches a signature's `kid` (keys files: `<id>.pub.pem`). */
export interface PublicKeyInput {
  pem: string;
  id?: string;
}

type Failure = Extract<VerifyResult, { ok: false }>;
const fail = (reason: VerifyFailureReason, message: string): Failure => ({
  ok: false,
  reason,
  message,
});

/** Throws TypeError for a key that is not a PEM public key (the caller's input, checked first). */
export async function verifyBundle(
  bundle: Uint8Array,
  publicKeys: ReadonlyArray<string | PublicKeyInput>,
): Promise<VerifyResult> {
  const keys = publicKeys.map((input, index) => {
    const { pem, id } = typeof input === 'string' ? { pem: input, id: undefined } : input;
    const parsed = parsePublicKeyPem(pem);
    if (!parsed.ok) throw new TypeError(`public key ${id ?? index + 1}: ${parsed.message}`);
    return { key: parsed.key, id };
  });
  const read = await readBundle(bundle);
  if (!read.ok) return fail('unreadable', `cannot read the bundle: ${read.message}`);
  const signatures = read.files.get(SIGNATURES_FILE);
  if (signatures === undefined) return fail('unsigned', `the bundle has no /${SIGNATURES_FILE}`);

  const token = parseSignaturesFile(signatures);
  if (typeof token !== 'string') return token;
  const verified = await verifyToken(token, keys);
  if (!verified.ok) return verified;
  const payload = parsePayload(verified.payload);
  if (!payload.ok) return payload;
  if (payload.scope !== undefined && payload.scope !== '') {
    return fail(
      'scope-mismatch',
      `the signature has scope ${JSON.stringify(payload.scope)}; aegis verifies unscoped signatures only`,
    );
  }

  const files = [...read.files].filter(([path]) => path !== SIGNATURES_FILE);
  const mismatch = compareFiles(files, payload.files);
  if (mismatch.extra.length + mismatch.missing.length + mismatch.changed.length > 0) {
    const parts = [
      mismatch.changed.length ? `changed: ${mismatch.changed.join(', ')}` : '',
      mismatch.extra.length ? `not signed: ${mismatch.extra.join(', ')}` : '',
      mismatch.missing.length ? `signed but missing: ${mismatch.missing.join(', ')}` : '',
    ].filter((part) => part !== '');
    return {
      ok: false,
      reason: 'file-mismatch',
      message: `the files differ from the signed list (${parts.join('; ')})`,
      files: mismatch,
    };
  }
  return { ok: true, keyId: verified.keyId, files: files.length };
}

function parseSignaturesFile(content: Uint8Array): string | Failure {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content));
  } catch {
    return fail('malformed-signature', `/${SIGNATURES_FILE} is not JSON`);
  }
  const list = isRecord(value) ? value.signatures : undefined;
  if (!Array.isArray(list) || list.length !== 1 || typeof list[0] !== 'string') {
    // OPA accepts exactly one JWT (DefaultVerifier.VerifyBundleSignature).
    return fail(
      'malformed-signature',
      `/${SIGNATURES_FILE} must hold {"signatures": ["<one JWS>"]}`,
    );
  }
  return list[0];
}

type Verified = { ok: true; payload: Uint8Array; keyId: string } | Failure;

/**
 * Tries the keys named by the token's `kid` (or its deprecated `keyid` claim) first, then the
 * others: every key given is trusted, and a key file renamed since does not fail a good bundle.
 */
async function verifyToken(
  token: string,
  keys: ReadonlyArray<{ key: KeyObject; id: string | undefined }>,
): Promise<Verified> {
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(token);
    kid = typeof header.kid === 'string' && header.kid !== '' ? header.kid : undefined;
    kid ??= unverifiedKeyId(token);
  } catch {
    return fail('malformed-signature', 'the signature is not a compact JWS');
  }
  const ordered = [
    ...keys.filter((k) => kid !== undefined && k.id === kid),
    ...keys.filter((k) => kid === undefined || k.id !== kid),
  ];
  for (const { key, id } of ordered) {
    try {
      const { payload } = await compactVerify(token, key, { algorithms: [...SIGNING_ALGORITHMS] });
      return { ok: true, payload, keyId: kid ?? id ?? '' };
    } catch (error) {
      if (error instanceof errors.JWSInvalid) {
        return fail('malformed-signature', `the signature is not a valid JWS (${error.message})`);
      }
      // A wrong key, a wrong algorithm for this key, or a bad signature: try the next key.
    }
  }
  const named = kid === undefined ? '' : ` (signed with key id ${JSON.stringify(kid)})`;
  return fail(
    'bad-signature',
    `the signature does not verify with ${keys.length === 1 ? 'the key' : `any of the ${keys.length} keys`} given${named}`,
  );
}

function unverifiedKeyId(token: string): string | undefined {
  const part = token.split('.')[1] ?? '';
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    const keyid = isRecord(value) ? value.keyid : undefined;
    return typeof keyid === 'string' && keyid !== '' ? keyid : undefined;
  } catch {
    return undefined;
  }
}

type Payload =
  | { ok: true; files: Map<string, { hash: string; algorithm: string }>; scope: unknown }
  | Failure;

function parsePayload(bytes: Uint8Array): Payload {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return fail('malformed-signature', 'the signed payload is not JSON');
  }
  if (!isRecord(value) || !Array.isArray(value.files)) {
    return fail('malformed-signature', 'the signed payload has no "files" list');
  }
  const files = new Map<string, { hash: string; algorithm: string }>();
  for (const entry of value.files) {
    if (
      !isRecord(entry) ||
      typeof entry.name !== 'string' ||
      typeof entry.hash !== 'string' ||
      typeof entry.algorithm !== 'string'
    ) {
      return fail('malformed-signature', 'a signed file entry lacks name, hash or algorithm');
    }
    if (!isSupportedHash(entry.algorithm)) {
      return fail(
        'malformed-signature',
        `${entry.name}: unknown hash algorithm ${entry.algorithm}`,
      );
    }
    files.set(entry.name, { hash: entry.hash.toLowerCase(), algorithm: entry.algorithm });
  }
  return { ok: true, files, scope: value.scope };
}

function compareFiles(
  files: ReadonlyArray<[string, Uint8Array]>,
  signed: ReadonlyMap<string, { hash: string; algorithm: string }>,
): FileMismatch {
  const mismatch: FileMismatch = { extra: [], missing: [], changed: [] };
  const seen = new Set<string>();
  for (const [path, content] of files) {
    const entry = signed.get(path);
    if (entry === undefined) {
      mismatch.extra.push(path);
      continue;
    }
    seen.add(path);
    const digest = fileDigest(path, content, entry.algorithm);
    if (!digest.ok || digest.hash !== entry.hash) mismatch.changed.push(path);
  }
  for (const name of signed.keys()) if (!seen.has(name)) mismatch.missing.push(name);
  mismatch.extra.sort();
  mismatch.missing.sort();
  mismatch.changed.sort();
  return mismatch;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
