/**
 * The OCI registry backend against a REAL distribution registry (Debian's docker-registry):
 * put/get/list, immutability, channels as moving tags, the history document, and the raw
 * OCI layout that OPA's downloader reads (manifest and layer media types).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { OciClient } from '../../src/registry/oci-client.js';
import {
  BUNDLE_LAYER,
  EMPTY_CONFIG,
  HISTORY_TAG,
  OciRegistry,
  parseOciUrl,
} from '../../src/registry/oci-registry.js';
import { startTestRegistry, type TestRegistry } from './oci-test-registry.js';

let server: TestRegistry;
beforeAll(async () => {
  server = await startTestRegistry();
});
afterAll(async () => {
  await server?.stop();
});

const at = (iso: string) => new Date(iso);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const open = (repository: string) =>
  new OciRegistry(parseOciUrl(`oci://127.0.0.1:${server.port}/${repository}`));

describe('parseOciUrl', () => {
  it('uses plain HTTP for loopback hosts and HTTPS elsewhere', () => {
    expect(parseOciUrl('oci://127.0.0.1:5000/team/policies')).toEqual({
      baseUrl: 'http://127.0.0.1:5000',
      repository: 'team/policies',
    });
    expect(parseOciUrl('oci://localhost:5000/p').baseUrl).toBe('http://localhost:5000');
    expect(parseOciUrl('oci://registry.example/p').baseUrl).toBe('https://registry.example');
    expect(parseOciUrl('oci://registry.example/p', true).baseUrl).toBe('http://registry.example');
  });

  it('refuses what is not oci://host/repo', () => {
    for (const bad of ['http://h/p', 'oci://h', 'oci://h/', 'oci://h/Upper', 'oci://h/a//b']) {
      expect(() => parseOciUrl(bad), bad).toThrow(InputError);
    }
  });
});

describe('OciRegistry on a real registry', () => {
  const v1 = new Uint8Array(randomBytes(2048));
  const v2 = new Uint8Array(randomBytes(4096));

  it('starts empty', async () => {
    const registry = open('empty');
    expect(await registry.list()).toEqual([]);
    expect(await registry.channels()).toEqual({});
    expect(await registry.history()).toEqual([]);
    expect(await registry.get('v1')).toEqual({ ok: false, reason: 'not-found' });
  });

  it('puts, gets, lists, refuses to overwrite a version, and moves channels', async () => {
    const registry = open('acme/policies');
    const first = await registry.put('v1', v1, {
      user: 'alice',
      message: 'first',
      channel: 'prod',
      time: at('2026-01-01T00:00:00Z'),
    });
    expect(first).toEqual({
      ok: true,
      entry: {
        time: '2026-01-01T00:00:00.000Z',
        user: 'alice',
        action: 'publish',
        version: 'v1',
        digest: sha(v1),
        channel: 'prod',
        message: 'first',
      },
    });
    const got = await registry.get('v1');
    expect(got.ok && Buffer.from(got.bytes).equals(Buffer.from(v1))).toBe(true);
    expect(got.ok && got.digest).toBe(sha(v1));

    // Immutable: the same version again is refused, whatever the bytes, and v1 is unchanged.
    expect(await registry.put('v1', v2, { user: 'mallory' })).toEqual({
      ok: false,
      reason: 'exists',
    });
    const still = await registry.get('v1');
    expect(still.ok && still.digest).toBe(sha(v1));

    const second = await registry.put('v2', v2, {
      user: 'bob',
      channel: 'prod',
      time: at('2026-01-02T00:00:00Z'),
    });
    expect(second.ok && second.entry.previous).toBe('v1');
    expect(await registry.list()).toEqual(['v1', 'v2']);
    expect(await registry.channels()).toEqual({ prod: 'v2' });

    // Rollback: prod back to v1; no staging made by a rollback (only put makes channels).
    const back = await registry.setChannel('prod', 'v1', {
      user: 'carol',
      message: 'bad v2',
      time: at('2026-01-03T00:00:00Z'),
    });
    expect(back).toEqual({
      ok: true,
      entry: {
        time: '2026-01-03T00:00:00.000Z',
        user: 'carol',
        action: 'rollback',
        version: 'v1',
        digest: sha(v1),
        channel: 'prod',
        previous: 'v2',
        message: 'bad v2',
      },
    });
    expect(await registry.setChannel('staging', 'v2', { user: 'carol' })).toEqual({
      ok: false,
      reason: 'no-channel',
    });
    expect(await registry.channels()).toEqual({ prod: 'v1' });
    expect(await registry.setChannel('prod', 'v9', { user: 'carol' })).toEqual({
      ok: false,
      reason: 'not-found',
    });

    const history = await registry.history();
    expect(history.map((e) => [e.action, e.version, e.channel ?? null, e.user])).toEqual([
      ['publish', 'v1', 'prod', 'alice'],
      ['publish', 'v2', 'prod', 'bob'],
      ['rollback', 'v1', 'prod', 'carol'],
    ]);
    expect(await registry.history('staging')).toEqual([]);
    // Another client sees the same state: it lives in the registry, not in this object.
    expect(await open('acme/policies').channels()).toEqual({ prod: 'v1' });
  });

  it('writes the OCI layout that OPA pulls: OCI manifest, empty config, tar+gzip layer', async () => {
    const registry = open('layout');
    expect((await registry.put('1.0.0', v1, { user: 'a', channel: 'prod' })).ok).toBe(true);
    const accept = { accept: 'application/vnd.oci.image.manifest.v1+json' };
    const base = `${server.url}/v2/layout`;
    const byVersion = await fetch(`${base}/manifests/1.0.0`, { headers: accept });
    const byChannel = await fetch(`${base}/manifests/prod`, { headers: accept });
    expect(byVersion.headers.get('content-type')).toBe(
      'application/vnd.oci.image.manifest.v1+json',
    );
    // The channel tag is the very same manifest (same digest), not a copy.
    expect(byChannel.headers.get('docker-content-digest')).toBe(
      byVersion.headers.get('docker-content-digest'),
    );
    const manifest = (await byVersion.json()) as {
      config: { mediaType: string; digest: string };
      layers: { mediaType: string; digest: string; size: number }[];
    };
    expect(manifest.config.mediaType).toBe(EMPTY_CONFIG);
    expect(await (await fetch(`${base}/blobs/${manifest.config.digest}`)).text()).toBe('{}');
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0]?.mediaType).toBe(BUNDLE_LAYER);
    expect(manifest.layers[0]?.digest).toBe(`sha256:${sha(v1)}`);
    expect(manifest.layers[0]?.size).toBe(v1.byteLength);
  });

  it('keeps tags in one namespace: refuses names that collide or are not tags', async () => {
    const registry = open('names');
    expect((await registry.put('v1', v1, { user: 'a', channel: 'prod' })).ok).toBe(true);
    await expect(registry.put('prod', v2, { user: 'a' })).rejects.toThrow(/name of a channel/);
    await expect(registry.setChannel('v1', 'v1', { user: 'a' })).rejects.toThrow(
      /name of a version/,
    );
    await expect(registry.put(HISTORY_TAG, v2, { user: 'a' })).rejects.toThrow(InputError);
    await expect(registry.put('../x', v2, { user: 'a' })).rejects.toThrow(InputError);
    expect(await registry.list()).toEqual(['v1']);
  });

  it('refuses a history document of another format version', async () => {
    const registry = open('future');
    expect((await registry.put('v1', v1, { user: 'a' })).ok).toBe(true);
    await writeHistoryDocument('future', '{"version":2,"entries":[]}');
    await expect(registry.history()).rejects.toThrow(/format version 2/);
  });

  it('refuses a history document with a damaged entry, naming the entry', async () => {
    const cases: Array<[string, string]> = [
      ['{"version":1,"entries":[null]}', 'entries[0] must be an object'],
      [
        '{"version":1,"entries":[{"time":1}]}',
        'entries[0].time must be a non-empty string (it is 1)',
      ],
      ['{"version":1,"entries":{}}', 'entries must be an array (it is {})'],
      ['{"version":1}', 'entries must be an array (it is missing)'],
      ['null', 'format version none'],
      ['{"version":1,"entries":[', 'not valid JSON'],
    ];
    for (const [i, [document, problem]] of cases.entries()) {
      const registry = open(`damaged-${i}`);
      expect((await registry.put('v1', v1, { user: 'a', channel: 'prod' })).ok).toBe(true);
      await writeHistoryDocument(`damaged-${i}`, document);
      for (const read of [
        () => registry.history(),
        () => registry.list(),
        () => registry.channels(),
        () => registry.setChannel('prod', 'v1', { user: 'a' }),
        () => registry.put('v2', v2, { user: 'a' }),
      ]) {
        const attempt = read();
        await expect(attempt).rejects.toThrow(InputError);
        await expect(attempt).rejects.toThrow(`the ${HISTORY_TAG} document`);
        await expect(attempt).rejects.toThrow(problem);
      }
    }
  });

  it('reports an unreachable registry as an input error', async () => {
    const registry = new OciRegistry({ baseUrl: 'http://127.0.0.1:1', repository: 'x' });
    await expect(registry.list()).rejects.toThrow(/cannot reach the OCI registry/);
  });
});

/** Rewrites a repository's history tag by hand with this document. */
async function writeHistoryDocument(repository: string, document: string): Promise<void> {
  const client = new OciClient(server.url, repository);
  const layer = await client.pushBlob(
    new TextEncoder().encode(document),
    'application/vnd.aegis.history.v1+json',
  );
  const config = await client.pushBlob(new TextEncoder().encode('{}'), EMPTY_CONFIG);
  await client.putManifest(
    HISTORY_TAG,
    new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: [layer],
      }),
    ),
  );
}

describe('OciClient against a server that is no registry', () => {
  it('refuses a manifest that is not JSON as an input error (not an internal one)', async () => {
    const { createServer } = await import('node:http');
    const fake = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end('<html>a login page</html>');
    });
    await new Promise<void>((done) => fake.listen(0, '127.0.0.1', done));
    try {
      const address = fake.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const client = new OciClient(`http://127.0.0.1:${port}`, 'repo');
      const read = client.getManifest('v1');
      await expect(read).rejects.toBeInstanceOf(InputError);
      await expect(read).rejects.toThrow(/repo:v1 is not an OCI image manifest/);
    } finally {
      await new Promise((done) => fake.close(done));
    }
  });
});
