/**
 * `aegis report merge <report.json...> [--format ...] [-o FILE] [--fail-on ...] [--strict]`:
 * the JSON reports of the shards of one `simulate --shard i/n` run (or of disjoint traces) ->
 * one report, rendered in any report format, and gated as simulate gates its report (the
 * merged report is the one a sharded CI run is about). A file that is not a report of this
 * format version is exit 2, one line.
 */
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
import { refuseWritingOver } from './output-guard.js';
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
  const reports: SimulationReport[] = [];
  for (const file of options.reports) {
    reports.push(parseReport(await readReport(file, io, options.maxFileSize ?? DEFAULT_MAX), file));
  }
  const merged = mergeReports(reports);
  const text = REPORT_RENDERERS[format](merged, {
    color: io.color,
    version: packageInfo().version,
  });
  await emitReport(text, options.output, io);
  return applyGates(merged, { ...(failOn ? { failOn } : {}), strict: options.strict === true }, io);
}

async function readReport(file: string, io: CommandIO, cap: number): Promise<string> {
  const path = resolve(io.cwd, file);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(`${file}: not a file`);
    if (info.size > cap) throw new InputError(`${file} is over the ${cap}-byte report cap`);
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${file}: ${describeErrno(error)}`);
  }
}
