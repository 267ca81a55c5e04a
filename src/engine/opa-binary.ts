/**
 * Finding and running the real OPA binary (ARCHITECTURE.md "Real components"): `AEGIS_OPA`,
 * then `.tools/bin/opa` under the aegis package and under the working directory (where
 * `npm run install-opa` puts it), then PATH. Child processes go through runOpa, so every
 * failure, a timeout included, comes back as a result.
 */
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { normalizeBundlePath } from '../bundle/bundle-path.js';
import { readBundleFile } from '../bundle/read-bundle.js';
import type { BundleFile } from '../bundle/write-bundle.js';
import { PACKAGE_ROOT } from '../package-root.js';

export type FindOpaResult =
  | { ok: true; path: string; version: string }
  | { ok: false; message: string; hint: string };

export interface FindOpaOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where aegis is installed; tests point it elsewhere. Defaults to this package's root. */
  packageRoot?: string;
}

export const INSTALL_HINT =
  'run `npm run install-opa` (builds the pinned OPA into .tools/bin) or set AEGIS_OPA to an opa binary';
const VERSION_TIMEOUT_MS = 20_000;
const BUILD_TIMEOUT_MS = 180_000;

export async function findOpa(options: FindOpaOptions): Promise<FindOpaResult> {
  const explicit = options.env.AEGIS_OPA;
  if (explicit) {
    const path = resolve(options.cwd, explicit);
    // A path the user named is used or reported, never silently replaced by another OPA.
    if (!(await isExecutable(path))) {
      return {
        ok: false,
        message: `AEGIS_OPA is ${explicit}, which is not an executable file`,
        hint: INSTALL_HINT,
      };
    }
    return probe(path);
  }
  const names = process.platform === 'win32' ? ['opa.exe', 'opa'] : ['opa'];
  const dirs = [
    join(options.packageRoot ?? PACKAGE_ROOT, '.tools', 'bin'),
    join(resolve(options.cwd), '.tools', 'bin'),
    ...(options.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''),
  ];
  for (const dir of dirs) {
    for (const name of names) {
      const path = resolve(options.cwd, dir, name);
      if (await isExecutable(path)) return probe(path);
    }
  }
  return {
    ok: false,
    message: 'opa was not found (AEGIS_OPA, .tools/bin, PATH)',
    hint: INSTALL_HINT,
  };
}

export interface OpaRun {
  failed: boolean;
  timedOut: boolean;
  /** Why it failed (`timed out after 20 s`, an exit code, a signal); '' when it did not. */
  message: string;
  stdout: string;
  stderr: string;
}

/**
 * Runs opa (or whatever AEGIS_OPA names) with a time limit that holds. execa's own `timeout`
 * kills the process but then waits for its pipes to close, and the children of a wrapper script
 * keep them open: aegis printed its error and never exited. Here the limit kills the process and
 * closes the pipes.
 */
export async function runOpa(
  path: string,
  args: readonly string[],
  options: { limitMs: number; cwd?: string; input?: string; maxBuffer?: number },
): Promise<OpaRun> {
  const child = execa(path, args, {
    reject: false,
    stripFinalNewline: false,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    ...(options.maxBuffer !== undefined ? { maxBuffer: options.maxBuffer } : {}),
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
    child.stdout?.destroy();
    child.stderr?.destroy();
  }, options.limitMs);
  try {
    const result = await child;
    const message = timedOut
      ? `\`${[path, ...args].join(' ')}\` timed out after ${options.limitMs / 1000} s`
      : result.failed
        ? (result.shortMessage ?? 'failed')
        : '';
    return {
      failed: timedOut || result.failed,
      timedOut,
      message,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
    };
  } finally {
    clearTimeout(timer);
  }
}

/** What went wrong in a failed run: OPA's own message, or the timeout or signal. */
export function opaFailure(result: OpaRun): string {
  if (result.timedOut) return result.message;
  return result.stderr.trim() || result.stdout.trim() || result.message;
}

async function probe(path: string): Promise<FindOpaResult> {
  const result = await runOpa(path, ['version'], { limitMs: VERSION_TIMEOUT_MS });
  const version = /^Version:\s*(\S+)/m.exec(result.stdout)?.[1];
  if (result.failed || !version) {
    const why = result.failed ? result.message : 'no "Version:" line in `opa version`';
    return { ok: false, message: `${path} does not run as opa: ${why}`, hint: INSTALL_HINT };
  }
  return { ok: true, path, version };
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface OpaBuildWasmOptions {
  /** The opa binary, from findOpa. */
  opa: string;
  /** A bundle directory on disk, or the files of one (paths as in writeBundle). */
  source: { dir: string } | { files: readonly BundleFile[] };
  /** A slash path such as `aegis/decision`. */
  entrypoint: string;
}

export type OpaBuildWasmResult = { ok: true; wasm: Uint8Array } | { ok: false; message: string };

/** Compiles Rego to policy.wasm with `opa build -t wasm` in a temporary directory. */
export async function opaBuildWasm(options: OpaBuildWasmOptions): Promise<OpaBuildWasmResult> {
  const work = await mkdtemp(join(tmpdir(), 'aegis-opa-build-'));
  try {
    let bundleDir: string;
    if ('dir' in options.source) {
      bundleDir = options.source.dir;
    } else {
      bundleDir = join(work, 'in');
      for (const file of options.source.files) {
        const path = normalizeBundlePath(file.path);
        if (!path.ok) return { ok: false, message: `${file.path}: ${path.message}` };
        const target = join(bundleDir, ...path.path.split('/'));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, file.content);
      }
    }
    const output = join(work, 'out.tar.gz');
    // `--bundle .` from inside the directory: given an absolute path, opa build names the
    // modules in its output by that path, which would leak the temporary directory into it.
    const args = [
      'build',
      '--bundle',
      '.',
      '--target',
      'wasm',
      '--entrypoint',
      options.entrypoint,
      '--output',
      output,
    ];
    const result = await runOpa(options.opa, args, { limitMs: BUILD_TIMEOUT_MS, cwd: bundleDir });
    if (result.failed) {
      const detail = opaFailure(result);
      return { ok: false, message: `opa build -t wasm failed: ${detail}` };
    }
    const bundle = await readBundleFile(output);
    if (!bundle.ok)
      return {
        ok: false,
        message:
          bundle.reason === 'not-found'
            ? 'opa build -t wasm exited 0 but wrote no bundle'
            : `opa build wrote an unreadable bundle: ${bundle.message}`,
      };
    const wasm = bundle.files.get('policy.wasm');
    if (!wasm) return { ok: false, message: 'opa build wrote no policy.wasm' };
    return { ok: true, wasm };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
