/**
 * The few calls of the OCI distribution API (distribution-spec v1.1) that the OCI registry
 * backend needs, over Node's fetch: blobs (monolithic upload), manifests by tag or digest,
 * and a HEAD that tells whether a tag exists. No auth: a registry that wants a token answers
 * 401, which is reported as an InputError naming the registry.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType: typeof OCI_MANIFEST;
  config: OciDescriptor;
  layers: OciDescriptor[];
  annotations?: Record<string, string>;
}

export interface FetchedManifest {
  manifest: OciManifest;
  /** The exact bytes, so that a channel tag can be pointed at the same digest. */
  bytes: Uint8Array;
  digest: string;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export class OciClient {
  /** `baseUrl` is `http(s)://host[:port]`, `repository` the path under /v2/. */
  constructor(
    readonly baseUrl: string,
    readonly repository: string,
  ) {}

  private url(path: string): string {
    return `${this.baseUrl}/v2/${this.repository}/${path}`;
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: 'follow' });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw new InputError(
        `cannot reach the OCI registry at ${this.baseUrl}: ${cause instanceof Error ? cause.message : String(cause)}`,
        'check the host and port of oci://host:port/repo and that the registry is running',
      );
    }
  }

  private async fail(what: string, response: Response): Promise<never> {
    const body = (await response.text()).slice(0, 300).trim();
    throw new InputError(
      `OCI registry ${this.baseUrl}: ${what} failed with HTTP ${response.status}${body ? `: ${body}` : ''}`,
    );
  }

  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.request(this.url(`blobs/${digest}`), { method: 'HEAD' });
    if (response.status === 404) return false;
    if (!response.ok) return this.fail(`HEAD blob ${digest}`, response);
    return true;
  }

  /** Uploads a blob unless the registry has it already; returns its descriptor. */
  async pushBlob(bytes: Uint8Array, mediaType: string): Promise<OciDescriptor> {
    const digest = sha256Digest(bytes);
    const descriptor = { mediaType, digest, size: bytes.byteLength };
    if (await this.hasBlob(digest)) return descriptor;
    const started = await this.request(this.url('blobs/uploads/'), { method: 'POST' });
    if (started.status !== 202) return this.fail('starting a blob upload', started);
    const location = started.headers.get('location');
    if (!location) throw new InputError(`OCI registry ${this.baseUrl}: upload without a Location`);
    const upload = new URL(location, this.baseUrl);
    upload.searchParams.set('digest', digest);
    const put = await this.request(upload.toString(), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    if (put.status !== 201) return this.fail(`uploading blob ${digest}`, put);
    return descriptor;
  }

  async getBlob(digest: string): Promise<Uint8Array> {
    const response = await this.request(this.url(`blobs/${digest}`), { method: 'GET' });
    if (!response.ok) return this.fail(`GET blob ${digest}`, response);
    const bytes = new Uint8Array(await response.arrayBuffer());
    // A registry (or a proxy in front of it) that returns other bytes must not go unnoticed.
    if (sha256Digest(bytes) !== digest) {
      throw new InputError(`OCI registry ${this.baseUrl}: blob ${digest} has another digest`);
    }
    return bytes;
  }

  /** The manifest digest of a tag, or undefined when the tag does not exist. */
  async headManifest(reference: string): Promise<string | undefined> {
    const response = await this.request(this.url(`manifests/${reference}`), {
      method: 'HEAD',
      headers: { accept: OCI_MANIFEST },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) return this.fail(`HEAD manifest ${reference}`, response);
    return response.headers.get('docker-content-digest') ?? undefined;
  }

  async getManifest(reference: string): Promise<FetchedManifest | undefined> {
    const response = await this.request(this.url(`manifests/${reference}`), {
      method: 'GET',
      headers: { accept: OCI_MANIFEST },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) return this.fail(`GET manifest ${reference}`, response);
    const bytes = new Uint8Array(await response.arrayBuffer());
    let manifest: OciManifest;
    try {
      manifest = JSON.parse(new TextDecoder().decode(bytes)) as OciManifest;
    } catch {
      manifest = {} as OciManifest;
    }
    // A registry answering with something else than JSON is refused like any wrong manifest.
    if (
      typeof manifest !== 'object' ||
      manifest === null ||
      manifest.mediaType !== OCI_MANIFEST ||
      !Array.isArray(manifest.layers)
    ) {
      throw new InputError(
        `OCI registry ${this.baseUrl}: ${this.repository}:${reference} is not an OCI image manifest`,
      );
    }
    return { manifest, bytes, digest: sha256Digest(bytes) };
  }

  async putManifest(tag: string, bytes: Uint8Array): Promise<string> {
    const response = await this.request(this.url(`manifests/${tag}`), {
      method: 'PUT',
      headers: { 'content-type': OCI_MANIFEST },
      body: bytes,
    });
    if (response.status !== 201) return this.fail(`PUT manifest ${tag}`, response);
    return sha256Digest(bytes);
  }
}
