import { describe, expect, it } from 'vitest';
import {
  buildManifest,
  parseManifest,
  readAegisMetadata,
  serializeManifest,
} from '../../src/bundle/manifest.js';

const SHA = 'a'.repeat(64);

describe('buildManifest', () => {
  it('builds the aegis manifest, with wasm resolvers only when asked', () => {
    const plain = buildManifest({ revision: 'rev-1', compiler: '0.1.0', sourceSha256: SHA });
    expect(plain).toEqual({
      revision: 'rev-1',
      roots: ['aegis'],
      rego_version: 1,
      metadata: { aegis: { format: 1, compiler: '0.1.0', source_sha256: SHA } },
    });
    const withWasm = buildManifest({
      revision: 'rev-1',
      compiler: '0.1.0',
      sourceSha256: SHA,
      wasm: true,
    });
    expect(withWasm.wasm).toEqual([{ entrypoint: 'aegis/decision', module: '/policy.wasm' }]);
  });

  it('serializes canonically and parses back to the same manifest', () => {
    const manifest = buildManifest({
      revision: 'r',
      compiler: '0.1.0',
      sourceSha256: SHA,
      wasm: true,
    });
    const text = serializeManifest(manifest);
    expect(text).toBe(
      `{"metadata":{"aegis":{"compiler":"0.1.0","format":1,"source_sha256":"${SHA}"}},"rego_version":1,` +
        '"revision":"r","roots":["aegis"],"wasm":[{"entrypoint":"aegis/decision","module":"/policy.wasm"}]}',
    );
    expect(parseManifest(new TextEncoder().encode(text))).toEqual({ ok: true, manifest });
  });
});

describe('parseManifest', () => {
  it('reads what `opa build` writes, defaults included', () => {
    const result = parseManifest(
      '{"revision":"","roots":[""],"wasm":[{"entrypoint":"aegis/decision","module":"/policy.wasm"}],"rego_version":1}',
    );
    expect(result).toEqual({
      ok: true,
      manifest: {
        revision: '',
        roots: [''],
        rego_version: 1,
        wasm: [{ entrypoint: 'aegis/decision', module: '/policy.wasm' }],
      },
    });
    expect(parseManifest('{}')).toEqual({ ok: true, manifest: { revision: '' } });
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['a numeric revision', '{"revision":1}', /revision/],
    ['roots that are not strings', '{"roots":[1]}', /roots/],
    ['overlapping roots', '{"roots":["aegis","aegis/x"]}', /overlap/],
    ['an unknown rego_version', '{"rego_version":2}', /rego_version/],
    ['a wasm entry without a module', '{"wasm":[{"entrypoint":"aegis/decision"}]}', /wasm/],
    [
      'a wasm entrypoint outside the roots',
      '{"roots":["aegis"],"wasm":[{"entrypoint":"other/x","module":"/policy.wasm"}]}',
      /outside the roots/,
    ],
    ['metadata that is not an object', '{"metadata":[]}', /metadata/],
  ])('refuses %s', (_name, text, message) => {
    const result = parseManifest(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('readAegisMetadata', () => {
  it('returns aegis facts and refuses other formats or foreign bundles', () => {
    const manifest = buildManifest({ revision: 'r', compiler: '0.1.0', sourceSha256: SHA });
    expect(readAegisMetadata(manifest)).toEqual({
      ok: true,
      metadata: { format: 1, compiler: '0.1.0', source_sha256: SHA },
    });
    expect(readAegisMetadata({ revision: '' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not an aegis bundle/),
    });
    const future = {
      revision: '',
      metadata: { aegis: { format: 2, compiler: '9', source_sha256: SHA } },
    };
    expect(readAegisMetadata(future)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/format 1/),
    });
  });
});
