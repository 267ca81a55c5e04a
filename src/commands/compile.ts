/** `aegis compile <path...> -o bundle.tar.gz`: validate, compile, write the bundle atomically. */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { writeFileAtomically } from '../bundle/write-file-atomically.js';
import { compileBundle } from '../compiler/compile.js';
import { ExitCode, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { VALIDATION_RENDERERS } from '../render/renderers.js';
import {
  refuseStdoutDash,
  refuseWritingIntoPolicyDirectory,
  refuseWritingOver,
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
  refuseWritingOver(
    [
      output,
      ...(regoOut
        ? [...result.modules.map((m) => join(regoOut, m.path)), join(regoOut, 'data.json')]
        : []),
    ],
    result.sourceFiles.map((file) => resolve(io.cwd, file)),
    'policy files being compiled',
  );
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
  await writeFileAtomically(output, bundle);
  // The digest printed is the file's: after signing, that of the signed bundle.
  const sha256 =
    bundle === result.bundle ? result.sha256 : createHash('sha256').update(bundle).digest('hex');
  if (regoOut) {
    for (const module of result.modules)
      await writeFileAtomically(join(regoOut, module.path), module.text);
    // Indented for the reader: the bundle's own data.json is the same data on one line.
    const data: unknown = JSON.parse(result.dataJson.join(''));
    await writeFileAtomically(join(regoOut, 'data.json'), `${JSON.stringify(data, null, 2)}\n`);
  }

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
