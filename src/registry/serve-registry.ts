/**
 * Serves a file registry over HTTP the way OPA's bundle downloader expects: the channel's
 * current bundle at /bundles/<channel>.tar.gz, a fixed version at
 * /bundles/<channel>/<version>.tar.gz, a strong ETag (the bundle's sha256) and 304 on a
 * matching If-None-Match. The index is read per request, so channel moves show at once. A
 * bundle file whose sha256 is not the index's digest is a 500, never served.
 * Names must match the registry's strict pattern: nothing outside bundles/ is reachable.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FileRegistry } from './file-registry.js';
import { channelVersion, isValidName } from './registry.js';

const CHANNEL_PATH = /^\/bundles\/([^/]+)\.tar\.gz$/;
const VERSION_PATH = /^\/bundles\/([^/]+)\/([^/]+)\.tar\.gz$/;

export function createRegistryServer(registry: FileRegistry, log?: (line: string) => void): Server {
  return createServer((request, response) => {
    handle(registry, request, response, log).catch((error: unknown) => {
      log?.(`error serving ${request.url ?? ''}: ${String(error)}`);
      if (!response.headersSent) send(response, 500, 'internal error\n');
      else response.destroy();
    });
  });
}

async function handle(
  registry: FileRegistry,
  request: IncomingMessage,
  response: ServerResponse,
  log: ((line: string) => void) | undefined,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    send(response, 405, 'method not allowed\n');
    return;
  }
  const path = (request.url ?? '').split('?', 1)[0] ?? '';
  const version = await resolveVersion(registry, path);
  const bundle = version !== undefined ? await registry.get(version) : undefined;
  if (bundle?.ok === false && bundle.reason === 'digest-mismatch') {
    // Not the bytes that were published: a server error (OPA keeps its last good bundle and
    // retries), said on stderr so that whoever runs the server learns which file to restore.
    log?.(
      `refusing to serve ${version}: bundles/${version}.tar.gz has sha256 ${bundle.actual}, the registry index records ${bundle.expected}`,
    );
    send(response, 500, 'bundle does not match the registry index\n');
    return;
  }
  if (!bundle?.ok) {
    send(response, 404, 'not found\n');
    return;
  }
  const etag = `"${bundle.digest}"`;
  response.setHeader('ETag', etag);
  response.setHeader('Cache-Control', 'no-cache');
  if (matches(request.headers['if-none-match'], etag)) {
    response.statusCode = 304;
    response.end();
    return;
  }
  response.statusCode = 200;
  response.setHeader('Content-Type', 'application/gzip');
  response.setHeader('Content-Length', String(bundle.bytes.byteLength));
  response.end(request.method === 'HEAD' ? undefined : bundle.bytes);
}

async function resolveVersion(registry: FileRegistry, path: string): Promise<string | undefined> {
  const fixed = VERSION_PATH.exec(path);
  if (fixed) {
    const [, channel = '', version = ''] = fixed;
    if (!isValidName(channel) || !isValidName(version)) return undefined;
    // The channel must exist; the version is any published one (for pinning and canaries).
    return channelVersion(await registry.channels(), channel) !== undefined ? version : undefined;
  }
  const current = CHANNEL_PATH.exec(path);
  if (!current) return undefined;
  const [, channel = ''] = current;
  if (!isValidName(channel)) return undefined;
  return channelVersion(await registry.channels(), channel);
}

function matches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const values = (Array.isArray(header) ? header.join(',') : header).split(',');
  return values.some((v) => {
    const tag = v.trim().replace(/^W\//, '');
    return tag === etag || tag === '*';
  });
}

function send(response: ServerResponse, status: number, body: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.end(body);
}
