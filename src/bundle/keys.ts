/** Key pairs for bundle signing: PKCS#8 private and SPKI public PEM, the forms OPA reads. */
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { DEFAULT_SIGNING_ALGORITHM, type SigningAlgorithm } from './signing-algorithm.js';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** RSA keys get 3072 bits: NIST's size for use past 2030, and OPA verifies any size. */
export async function generateSigningKeyPair(
  alg: SigningAlgorithm = DEFAULT_SIGNING_ALGORITHM,
): Promise<KeyPairPem> {
  const options =
    alg === 'ES256' ? { extractable: true } : { extractable: true, modulusLength: 3072 };
  const { privateKey, publicKey } = await generateKeyPair(alg, options);
  return {
    privateKeyPem: await exportPKCS8(privateKey),
    publicKeyPem: await exportSPKI(publicKey),
  };
}
