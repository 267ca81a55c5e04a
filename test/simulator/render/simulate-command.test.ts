/**
 * The exit-code policy of `aegis simulate`, in process, over canned reports: the --fail-on
 * gates, --strict, -o, the flag parsing, and what reaches simulate(). The e2e tests run the
 * same through real traces and policies.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SimulateOptions } from '../../../src/simulator/simulate.js';
import type { SimulationReport } from '../../../src/simulator/types.js';
import { CLEAN, REPORT } from './sample-report.js';

const canned = vi.hoisted(() => ({
  report: undefined as SimulationReport | undefined,
  calls: [] as unknown[],
}));

vi.mock('../../../src/engine/policy-set.js', () => ({
  loadPolicySet: async (paths: readonly string[]) => ({
    ok: true,
    set: { origin: 'sources', revision: paths.join('+'), ir: {}, modules: [], data: {} },
  }),
}));

vi.mock('../../../src/simulator/simulate.js', () => ({
  simulate: async (options: SimulateOptions) => {
    canned.calls.push(options);
    if (!canned.report) throw new Error('no canned report');
    return canned.report;
  },
}));

const { run, parseDurationMs, parseTimeBound } = await import('../../../src/commands/simulate.js');
const { gateCount } = await import('../../../src/commands/report-gates.js');

function io(cwd = '/work/project') {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      cwd,
      env: {},
      stdout: (s: string) => {
        out.stdout += s;
      },
      stderr: (s: string) => {
        out.stderr += s;
      },
      color: false,
      interactive: false,
      stdin: new PassThrough(),
    },
  };
}

const base = { traces: ['traces'], policy: ['policies'] };
const temp = mkdtempSync(join(tmpdir(), 'aegis-simulate-command-'));

beforeEach(() => {
  canned.calls = [];
  canned.report = REPORT;
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('simulate command gates', () => {
  const recorded: SimulationReport = { ...CLEAN, compared_with: 'recorded' };
  const unblocked: SimulationReport = {
    ...CLEAN,
    compared_with: 'baseline',
    changes: { 'deny->allow': 2 },
  };
  it.each([
    ['no gate, blocks', REPORT, undefined, 0],
    ['would-block, blocks', REPORT, 'would-block', 1],
    ['would-block, none', CLEAN, 'would-block', 0],
    ['new-block, new blocks', REPORT, 'new-block', 1],
    ['new-block, only unblocks', unblocked, 'new-block', 0],
    ['change, only unblocks', unblocked, 'change', 1],
    ['change, nothing changed', recorded, 'change', 0],
    ['new-block, nothing to compare', CLEAN, 'new-block', 2],
    ['change, nothing to compare', CLEAN, 'change', 2],
  ] as const)('%s -> exit %i', async (_name, report, failOn, code) => {
    canned.report = report;
    const { io: cmdIo, out } = io();
    expect(await run({ ...base, ...(failOn ? { failOn } : {}) }, cmdIo)).toBe(code);
    // The report is printed whatever the gate says.
    expect(out.stdout).toContain('would be blocked');
    if (code === 1) expect(out.stderr).toMatch(/^aegis: --fail-on /);
    if (code === 2) expect(out.stderr).toContain('needs something to compare with');
  });

  it('counts what each gate sees', () => {
    expect(gateCount('would-block', REPORT)).toBe(150);
    expect(gateCount('new-block', REPORT)).toBe(15);
    expect(gateCount('change', REPORT)).toBe(24);
  });

  it('--strict: malformed records are exit 2, and beat a tripped gate', async () => {
    const { io: cmdIo, out } = io();
    expect(await run({ ...base, strict: true, failOn: 'would-block' }, cmdIo)).toBe(2);
    expect(out.stderr).toContain(
      'aegis: --strict: 22 malformed records (first: traces/day1.jsonl:88: not JSON',
    );
    canned.report = CLEAN;
    expect(await run({ ...base, strict: true }, io().io)).toBe(0);
  });
});

describe('simulate command options', () => {
  it('passes the parsed flags to simulate()', async () => {
    await run(
      {
        ...base,
        traces: ['a.jsonl', '-'],
        baseline: ['old.tar.gz'],
        engine: 'native',
        since: '2025-03-04',
        until: '2025-03-05T00:00:00.5Z',
        shard: '1/4',
        reorderWindow: '2s',
        examples: 3,
      },
      io().io,
    );
    const call = canned.calls[0] as SimulateOptions;
    expect(call.traces).toEqual(['a.jsonl', '-']);
    expect(call.policy.revision).toBe('policies');
    expect(call.baseline?.revision).toBe('old.tar.gz');
    expect(call.since).toBe(1_741_046_400_000_000_000n);
    expect(call.until).toBe(1_741_132_800_500_000_000n);
    expect(call.shard).toEqual({ index: 1, count: 4 });
    expect(call.reorderWindowMs).toBe(2000);
    expect(call.examplesPerTransition).toBe(3);
    expect(call.onProgress).toBeUndefined();
  });

  it.each([
    [{ format: 'sarif' }, /unknown format `sarif`/],
    [{ engine: 'rego' }, /unknown engine/],
    [{ failOn: 'everything' }, /unknown --fail-on/],
    [{ traces: [] }, /at least one trace.*put the traces first/],
    [{ policy: [] }, /needs --policy/],
    [{ since: 'yesterday' }, /--since: expected an RFC 3339 time/],
    [{ since: '2025-03-05', until: '2025-03-04' }, /--until must be later than --since/],
    [{ shard: '4/4' }, /--shard/],
    [{ reorderWindow: '5' }, /--reorder-window: expected a duration/],
  ])('refuses %j', async (extra, message) => {
    await expect(run({ ...base, ...extra }, io().io)).rejects.toThrow(message);
    expect(canned.calls).toHaveLength(0);
  });

  it('reads relative times back from now, and durations', () => {
    const now = Date.UTC(2025, 2, 4, 12);
    expect(parseTimeBound('--since', '24h', now)).toBe(BigInt(now - 86_400_000) * 1_000_000n);
    expect(parseTimeBound('--since', '2025-03-04T09:00:00+01:00', now)).toBe(
      BigInt(Date.UTC(2025, 2, 4, 8)) * 1_000_000n,
    );
    // The ends of what 64-bit nanoseconds hold, and a year past them, told apart from bad text.
    expect(parseTimeBound('--since', '1677-09-21T00:12:43.145224192Z', now)).toBe(-(2n ** 63n));
    expect(parseTimeBound('--until', '2262-04-11T23:47:16.854775807Z', now)).toBe(2n ** 63n - 1n);
    expect(() => parseTimeBound('--since', '9999-12-31', now)).toThrow(
      '--since: 9999-12-31 is outside the times a trace can hold (1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z',
    );
    expect(() => parseTimeBound('--since', '1600-02-29T00:00:00Z', now)).toThrow('is outside');
    expect(() => parseTimeBound('--since', '1900-02-29', now)).toThrow('expected an RFC 3339 time');
    expect(() => parseTimeBound('--since', '2025-13-01', now)).toThrow('expected an RFC 3339 time');
    expect(parseDurationMs('--reorder-window', '0')).toBe(0);
    expect(parseDurationMs('--reorder-window', '500ms')).toBe(500);
    expect(parseDurationMs('--reorder-window', '1.5m')).toBe(90_000);
  });

  it('-o writes the file atomically and leaves stdout empty', async () => {
    const { io: cmdIo, out } = io(temp);
    expect(await run({ ...base, format: 'html', output: 'out/report.html' }, cmdIo)).toBe(0);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe('aegis: wrote the html report to out/report.html (150 would-blocks)\n');
    expect(readFileSync(join(temp, 'out', 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(readdirSync(join(temp, 'out'))).toEqual(['report.html']);
  });

  it('-o into something that is not a directory is an input error', async () => {
    const { io: cmdIo } = io(temp);
    await run({ ...base, output: 'file.txt' }, cmdIo);
    await expect(run({ ...base, output: 'file.txt/report.txt' }, cmdIo)).rejects.toThrow(
      /cannot write .*file\.txt\/report\.txt: a part of the path is not a directory/,
    );
  });
});
