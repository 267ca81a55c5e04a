/**
 * A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution) on 127.0.0.1
 * and a free port, a temporary storage directory, no auth. A missing binary FAILS the suite
 * with how to install it; the registry is a declared test dependency (.ci/run installs it).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';

const READY_TIMEOUT_MS = 15_000;

export interface TestRegistry {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop: () => Promise<void>;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

export async function startTestRegistry(): Promise<TestRegistry> {
  if (spawnSync('docker-registry', ['--version']).status !== 0) {
    throw new Error(
      'these tests need a real OCI registry: docker-registry is missing; apt-get install docker-registry',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'aegis-oci-'));
  let lastError = '';
  // A port found free can be taken before the registry binds it: then it exits; try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const config = join(dir, `config-${port}.yml`);
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'storage')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        '',
      ].join('\n'),
    );
    const child = spawn('docker-registry', ['serve', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      try {
        if ((await fetch(`${url}/v2/`)).status === 200) {
          return {
            port,
            url,
            stop: async () => {
              await stopProcess(child);
              rmSync(dir, { recursive: true, force: true });
            },
          };
        }
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    lastError = `exit ${String(child.exitCode)}: ${stderr}`;
    await stopProcess(child);
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`docker-registry did not start: ${lastError}`);
}
