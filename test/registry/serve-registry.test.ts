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
const bytes = (text: string) => new TextEncoder().encode(text);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aegis-serve-'));
  registry = new FileRegistry(join(dir, 'reg'));
  await registry.put('v1', bytes('one'), { user: 'u', channel: 'prod' });
  await registry.put('v2', bytes('two'), { user: 'u' });
  writeFileSync(join(dir, 'secret.tar.gz'), 'secret');
  server = createRegistryServer(registry);
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

  it('refuses other methods', async () => {
    expect((await fetch(`${base}/bundles/prod.tar.gz`, { method: 'POST' })).status).toBe(405);
  });
});
