import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRegistry, sha256Hex } from '../../src/registry/file-registry.js';
import { createRegistryServer } from '../../src/registry/serve-registry.js';

let dir: string;
let server: Server;
let base: string;
let registry: FileRegistry;
const logged: string[] = [];
const bytes = (text: string) => new TextEncoder().encode(text);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aegis-serve-'));
  registry = new FileRegistry(join(dir, 'reg'));
  await registry.put('v1', bytes('one'), { user: 'u', channel: 'prod' });
  await registry.put('v2', bytes('two'), { user: 'u' });
  writeFileSync(join(dir, 'secret.tar.gz'), 'secret');
  server = createRegistryServer(registry, (line) => logged.push(line));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('the registry server', () => {
  it("serves a channel's bundle with a sha256 ETag and answers 304 when it matches", async () => {
    const response = await fetch(`${base}/bundles/prod.tar.gz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    const etag = `"${sha256Hex(bytes('one'))}"`;
    expect(response.headers.get('etag')).toBe(etag);
    expect(await response.text()).toBe('one');
    const again = await fetch(`${base}/bundles/prod.tar.gz`, {
      headers: { 'If-None-Match': etag },
    });
    expect(again.status).toBe(304);
    const stale = await fetch(`${base}/bundles/prod.tar.gz`, {
      headers: { 'If-None-Match': '"x"' },
    });
    expect(stale.status).toBe(200);
  });

  it('follows channel moves without a restart, and serves fixed versions', async () => {
    await registry.setChannel('prod', 'v2', { user: 'u' });
    expect(await (await fetch(`${base}/bundles/prod.tar.gz`)).text()).toBe('two');
    expect(await (await fetch(`${base}/bundles/prod/v1.tar.gz`)).text()).toBe('one');
    await registry.setChannel('prod', 'v1', { user: 'u' });
    expect(await (await fetch(`${base}/bundles/prod.tar.gz`)).text()).toBe('one');
  });

  it.each([
    '/bundles/nope.tar.gz',
    '/bundles/prod/v9.tar.gz',
    '/bundles/nochannel/v1.tar.gz',
    // Names of Object.prototype's members are no channels here.
    '/bundles/constructor/v1.tar.gz',
    '/bundles/hasOwnProperty/v1.tar.gz',
    '/bundles/toString.tar.gz',
    '/bundles/valueOf.tar.gz',
    '/bundles/..%2F..%2Fsecret.tar.gz',
    '/bundles/../../secret.tar.gz',
    '/bundles/%2e%2e/secret.tar.gz',
    '/index.json',
    '/bundles/prod.tar.gz/x',
    '/',
  ])('404 for %s', async (path) => {
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('secret');
  });

  it('answers 500 for a bundle file that is not the one published, and serves the rest', async () => {
    const path = registry.bundlePath('v1');
    // v2's bytes copied over v1's file: prod and its pinned v1 must not hand them out.
    writeFileSync(path, 'two');
    logged.length = 0;
    try {
      for (const url of ['/bundles/prod.tar.gz', '/bundles/prod/v1.tar.gz']) {
        for (const init of [{}, { method: 'HEAD' }, { headers: { 'If-None-Match': '*' } }]) {
          const response = await fetch(`${base}${url}`, init);
          expect(response.status, url).toBe(500);
          expect(response.headers.get('etag')).toBeNull();
          const body = await response.text();
          if (init.method !== 'HEAD')
            expect(body).toBe('bundle does not match the registry index\n');
        }
      }
      expect(logged).toHaveLength(6);
      expect(logged[0]).toBe(
        `refusing to serve v1: bundles/v1.tar.gz has sha256 ${sha256Hex(bytes('two'))}, the registry index records ${sha256Hex(bytes('one'))}`,
      );
      // The server goes on serving what does match.
      const other = await fetch(`${base}/bundles/prod/v2.tar.gz`);
      expect(other.status).toBe(200);
      expect(await other.text()).toBe('two');
    } finally {
      writeFileSync(path, 'one');
    }
    expect((await fetch(`${base}/bundles/prod.tar.gz`)).status).toBe(200);
  });

  it('refuses other methods', async () => {
    expect((await fetch(`${base}/bundles/prod.tar.gz`, { method: 'POST' })).status).toBe(405);
  });
});
