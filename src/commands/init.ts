/**
 * `aegis init [dir] [--force]`: write an example policy project. Every target is checked
 * before anything is written, so a refusal leaves the directory exactly as it was; and files
 * are created exclusively, so not even a race overwrites one. A write that fails half-way
 * (a directory it may not write, a full disk) removes the files this run made: a project is
 * written whole or not at all.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describeErrno, errnoCode } from '../errno.js';
import { InputError, UsageError } from '../errors.js';
import { exampleProject, type ProjectFile } from '../init/example-project.js';
import type { CommandIO } from '../io.js';
import { makeDirectory } from '../make-directory.js';
import { packageInfo } from './package-info.js';

export interface InitCommandOptions {
  dir?: string;
  /** Write into a directory that is not empty (existing files are still never overwritten). */
  force?: boolean;
}

export async function run(options: InitCommandOptions, io: CommandIO): Promise<number> {
  const dirArg = options.dir ?? '.';
  const root = resolve(io.cwd, dirArg);
  const pkg = packageInfo();
  const files = exampleProject(pkg.name, pkg.version);

  const rootInfo = await statOrUndefined(root, stat);
  if (rootInfo && !rootInfo.isDirectory())
    throw new InputError(`${dirArg} exists and is not a directory`);
  if (rootInfo && !options.force && (await listDir(root, dirArg)).length > 0) {
    throw new UsageError(
      `${dirArg} is not empty; use --force to add the example files beside what is there (no file is ever overwritten)`,
    );
  }
  const conflicts = await findConflicts(root, files);
  if (conflicts.length > 0) {
    throw new InputError(
      `will not overwrite ${conflicts.map((c) => join(dirArg, c)).join(', ')}; nothing was written`,
      'move it out of the way, or run aegis init in another directory',
    );
  }

  const written: string[] = [];
  for (const file of files) {
    const target = join(root, ...file.path.split('/'));
    try {
      await makeDirectory(dirname(target));
      await writeFile(target, file.content, { flag: 'wx' });
      written.push(target);
    } catch (error) {
      // Only files this run created (exclusively) are removed.
      await Promise.all(written.map((path) => rm(path, { force: true }).catch(() => {})));
      throw new InputError(
        `cannot write ${join(dirArg, file.path)}: ${describeErrno(error)}; nothing was kept`,
      );
    }
  }

  const where = relative(io.cwd, root) || '.';
  const lines = [
    `Wrote an example aegis project in ${where}:`,
    ...files.map((f) => `  ${f.path}`),
    '',
    'Next:',
  ];
  if (where !== '.') lines.push(`  cd ${where}`);
  lines.push(
    '  aegis validate policies',
    '  aegis test policies',
    '  aegis compile policies -o bundle.tar.gz',
    '  aegis simulate traces/example.jsonl --policy policies',
  );
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/**
 * Every target path that already exists (a dangling link counts), and every directory on the
 * way that exists as something other than a directory.
 */
async function findConflicts(root: string, files: readonly ProjectFile[]): Promise<string[]> {
  const conflicts = new Set<string>();
  for (const file of files) {
    const segments = file.path.split('/');
    for (let i = 1; i <= segments.length; i++) {
      const partial = segments.slice(0, i).join('/');
      const last = i === segments.length;
      // Follow links on the way (a linked directory is fine), not for the file itself.
      const info = await statOrUndefined(join(root, ...segments.slice(0, i)), last ? lstat : stat);
      if (!info) {
        if (!last && (await statOrUndefined(join(root, ...segments.slice(0, i)), lstat))) {
          conflicts.add(partial); // a dangling link where a directory should go
        }
        break;
      }
      if (last || !info.isDirectory()) {
        conflicts.add(partial);
        break;
      }
    }
  }
  return [...conflicts];
}

async function statOrUndefined(
  path: string,
  how: (p: string) => Promise<Stats>,
): Promise<Stats | undefined> {
  try {
    return await how(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new InputError(`cannot read ${path}: ${describeErrno(error)}`);
  }
}

async function listDir(path: string, display: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    throw new InputError(`cannot read ${display}: ${describeErrno(error)}`);
  }
}
