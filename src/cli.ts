/**
 * The command-line shell. Declares every command's flags and lazy-loads its module on use, so
 * `aegis --version` loads nothing but commander. The one place that sets the exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, isUserError } from './errors.js';
import { type CommandIO, processIO } from './io.js';
import { packageFile } from './package-root.js';
import { printable } from './render/printable.js';

type Runner = (io: CommandIO) => Promise<number>;

function version(): string {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * A number in decimal digits and nothing else. Number() alone reads '' and ' ' as 0, `0x10` as
 * 16, `1e3` as 1000 and ignores surrounding spaces: `--port ''` served on a random port.
 */
function decimal(value: string): number | undefined {
  return /^[0-9]+$/.test(value) ? Number(value) : undefined;
}

export function positiveInt(value: string): number {
  const n = decimal(value);
  if (n === undefined || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function portNumber(value: string): number {
  const n = decimal(value);
  if (n === undefined || n > 65535) throw new InvalidArgumentError('expected a port, 0-65535');
  return n;
}

/** Byte sizes: 10485760, 512k, 10M, 1g (no spaces, as for the other numbers). */
export function byteSize(value: string): number {
  const m = /^([0-9]+)([kmg]i?b?)?$/i.exec(value);
  if (!m?.[1]) throw new InvalidArgumentError('expected a size such as 10M or 524288');
  const unit = (m[2] ?? '').charAt(0).toLowerCase();
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const n = Number(m[1]) * scale;
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('size out of range');
  return n;
}

const formatOption = (formats: readonly string[], fallback = 'text') =>
  new Option('--format <format>', 'output format').choices(formats).default(fallback);

const engineOption = () =>
  new Option('--engine <engine>', 'which engine decides')
    .choices(['native', 'opa', 'wasm'])
    .default('native');

export function buildProgram(setRunner: (runner: Runner) => void): Command {
  const program = new Command('aegis')
    .description(
      'Policy-as-code for AI agent tool calls: validate, compile to OPA bundles, simulate, publish.',
    )
    .version(version(), '-V, --version')
    .option('--debug', 'print stack traces of internal errors')
    // Positional: `aegis publish --version V` is the publish flag, not the program's version.
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false })
    .exitOverride();

  program
    .command('validate')
    .description('check policies against the schema and the semantic rules')
    .argument('<path...>', 'policy files or directories')
    .addOption(formatOption(['text', 'json', 'github', 'sarif']))
    .option('--strict', 'fail on warnings too')
    .option('--ignore <code...>', 'warning codes to leave out')
    .option('--max-file-size <size>', 'refuse files larger than this', byteSize, 10 * 1024 * 1024)
    .action((paths: string[], opts) => {
      setRunner(async (io) => (await import('./commands/validate.js')).run({ paths, ...opts }, io));
    });

  program
    .command('schema')
    .description('print a JSON Schema')
    .argument('[name]', 'policy | input | decision | trace | test', 'policy')
    .addOption(formatOption(['json'], 'json'))
    .action((name: string, opts) => {
      setRunner(async (io) => (await import('./commands/schema.js')).run({ name, ...opts }, io));
    });

  program
    .command('init')
    .description('write an example policy project')
    .argument('[dir]', 'target directory', '.')
    .option('--force', 'write into a directory that is not empty (never overwrites files)')
    .action((dir: string, opts) => {
      setRunner(async (io) => (await import('./commands/init.js')).run({ dir, ...opts }, io));
    });

  program
    .command('compile')
    .description('compile policies into an OPA bundle')
    .argument('<path...>', 'policy files or directories')
    .requiredOption('-o, --output <bundle>', 'where to write the bundle (.tar.gz)')
    .option('--revision <revision>', 'the manifest revision (default: derived from the sources)')
    .option('--wasm', 'also build policy.wasm with opa build -t wasm')
    .option('--rego-out <dir>', 'also write the Rego modules and data.json into this directory')
    .option('--sign-key <private.pem>', 'sign the bundle with this key (see aegis sign)')
    .option('--key-id <id>', 'with --sign-key: the signature kid (default: from the key file name)')
    .addOption(formatOption(['text', 'json']))
    .option(
      '--max-file-size <size>',
      'refuse policy files larger than this',
      byteSize,
      10 * 1024 * 1024,
    )
    .action((paths: string[], opts) => {
      setRunner(async (io) => (await import('./commands/compile.js')).run({ paths, ...opts }, io));
    });

  program
    .command('eval')
    .description('decide one input (JSON) or many (JSON Lines) against a bundle or policies')
    .argument('<path...>', 'a bundle (.tar.gz) or policy files and directories')
    .requiredOption('--input <file>', 'the decision input: a JSON file, JSON Lines, or - for stdin')
    .addOption(engineOption())
    .option('--explain', 'print which checks ran and how each came out, on stderr')
    .addOption(formatOption(['json'], 'json'))
    .action((paths: string[], opts) => {
      setRunner(async (io) => (await import('./commands/eval.js')).run({ paths, ...opts }, io));
    });

  program
    .command('test')
    .description('run policy tests (*.test.yaml: inputs and the decisions expected for them)')
    .argument(
      '<path...>',
      'test files, policy files, directories holding either, or a bundle (.tar.gz)',
    )
    .addOption(formatOption(['text', 'json', 'junit', 'github']))
    .addOption(engineOption())
    .option('--coverage', 'also list the rule ids that no case made a decision cite')
    .option('--run <pattern>', 'only the cases whose name matches this regular expression')
    .option('--explain', 'for each failing case, which checks ran and how each came out, on stderr')
    .action((paths: string[], opts) => {
      setRunner(async (io) => (await import('./commands/test.js')).run({ paths, ...opts }, io));
    });

  const reportFormats = ['text', 'json', 'markdown', 'html', 'junit'];
  program
    .command('simulate')
    .description('replay recorded tool calls (traces) against a policy and report what changes')
    // Optional here so that the command can explain the usual mistake: --policy is variadic
    // and swallows traces written after it.
    .argument('[trace...]', 'trace files, directories, globs, or - for stdin (.gz allowed)')
    .option(
      '--policy <path...>',
      'the candidate: a bundle or policy files/directories (several: repeat the flag, or put the traces first)',
    )
    .option('--baseline <path...>', 'compare with this bundle or policies (same rules as --policy)')
    .addOption(formatOption(reportFormats))
    .option('-o, --output <file>', 'write the report to this file (atomically) instead of stdout')
    .addOption(
      new Option(
        '--fail-on <gate>',
        'exit 1 when: any would-block, any new block, any change',
      ).choices(['would-block', 'new-block', 'change']),
    )
    .addOption(engineOption())
    .option('--since <time>', 'only events at or after: RFC 3339, a date, or back from now (24h)')
    .option('--until <time>', 'only events before: RFC 3339, a date, or back from now (1h)')
    .option('--shard <i/n>', 'replay shard i (0-based) of n; merge with `aegis report merge`')
    .option('--strict', 'exit 2 when a record is malformed or a file unreadable')
    .option(
      '--reorder-window <duration>',
      'how late an event may arrive and still be replayed in order (default 5s)',
    )
    .option('--examples <n>', 'examples kept per transition (default 5)', positiveInt)
    .action((traces: string[], opts) => {
      setRunner(async (io) =>
        (await import('./commands/simulate.js')).run({ traces, ...opts }, io),
      );
    });

  program
    .command('report')
    .description('work with simulation reports')
    .command('merge')
    .description('merge the JSON reports of simulate --shard runs into one report')
    .argument('<report...>', 'JSON reports written by aegis simulate --format json')
    .addOption(formatOption(reportFormats))
    .option('-o, --output <file>', 'write the report to this file (atomically) instead of stdout')
    .addOption(
      new Option(
        '--fail-on <gate>',
        'exit 1 when the merged report has: any would-block, any new block, any change',
      ).choices(['would-block', 'new-block', 'change']),
    )
    .option('--strict', 'exit 2 when a shard counted a malformed record or an unreadable file')
    .action((reports: string[], opts) => {
      setRunner(async (io) =>
        (await import('./commands/report-merge.js')).run({ reports, ...opts }, io),
      );
    });

  const keys = program.command('keys').description('manage bundle signing keys');
  keys
    .command('generate')
    .description('write a signing key pair: <id>.key.pem (private, 0600) and <id>.pub.pem')
    .addOption(
      new Option('--alg <alg>', 'signing algorithm')
        .choices(['ES256', 'RS256', 'PS256'])
        .default('ES256'),
    )
    .option('--out <dir>', 'directory to write the keys into', '.')
    .option('--id <id>', 'key id: the file names and the signature kid', 'aegis')
    .addOption(formatOption(['text', 'json']))
    .action((opts) => {
      setRunner(async (io) => (await import('./commands/keys.js')).run(opts, io));
    });

  program
    .command('sign')
    .description("sign a bundle in OPA's format (/.signatures.json)")
    .argument('<bundle>', 'the bundle (.tar.gz)')
    .requiredOption('--key <private.pem>', 'the private key (PKCS#8 or PKCS#1/SEC1 PEM)')
    .option('--key-id <id>', 'the signature kid (default: the key file name without .key.pem)')
    .addOption(
      new Option('--alg <alg>', 'for RSA keys: RS256 (default) or PS256').choices([
        'ES256',
        'RS256',
        'PS256',
      ]),
    )
    .option('-o, --output <bundle>', 'write here instead of replacing the input (atomically)')
    .addOption(formatOption(['text', 'json']))
    .action((bundle: string, opts) => {
      setRunner(async (io) => (await import('./commands/sign.js')).run({ bundle, ...opts }, io));
    });

  program
    .command('verify')
    .description('check a bundle signature and that every file matches it (exit 1 if not)')
    .argument('<bundle>', 'the bundle (.tar.gz)')
    .requiredOption(
      '--pub <public.pem...>',
      'trusted public keys (matched to the kid by file name)',
    )
    .addOption(formatOption(['text', 'json']))
    .action((bundle: string, opts) => {
      setRunner(async (io) => (await import('./commands/verify.js')).run({ bundle, ...opts }, io));
    });

  const registryOption = () =>
    new Option(
      '--registry <registry>',
      'a directory, file:DIR, or oci://HOST[:PORT]/REPOSITORY',
    ).makeOptionMandatory();
  program
    .command('publish')
    .description('verify a signed bundle and add it to a registry as an immutable version')
    .argument('<bundle>', 'the signed bundle (.tar.gz)')
    .addOption(registryOption())
    .requiredOption('--version <version>', 'the version name (immutable once published)')
    .option('--channel <channel>', 'also point this channel at the new version')
    .option('--message <message>', 'why, for the history')
    .option('--pub <public.pem...>', 'trusted public keys; the signature must verify')
    .addOption(formatOption(['text', 'json']))
    .action((bundle: string, opts) => {
      setRunner(async (io) => (await import('./commands/publish.js')).run({ bundle, ...opts }, io));
    });

  program
    .command('rollback')
    .description('point a channel back at the previous version (or --to V), verified again')
    .addOption(registryOption())
    .requiredOption('--channel <channel>', 'the channel to move')
    .option('--to <version>', 'the version to go to (default: the one before the current one)')
    .option('--message <message>', 'why, for the history')
    .option('--pub <public.pem...>', 'trusted public keys; the target must verify')
    .addOption(formatOption(['text', 'json']))
    .action((opts) => {
      setRunner(async (io) => (await import('./commands/rollback.js')).run(opts, io));
    });

  program
    .command('history')
    .description("print a registry's publishes and rollbacks, oldest first")
    .addOption(registryOption())
    .option('--channel <channel>', 'only the changes to this channel')
    .addOption(formatOption(['text', 'json']))
    .action((opts) => {
      setRunner(async (io) => (await import('./commands/history.js')).run(opts, io));
    });

  program
    .command('serve')
    .description("serve a file registry's channels to OPA over HTTP (ETag, 304)")
    .addOption(registryOption())
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--port <port>', 'the port (0: any free port)', portNumber, 8282)
    .action((opts) => {
      setRunner(async (io) => (await import('./commands/serve.js')).run(opts, io));
    });

  return program;
}

export async function run(argv: readonly string[]): Promise<void> {
  // Output lost after the command returned (the error comes asynchronously) still turns its
  // exit code into 2; lost before, it does so below.
  let lost = false;
  const io = processIO((message) => {
    lost = true;
    process.stderr.write(`aegis: ${message}\n`);
    process.exitCode = Math.max(Number(process.exitCode ?? 0), ExitCode.usage);
  });
  const code = await runCli(argv, io);
  process.exitCode = lost ? Math.max(code, ExitCode.usage) : code;
}

export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  let runner: Runner | undefined;
  const program = buildProgram((r) => {
    runner = r;
  });
  program.configureOutput({
    writeOut: (s) => io.stdout(s),
    writeErr: (s) => io.stderr(s),
  });
  const debug = argv.includes('--debug');
  try {
    // --debug works anywhere on the line (runCli reads it above); positional options would
    // otherwise reject it after a command.
    await program.parseAsync(argv.filter((arg) => arg !== '--debug'));
    if (!runner) return ExitCode.ok;
    return await runner(io);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every parse failure is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (isUserError(error)) {
      // Messages quote the user's input (a JSON.parse error quotes the text it choked on):
      // its control characters must not reach the terminal as escape sequences.
      io.stderr(`aegis: ${printable(error.message)}\n`);
      if ('hint' in error && error.hint) io.stderr(`  hint: ${printable(error.hint)}\n`);
      return ExitCode.usage;
    }
    const detail =
      error instanceof Error
        ? error.message
        : typeof error === 'object' && error !== null && 'message' in error
          ? String(error.message)
          : String(error);
    io.stderr(`aegis: internal error: ${printable(detail)}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    else
      io.stderr(
        '  this is a bug in aegis; please report it (run again with --debug for details)\n',
      );
    return ExitCode.internal;
  }
}
