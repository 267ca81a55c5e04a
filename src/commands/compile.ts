/** `aegis compile <path...> -o bundle.tar.gz`: validate, compile, write the bundle atomically. */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { type FileToWrite, writeFilesAtomically } from '../bundle/write-file-atomically.js';
import { compileBundle } from '../compiler/compile.js';
import { ExitCode, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { VALIDATION_RENDERERS } from '../render/renderers.js';
import {
  refuseBundleOverKeyName,
  refuseStdoutDash,
  refuseWritingIntoPolicyDirectory,
  refuseWritingOver,
  refuseWritingTwice,
} from './output-guard.js';
import { packageInfo } from './package-info.js';
import { signWithKeyFile } from './sign.js';
import { textOrJson } from './text-or-json.js';

export interface CompileCommandOptions {
  paths: string[];
  output?: string;
  revision?: string;
  wasm?: boolean;
  regoOut?: string;
  signKey?: string;
  keyId?: string;
  format?: string;
  maxFileSize?: number;
}

export async function run(options: CompileCommandOptions, io: CommandIO): Promise<number> {
  const format = textOrJson(options.format);
  if (!options.output) throw new UsageError('compile needs -o <bundle.tar.gz>');
  refuseStdoutDash(options.output, '-o', 'a bundle');
  refuseBundleOverKeyName(options.output, '-o');
  refuseStdoutDash(options.regoOut, '--rego-out', 'Rego modules');
  if (options.keyId !== undefined && !options.signKey)
    throw new UsageError('--key-id needs --sign-key');
  if (options.revision !== undefined && !/^[\x21-\x7e]{1,256}$/.test(options.revision)) {
    throw new UsageError('--revision must be 1 to 256 printable ASCII characters without spaces');
  }
  const regoOut = options.regoOut ? resolve(io.cwd, options.regoOut) : undefined;
  if (regoOut) {
    // Whatever it is named, its data.json would be read as a policy next time.
    refuseWritingIntoPolicyDirectory(
      regoOut,
      options.paths,
      io.cwd,
      (dir) =>
        `--rego-out ${regoOut} is inside the policy directory ${dir}: its data.json would be read as a policy`,
      () => true,
    );
  }
  const pkg = packageInfo();
  const result = await compileBundle(options.paths, {
    cwd: io.cwd,
    compilerVersion: pkg.version,
    env: io.env,
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    ...(options.wasm ? { wasm: true } : {}),
    ...(options.maxFileSize !== undefined ? { maxFileSize: options.maxFileSize } : {}),
  });

  if (!result.ok) {
    const render = VALIDATION_RENDERERS[format];
    const text = render(result.validation, {
      color: io.color,
      strict: false,
      version: pkg.version,
      informationUri: pkg.homepage,
    });
    if (format === 'json') io.stdout(text);
    else io.stderr(`${text}aegis: not compiled: the policies have errors\n`);
    return result.validation.inputError ? ExitCode.usage : ExitCode.findings;
  }

  const output = resolve(io.cwd, options.output);
  const regoFiles = regoOut ? regoOutFiles(regoOut, result) : [];
  const targets = [output, ...regoFiles.map((file) => file.path)];
  refuseWritingOver(
    targets,
    result.sourceFiles.map((file) => resolve(io.cwd, file)),
    'one of the policy files being compiled',
  );
  if (options.signKey)
    refuseWritingOver(targets, [resolve(io.cwd, options.signKey)], 'the signing key (--sign-key)');
  refuseWritingTwice([
    { path: output, what: 'the bundle (-o)' },
    ...regoFiles.map((file) => ({ path: file.path, what: `--rego-out's ${file.name}` })),
  ]);
  const bundle = options.signKey
    ? (
        await signWithKeyFile(
          result.bundle,
          {
            key: options.signKey,
            ...(options.keyId !== undefined ? { keyId: options.keyId } : {}),
          },
          io.cwd,
        )
      ).bundle
    : result.bundle;
  // All or nothing: a --rego-out that cannot be written leaves the bundle as it was too.
  await writeFilesAtomically([{ path: output, content: bundle }, ...regoFiles]);
  // The digest printed is the file's: after signing, that of the signed bundle.
  const sha256 =
    bundle === result.bundle ? result.sha256 : createHash('sha256').update(bundle).digest('hex');

  if (format === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          bundle: options.output,
          revision: result.revision,
          sha256,
          files: result.files,
          policies: result.policies,
          rules: result.rules,
          warnings: result.validation.warnings,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    if (result.validation.warnings > 0) {
      io.stderr(
        VALIDATION_RENDERERS.text(result.validation, {
          color: io.color,
          strict: false,
          version: pkg.version,
          informationUri: pkg.homepage,
        }),
      );
    }
    io.stdout(
      `compiled ${result.policies} ${result.policies === 1 ? 'policy' : 'policies'} (${result.rules} rules) into ${options.output}\n` +
        `  revision ${result.revision}\n  sha256   ${sha256}\n`,
    );
  }
  return ExitCode.ok;
}

/** What --rego-out writes: the modules, and data.json indented for the reader. */
function regoOutFiles(
  dir: string,
  result: { modules: readonly { path: string; text: string }[]; dataJson: readonly string[] },
): (FileToWrite & { name: string })[] {
  // The bundle's own data.json is the same data on one line.
  const data: unknown = JSON.parse(result.dataJson.join(''));
  return [
    ...result.modules.map((m) => ({ name: m.path, path: join(dir, m.path), content: m.text })),
    {
      name: 'data.json',
      path: join(dir, 'data.json'),
      content: `${JSON.stringify(data, null, 2)}\n`,
    },
  ];
}
