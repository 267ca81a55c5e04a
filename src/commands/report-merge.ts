/**
 * `aegis report merge <report.json...> [--format ...] [-o FILE] [--fail-on ...] [--strict]`:
 * the JSON reports of the shards of one `simulate --shard i/n` run (or of disjoint traces) ->
 * one report, rendered in any report format, and gated as simulate gates its report (the
 * merged report is the one a sharded CI run is about). A file that is not a report of this
 * format version is exit 2, one line; so is one file given twice (by any path: it would count
 * every call twice). Two files with the same content are merged, with a warning on stderr.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeErrno } from '../errno.js';
import { InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { mergeReports } from '../simulator/merge.js';
import { emitReport } from '../simulator/render/emit-report.js';
import { parseReport } from '../simulator/render/parse-report.js';
import { isReportFormat, REPORT_FORMATS, REPORT_RENDERERS } from '../simulator/render/renderers.js';
import type { SimulationReport } from '../simulator/types.js';
import { refuseWritingOver, statIdentity } from './output-guard.js';
import { packageInfo } from './package-info.js';
import { applyGates, parseFailOn } from './report-gates.js';

export interface ReportMergeCommandOptions {
  reports: string[];
  format?: string;
  output?: string;
  failOn?: string;
  strict?: boolean;
  maxFileSize?: number;
}

const DEFAULT_MAX = 256 * 1024 * 1024;

export async function run(options: ReportMergeCommandOptions, io: CommandIO): Promise<number> {
  const format = options.format ?? 'text';
  if (!isReportFormat(format))
    throw new UsageError(`unknown format \`${format}\`; one of: ${REPORT_FORMATS.join(', ')}`);
  if (options.reports.length === 0) throw new UsageError('report merge needs report files');
  const failOn = parseFailOn(options.failOn);
  if (options.output !== undefined && options.output !== '-') {
    refuseWritingOver(
      [resolve(io.cwd, options.output)],
      options.reports.map((file) => resolve(io.cwd, file)),
      'one of the reports being merged',
    );
  }
  const cap = options.maxFileSize ?? DEFAULT_MAX;
  const read: ReadReport[] = [];
  for (const file of options.reports) {
    const report = await readReport(file, io, cap);
    refuseSameFileTwice(read, report);
    read.push(report);
  }
  const reports: SimulationReport[] = read.map((r) => parseReport(r.text, r.file));
  const merged = mergeReports(reports);
  const copy = sameContent(read);
  if (copy) {
    // Unsharded reports of separate traces add up, so two files alike may both be real; one
    // may also be a copy of the other, which the merge cannot tell. Say so, and go on.
    io.stderr(
      `aegis: warning: ${copy[0]} and ${copy[1]} have the same content; if one is a copy of the other, the merged report counts its calls twice\n`,
    );
  }
  const text = REPORT_RENDERERS[format](merged, {
    color: io.color,
    version: packageInfo().version,
  });
  await emitReport(text, options.output, io);
  return applyGates(merged, { ...(failOn ? { failOn } : {}), strict: options.strict === true }, io);
}

/** A report file's text, and the file itself (device and inode) whatever path named it. */
export interface ReadReport {
  file: string;
  text: string;
  identity: string;
}

async function readReport(file: string, io: CommandIO, cap: number): Promise<ReadReport> {
  const path = resolve(io.cwd, file);
  try {
    const info = await stat(path, { bigint: true });
    if (!info.isFile()) throw new InputError(`${file}: not a file`);
    if (info.size > BigInt(cap)) throw new InputError(`${file} is over the ${cap}-byte report cap`);
    return { file, text: await readFile(path, 'utf8'), identity: statIdentity(info) };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${file}: ${describeErrno(error)}`);
  }
}

/**
 * One report file given twice (the same path, another path to it, a hard link) would count
 * every call in it twice: a mistake, never a merge.
 */
export function refuseSameFileTwice(
  earlier: readonly Pick<ReadReport, 'file' | 'identity'>[],
  report: Pick<ReadReport, 'file' | 'identity'>,
): void {
  const same = earlier.find((r) => r.identity === report.identity);
  if (!same) return;
  throw new InputError(
    same.file === report.file
      ? `report merge: ${report.file} is given twice; merging a report with itself counts every call twice`
      : `report merge: ${same.file} and ${report.file} are the same file; merging a report with itself counts every call twice`,
    'give each report once',
  );
}

/** The first two different files whose texts are identical, if any. */
export function sameContent(
  reports: readonly Pick<ReadReport, 'file' | 'text'>[],
): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const { file, text } of reports) {
    const digest = createHash('sha256').update(text).digest('hex');
    const earlier = seen.get(digest);
    if (earlier !== undefined) return [earlier, file];
    seen.set(digest, file);
  }
  return undefined;
}
