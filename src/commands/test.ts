/**
 * `aegis test <path...>`: policy unit tests. The paths name policies (files, directories, or
 * one bundle) and test files (`*.test.yaml`, described in the README section on `aegis test`);
 * a directory is searched for both. Every case's input is decided by the chosen engine against
 * the policies, and the fields its `expect` names are compared. Exit 0 when every case passes,
 * 1 when one fails (or a policy is invalid), 2 when a test file cannot be read or says
 * something unclear.
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ruleIds } from '../compiler/rule-ids.js';
import type { Diagnostic } from '../diagnostics.js';
import { createEngine, ENGINE_NAMES, isEngineName } from '../engine/engines.js';
import { explainDecision } from '../engine/explain.js';
import { compareCodePoints } from '../engine/strings.js';
import { describeErrno } from '../errno.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import {
  findFiles,
  isPolicyFileName,
  isTestFileName,
  readPolicyFiles,
} from '../policy/read-files.js';
import { printable } from '../render/printable.js';
import { checkCase } from '../testing/check-case.js';
import {
  type Coverage,
  renderGithub,
  renderJson,
  renderJunit,
  renderText,
  type TestRun,
} from '../testing/render-results.js';
import { parseTestFile, type TestCase } from '../testing/test-file.js';
import { loadPolicies } from './load-policies.js';
import { packageInfo } from './package-info.js';

export interface TestCommandOptions {
  paths: string[];
  format?: string;
  engine?: string;
  coverage?: boolean;
  /** Only the cases whose name this regular expression matches (JavaScript syntax). */
  run?: string;
  /** On stderr, for each failing case, which checks ran and how each came out. */
  explain?: boolean;
}

const FORMATS = ['text', 'json', 'junit', 'github'] as const;

export async function run(options: TestCommandOptions, io: CommandIO): Promise<number> {
  const format = options.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`unknown format \`${format}\`; one of: ${FORMATS.join(', ')}`);
  const engineName = options.engine ?? 'native';
  if (!isEngineName(engineName))
    throw new UsageError(`unknown engine \`${engineName}\`; one of: ${ENGINE_NAMES.join(', ')}`);

  const only = options.run === undefined ? undefined : namePattern(options.run);
  const { tests, policies, problems } = await sortPaths(options.paths, io.cwd);
  const read = await readCases(tests, problems, io);
  if (read === undefined) return ExitCode.usage;
  const cases = only ? read.filter((c) => only.test(c.name)) : read;
  if (cases.length === 0)
    throw new InputError(
      `no case's name matches --run ${options.run}`,
      'aegis test without --run lists them',
    );
  if (policies.length === 0)
    throw new InputError(
      'no policies to test: the paths hold only test files',
      'give the policy files, their directory, or a bundle as well',
    );

  const loaded = await loadPolicies(policies, engineName, io);
  if (!loaded.ok) return loaded.code;
  const engine = await createEngine(engineName, loaded.set, { cwd: io.cwd, env: io.env });
  let testRun: TestRun;
  try {
    const decisions = await engine.evaluateMany(cases.map((c) => c.input));
    const outcomes = cases.map((c, i) => {
      const decision = decisions[i];
      if (!decision) throw new Error(`the ${engineName} engine left case "${c.name}" undecided`);
      const mismatches = checkCase(c.expect, decision);
      if (options.explain && mismatches.length > 0)
        io.stderr(
          `${printable(c.file)}:${c.line}: ${printable(c.name)}\n${explainDecision(loaded.set.ir, c.input, decision)}\n`,
        );
      return { case: c, mismatches };
    });
    testRun = {
      engine: engineName,
      revision: loaded.set.revision,
      outcomes,
      ...(options.coverage
        ? {
            coverage: coverage(
              ruleIds(loaded.set.ir),
              decisions.flatMap((d) => d.reasons),
            ),
          }
        : {}),
    };
  } finally {
    await engine.close();
  }
  if (format === 'json') io.stdout(renderJson(testRun));
  else if (format === 'junit') io.stdout(renderJunit(testRun, packageInfo().version));
  else if (format === 'github') io.stdout(renderGithub(testRun));
  else io.stdout(renderText(testRun, io.color));
  return testRun.outcomes.some((o) => o.mismatches.length > 0) ? ExitCode.findings : ExitCode.ok;
}

/**
 * The arguments as test files and policy paths: a test file named on its own, or found in a
 * directory, is a test file; a directory with policy files in it is a policy path, and so is
 * anything else named (a policy file, or a bundle), as `eval` takes them. What the directory
 * walk could not look at comes back as problems.
 */
async function sortPaths(
  paths: readonly string[],
  cwd: string,
): Promise<{ tests: string[]; policies: string[]; problems: Diagnostic[] }> {
  const tests: string[] = [];
  const policies: string[] = [];
  const problems: Diagnostic[] = [];
  for (const path of paths) {
    const info = await stat(resolve(cwd, path)).catch((error: unknown) => {
      throw new InputError(`${path}: ${describeErrno(error)}`);
    });
    if (info.isDirectory()) {
      const found = await findFiles([path], {
        cwd,
        accept: (name) => isTestFileName(name) || isPolicyFileName(name),
      });
      tests.push(...found.files.filter((file) => isTestFileName(file)));
      // Compiled from the directory, as every command reads one; a directory that holds only
      // tests adds no policy (and is no rival to a bundle given beside it).
      if (found.files.some((file) => !isTestFileName(file))) policies.push(path);
      problems.push(...found.diagnostics);
    } else if (isTestFileName(basename(path))) tests.push(path);
    else policies.push(path);
  }
  return { tests, policies, problems };
}

/**
 * Every case of the test files, in file order; undefined when a problem was reported (those
 * of the directory walks, `problems`, among them).
 */
async function readCases(
  files: readonly string[],
  problems: readonly Diagnostic[],
  io: CommandIO,
): Promise<TestCase[] | undefined> {
  const read = await readPolicyFiles(files, { cwd: io.cwd });
  const lines = [...problems, ...read.diagnostics].map(
    (d) => `${d.file}:${d.line}:${d.column}: ${d.message}`,
  );
  const cases: TestCase[] = [];
  for (const source of read.sources) {
    const parsed = parseTestFile(source.file, source.text);
    if (parsed.ok) cases.push(...parsed.cases);
    else lines.push(...parsed.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`));
  }
  if (lines.length > 0) {
    io.stderr(`${lines.map((line) => `aegis: ${line}`).join('\n')}\n`);
    return undefined;
  }
  if (cases.length === 0)
    throw new InputError(
      'no test files: name *.test.yaml files, or directories that hold them',
      'the README section on `aegis test` shows the format',
    );
  return cases;
}

function namePattern(text: string): RegExp {
  try {
    return new RegExp(text, 'u');
  } catch (error) {
    throw new UsageError(
      `--run: ${text} is not a regular expression (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** Which of the policy set's rule ids some case's decision cited. */
function coverage(all: ReadonlySet<string>, reasons: readonly { rule: string }[]): Coverage {
  const cited = new Set(reasons.map((r) => r.rule).filter((rule) => all.has(rule)));
  const uncited = [...all].filter((rule) => !cited.has(rule)).sort(compareCodePoints);
  return { rules: all.size, cited: cited.size, uncited };
}
