/**
 * `aegis keys generate`, `aegis sign`, `aegis verify` and `aegis compile --sign-key` through
 * the built CLI: key files and their modes, never overwriting a key, exit codes (0 verified,
 * 1 does not verify, 2 unreadable input), JSON output, and rotation by key id.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aegis, isCleanError, REPO, tempDir } from './run-cli.js';

const FINTECH = join(REPO, 'fixtures', 'policies', 'fintech.yaml');

let dir: { path: string; remove: () => void };
const run = (args: string[]) => aegis(args, { cwd: dir.path });

beforeAll(() => {
  dir = tempDir('sign');
});
afterAll(() => dir.remove());

describe('aegis keys generate', () => {
  it('writes a PKCS#8 private key (0600) and an SPKI public key, and never overwrites', () => {
    const first = run(['keys', 'generate', '--id', 'prod', '--out', 'keys']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const priv = join(dir.path, 'keys', 'prod.key.pem');
    const pub = join(dir.path, 'keys', 'prod.pub.pem');
    expect(readFileSync(priv, 'utf8')).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/,
    );
    expect(readFileSync(pub, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(statSync(priv).mode & 0o777).toBe(0o600);

    const before = readFileSync(priv, 'utf8');
    const again = run(['keys', 'generate', '--id', 'prod', '--out', 'keys']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('prod.key.pem');
    expect(isCleanError(again.stderr)).toBe(true);
    expect(readFileSync(priv, 'utf8')).toBe(before);

    // Only the public half exists: still refused, and no private key appears.
    writeFileSync(join(dir.path, 'keys', 'half.pub.pem'), 'x');
    const half = run(['keys', 'generate', '--id', 'half', '--out', 'keys']);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('half.pub.pem');
    expect(existsSync(join(dir.path, 'keys', 'half.key.pem'))).toBe(false);
  });

  it('refuses an unknown algorithm and an id that is not a plain name', () => {
    const dash = run(['keys', 'generate', '--out', '-']);
    expect(dash.code).toBe(2);
    expect(dash.stderr).toBe(
      'aegis: --out -: aegis does not write keys to standard output; name a path\n',
    );
    expect(existsSync(join(dir.path, '-'))).toBe(false);
    expect(run(['keys', 'generate', '--alg', 'HS256']).code).toBe(2);
    const bad = run(['keys', 'generate', '--id', '../evil']);
    expect(bad.code).toBe(2);
    expect(isCleanError(bad.stderr)).toBe(true);
  });
});

describe('aegis sign and verify', () => {
  beforeAll(() => {
    for (const [id, alg] of [
      ['old', 'ES256'],
      ['new', 'RS256'],
    ] as const) {
      const made = run(['keys', 'generate', '--id', id, '--alg', alg]);
      if (made.code !== 0) throw new Error(made.stderr);
    }
  });

  it('compile --sign-key signs in one step; verify accepts it (text and JSON)', () => {
    const compiled = run([
      'compile',
      FINTECH,
      '-o',
      'one-step.tar.gz',
      '--sign-key',
      'old.key.pem',
    ]);
    expect(compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
    const ok = run(['verify', 'one-step.tar.gz', '--pub', 'old.pub.pem']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('key id old');

    const json = run(['verify', 'one-step.tar.gz', '--pub', 'old.pub.pem', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, keyId: 'old' });
  });

  it('sign -o leaves the input alone; rotation verifies with both keys; a wrong key exits 1', () => {
    expect(run(['compile', FINTECH, '-o', 'plain.tar.gz']).code).toBe(0);
    const plain = readFileSync(join(dir.path, 'plain.tar.gz'));
    const signed = run(['sign', 'plain.tar.gz', '--key', 'new.key.pem', '-o', 'rotated.tar.gz']);
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    expect(readFileSync(join(dir.path, 'plain.tar.gz')).equals(plain)).toBe(true);

    const both = run([
      'verify',
      'rotated.tar.gz',
      '--pub',
      'old.pub.pem',
      'new.pub.pem',
      '--format',
      'json',
    ]);
    expect(both.code).toBe(0);
    expect(JSON.parse(both.stdout)).toMatchObject({ ok: true, keyId: 'new' });

    const wrong = run(['verify', 'rotated.tar.gz', '--pub', 'old.pub.pem', '--format', 'json']);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ ok: false, reason: 'bad-signature' });

    const unsigned = run(['verify', 'plain.tar.gz', '--pub', 'old.pub.pem']);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain('unsigned');
  });

  it('sign without -o replaces the input with a signed bundle, and --key-id names the kid', () => {
    expect(run(['compile', FINTECH, '-o', 'inplace.tar.gz']).code).toBe(0);
    const result = run(['sign', 'inplace.tar.gz', '--key', 'old.key.pem', '--key-id', 'ci-2026']);
    expect(result.code).toBe(0);
    const verified = run(['verify', 'inplace.tar.gz', '--pub', 'old.pub.pem', '--format', 'json']);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, keyId: 'ci-2026' });
  });

  it('keys generate and sign print their result as JSON with --format json', () => {
    const made = run(['keys', 'generate', '--id', 'json-1', '--out', 'jk', '--format', 'json']);
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout)).toEqual({
      alg: 'ES256',
      id: 'json-1',
      private: join('jk', 'json-1.key.pem'),
      public: join('jk', 'json-1.pub.pem'),
    });
    expect(existsSync(join(dir.path, 'jk', 'json-1.key.pem'))).toBe(true);
    expect(run(['compile', FINTECH, '-o', 'json.tar.gz']).code).toBe(0);
    const signed = run([
      'sign',
      'json.tar.gz',
      '--key',
      'jk/json-1.key.pem',
      '-o',
      'json-signed.tar.gz',
      '--format',
      'json',
    ]);
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout)).toEqual({ bundle: 'json-signed.tar.gz', keyId: 'json-1' });
    const bad = run(['sign', 'json.tar.gz', '--key', 'jk/json-1.key.pem', '--format', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/yaml/);
  });

  it('sign never writes over its key, nor to a .pem name (exit 2, the files as they were)', () => {
    expect(run(['compile', FINTECH, '-o', 'guarded.tar.gz']).code).toBe(0);
    const keyText = readFileSync(join(dir.path, 'old.key.pem'), 'utf8');
    const over = run(['sign', 'guarded.tar.gz', '--key', 'old.key.pem', '-o', 'old.key.pem']);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(
      /^aegis: -o old\.key\.pem: a bundle is not written to a \.pem file/,
    );
    const pubText = readFileSync(join(dir.path, 'new.pub.pem'), 'utf8');
    const pub = run(['sign', 'guarded.tar.gz', '--key', 'old.key.pem', '-o', 'new.pub.pem']);
    expect(pub.code).toBe(2);
    // A key under another name is still the key: compared as a file, not by name.
    writeFileSync(join(dir.path, 'signing.key'), keyText);
    const renamed = run(['sign', 'guarded.tar.gz', '--key', 'signing.key', '-o', 'signing.key']);
    expect(renamed.code).toBe(2);
    expect(renamed.stderr).toBe(
      `aegis: ${join(dir.path, 'signing.key')} is the signing key (--key); write elsewhere\n`,
    );
    expect(readFileSync(join(dir.path, 'old.key.pem'), 'utf8')).toBe(keyText);
    expect(readFileSync(join(dir.path, 'new.pub.pem'), 'utf8')).toBe(pubText);
    expect(readFileSync(join(dir.path, 'signing.key'), 'utf8')).toBe(keyText);
  });

  it('a key whose file name does not end in .pem needs --key-id (no id from /dev/fd/62)', () => {
    expect(run(['compile', FINTECH, '-o', 'unnamed.tar.gz']).code).toBe(0);
    writeFileSync(join(dir.path, 'unnamed-key'), readFileSync(join(dir.path, 'old.key.pem')));
    const refused = run(['sign', 'unnamed.tar.gz', '--key', 'unnamed-key']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'aegis: the key id comes from a key file named <id>.key.pem, and unnamed-key is not one; give --key-id\n',
    );
    const named = run(['sign', 'unnamed.tar.gz', '--key', 'unnamed-key', '--key-id', 'ci-1']);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toBe('signed unnamed.tar.gz with key id ci-1\n');
  });

  it('sign -o - is refused: a bundle is not written to stdout, nor to a file named `-`', () => {
    const compiled = run(['compile', join(REPO, 'fixtures', 'policies'), '-o', 'dash.tar.gz']);
    expect(compiled.code).toBe(0);
    const before = readFileSync(join(dir.path, 'dash.tar.gz'));
    const signed = run(['sign', 'dash.tar.gz', '--key', 'old.key.pem', '-o', '-']);
    expect(signed.code).toBe(2);
    expect(signed.stdout).toBe('');
    expect(signed.stderr).toBe(
      'aegis: -o -: aegis does not write a bundle to standard output; name a path\n',
    );
    expect(existsSync(join(dir.path, '-'))).toBe(false);
    expect(readFileSync(join(dir.path, 'dash.tar.gz')).equals(before)).toBe(true);
  });

  it('unreadable inputs exit 2 with one clean line', () => {
    writeFileSync(join(dir.path, 'garbage.tar.gz'), 'not a bundle');
    for (const args of [
      ['verify', 'garbage.tar.gz', '--pub', 'old.pub.pem'],
      ['verify', 'nope.tar.gz', '--pub', 'old.pub.pem'],
      ['verify', 'one-step.tar.gz', '--pub', 'missing.pub.pem'],
      ['verify', 'one-step.tar.gz', '--pub', 'garbage.tar.gz'],
      ['sign', 'garbage.tar.gz', '--key', 'old.key.pem'],
      ['sign', 'one-step.tar.gz', '--key', 'old.pub.pem'],
      ['compile', FINTECH, '-o', 'never.tar.gz', '--sign-key', 'missing.key.pem'],
    ]) {
      const result = run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(isCleanError(result.stderr), result.stderr).toBe(true);
    }
    expect(existsSync(join(dir.path, 'never.tar.gz'))).toBe(false);
  });

  it('refuses a short RSA key, an encrypted key and a directory, each saying which (exit 2)', () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ format: 'pem', type });
    writeFileSync(join(dir.path, 'short.key.pem'), pem(rsa1024.privateKey, 'pkcs8'));
    writeFileSync(join(dir.path, 'short.pub.pem'), pem(rsa1024.publicKey, 'spki'));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const encrypted = ec.privateKey.export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    });
    writeFileSync(join(dir.path, 'locked.key.pem'), encrypted);
    const short = 'an RSA key of 1024 bits; RS256 and PS256 need at least 2048';
    for (const [args, message] of [
      [
        ['sign', 'one-step.tar.gz', '--key', 'short.key.pem', '-o', 'x.tar.gz'],
        `cannot sign: ${short}`,
      ],
      [
        ['verify', 'one-step.tar.gz', '--pub', 'short.pub.pem'],
        `${join(dir.path, 'short.pub.pem')}: ${short}`,
      ],
      [
        ['sign', 'one-step.tar.gz', '--key', 'locked.key.pem', '-o', 'x.tar.gz'],
        'cannot sign: the private key is encrypted, and aegis does not ask for passphrases',
      ],
      [
        ['verify', 'one-step.tar.gz', '--pub', '.'],
        `public key ${dir.path} is a directory; give the file`,
      ],
    ] as const) {
      const result = run([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(`aegis: ${message}`);
      expect(isCleanError(result.stderr), result.stderr).toBe(true);
    }
    expect(existsSync(join(dir.path, 'x.tar.gz'))).toBe(false);
  });

  it('refuses a private key given as the trusted public key (which Node would derive from it)', () => {
    for (const key of ['old.key.pem', 'new.key.pem']) {
      const result = run(['verify', 'one-step.tar.gz', '--pub', key]);
      expect(result.code, key).toBe(2);
      expect(result.stderr).toBe(
        `aegis: ${join(dir.path, key)}: a private key; give the public key (aegis keys generate writes it as <id>.pub.pem)\n`,
      );
    }
  });
});
