/**
 * `aegis serve --registry DIR [--host 127.0.0.1] [--port N]`: serves the registry's channels
 * to OPA until SIGINT or SIGTERM. Prints the URL on stderr.
 */
import { ExitCode, InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { existingRegistry, openFileRegistry } from '../registry/open-registry.js';
import { createRegistryServer } from '../registry/serve-registry.js';

export interface ServeCommandOptions {
  registry?: string;
  host?: string;
  port?: number;
}

export async function run(options: ServeCommandOptions, io: CommandIO): Promise<number> {
  const registry = existingRegistry(openFileRegistry(options.registry, io.cwd), options.registry);
  // Fails early on a bad index rather than on the first request.
  await registry.readIndex();
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8282;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be 0-65535');
  const server = createRegistryServer(registry, (line) => io.stderr(`aegis serve: ${line}\n`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new InputError(`cannot listen on ${host}:${port}: ${error.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  io.stderr(`serving ${registry.dir} at http://${shown}:${bound} (channel C: /bundles/C.tar.gz)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return ExitCode.ok;
}
