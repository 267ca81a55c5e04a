/**
 * The JWS algorithms aegis signs bundles with: the asymmetric ones OPA's `keys` configuration
 * accepts that every OPA build verifies. ES256 is the default (small keys, fast to verify).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export const DEFAULT_SIGNING_ALGORITHM: SigningAlgorithm = 'ES256';

export function isSigningAlgorithm(value: string): value is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

export type KeyAlgorithmResult =
  | { ok: true; alg: SigningAlgorithm }
  | { ok: false; message: string };

/**
 * The algorithm a key signs with: ES256 for a P-256 key, RS256 (or PS256 when asked) for an
 * RSA key. `requested` must fit the key; anything else is refused rather than guessed.
 */
export function algorithmForKey(key: KeyObject, requested?: string): KeyAlgorithmResult {
  if (requested !== undefined && !isSigningAlgorithm(requested)) {
    return {
      ok: false,
      message: `unsupported algorithm ${requested}; one of: ${SIGNING_ALGORITHMS.join(', ')}`,
    };
  }
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1') {
      return {
        ok: false,
        message: `an EC key on ${curve ?? 'an unknown curve'}; ES256 needs P-256`,
      };
    }
    if (requested !== undefined && requested !== 'ES256') {
      return { ok: false, message: `a P-256 key signs with ES256, not ${requested}` };
    }
    return { ok: true, alg: 'ES256' };
  }
  if (type === 'rsa') {
    if (requested === 'ES256') return { ok: false, message: 'an RSA key cannot sign with ES256' };
    const short = shortRsa(key);
    if (short) return { ok: false, message: short };
    return { ok: true, alg: requested ?? 'RS256' };
  }
  return {
    ok: false,
    message: `a ${type ?? 'symmetric'} key; aegis signs with P-256 (ES256) or RSA (RS256, PS256) keys`,
  };
}

/** RS256 and PS256 need 2048-bit keys (RFC 7518 3.3 and 3.5); jose refuses shorter ones. */
const MIN_RSA_BITS = 2048;

function shortRsa(key: KeyObject): string | undefined {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return bits !== undefined && bits < MIN_RSA_BITS
    ? `an RSA key of ${bits} bits; RS256 and PS256 need at least ${MIN_RSA_BITS}`
    : undefined;
}

export type ParsedKey = { ok: true; key: KeyObject } | { ok: false; message: string };

/** Parses a PEM key with Node's own parser, which also gives the key's type and curve. */
export function parsePrivateKeyPem(pem: string): ParsedKey {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED/m.test(pem)) {
    return {
      ok: false,
      message:
        'the private key is encrypted, and aegis does not ask for passphrases: give it unencrypted (from a secret store, readable only by the signer)',
    };
  }
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    return { ok: true, key };
  } catch (error) {
    return { ok: false, message: `not a PEM private key (${errorText(error)})` };
  }
}

/**
 * Node derives a public key from a private one too; a trusted key given as the private key
 * is refused instead, as the private key has no business on a machine that only verifies.
 */
export function parsePublicKeyPem(pem: string): ParsedKey {
  if (/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(pem)) {
    return {
      ok: false,
      message: 'a private key; give the public key (aegis keys generate writes it as <id>.pub.pem)',
    };
  }
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    const short = key.asymmetricKeyType === 'rsa' ? shortRsa(key) : undefined;
    return short ? { ok: false, message: short } : { ok: true, key };
  } catch (error) {
    return { ok: false, message: `not a PEM public key (${errorText(error)})` };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
