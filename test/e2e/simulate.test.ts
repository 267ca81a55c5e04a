/**
 * `aegis simulate` and `aegis report merge` through the built CLI, on the project `aegis init`
 * writes: every format, the --fail-on gates against a real baseline, -o, --strict, stdin,
 * --since/--until, shards merged back into the unsharded report, and clean refusals.
 *
 * Each run compiles the policies, so the tests run concurrently, each CLI run a child process
 * of its own (run-cli's aegis() is synchronous and would serialise them).
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulationReport } from '../../src/simulator/types.js';
import { aegis, type CliResult, expectCleanRefusal, REPO, tempDir } from './run-cli.js';

let dir: { path: string; remove: () => void };

/**
 * The built CLI, asynchronously: NO_COLOR, no CI, a hard timeout. `input` is written to its
 * standard input, or `{ from }` (a path in the test directory) opened as it, as `< from` would.
 */
function cli(args: readonly string[], input: string | { from: string } = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const fd = typeof input === 'string' ? undefined : openSync(join(dir.path, input.from), 'r');
    const child = spawn(process.execPath, [join(REPO, 'bin', 'aegis'), ...args], {
      cwd: dir.path,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' },
      stdio: [fd ?? 'pipe', 'pipe', 'pipe'],
    });
    if (fd !== undefined) closeSync(fd);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (typeof input === 'string') child.stdin?.end(input);
  });
}

const sim = (args: string[], input?: string | { from: string }) =>
  cli(['simulate', ...args], input);
const json = (stdout: string) => JSON.parse(stdout) as SimulationReport;

const cached = new Map<string, Promise<CliResult>>();
/** One run shared by the tests that compare with it. */
const once = (args: string[]) => {
  const key = args.join('\0');
  const hit = cached.get(key) ?? sim(args);
  cached.set(key, hit);
  return hit;
};
const NATIVE_JSON = ['traces', '--policy', 'policies', '--format', 'json'];
const BASELINE = ['traces', '--policy', 'policies', '--baseline', 'baseline'];

beforeAll(() => {
  dir = tempDir('simulate');
  const init = aegis(['init', '.'], { cwd: dir.path });
  expect(init.code, init.stderr).toBe(0);
  // The baseline: the finance limits ten times higher, so the candidate newly blocks payments.
  const policy = readFileSync(join(dir.path, 'policies', 'agents.yaml'), 'utf8');
  mkdirSync(join(dir.path, 'baseline'));
  writeFileSync(
    join(dir.path, 'baseline', 'agents.yaml'),
    policy
      .replace('max_amount: 5000', 'max_amount: 50000')
      .replace('approval_needed_over: 1000', 'approval_needed_over: 10000'),
  );
  const lines = readFileSync(join(dir.path, 'traces', 'example.jsonl'), 'utf8').trimEnd();
  writeFileSync(join(dir.path, 'with-bad-line.jsonl'), `${lines}\n{"not json\n`);
  writeFileSync(join(dir.path, 'invalid.yaml'), 'version: 1\nagent: x\nallowed_tools: 7\n');
}, 60_000);

afterAll(() => dir.remove());

describe.concurrent('aegis simulate', () => {
  it('prints the text summary and exits 0 without a gate', async () => {
    const r = await sim(['traces', '--policy', 'policies']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Simulation {2}policy sha256:[0-9a-f]+ \(native\)\n/);
    expect(r.stdout).toContain('  17 records: 17 evaluated, 0 skipped, 0 malformed');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('✖ 12 calls would be blocked');
  });

  it('--format json is one document whose counts add up', async () => {
    const r = await once(NATIVE_JSON);
    expect(r.code, r.stderr).toBe(0);
    const report = json(r.stdout);
    expect(report.format_version).toBe(1);
    const o = report.outcomes;
    expect(o.allow + o.sanitize + o.approval_needed + o.deny).toBe(report.evaluated);
    expect(report.would_block).toBe(o.approval_needed + o.deny);
    expect(Object.values(report.timeline).reduce((a, b) => a + b, 0)).toBe(report.would_block);
    expect(report.compared_with).toBe('none');
  });

  it.each([
    [['--fail-on', 'would-block'], 1, /--fail-on would-block: 12 calls would be blocked/],
    [['--fail-on', 'new-block'], 2, /needs something to compare with/],
    [
      ['--baseline', 'baseline', '--fail-on', 'new-block'],
      1,
      /--fail-on new-block: 2 calls newly blocked/,
    ],
    [['--baseline', 'baseline', '--fail-on', 'change'], 1, /--fail-on change: 2 outcomes changed/],
    // Against itself nothing changes, so nothing is new either.
    [['--baseline', 'policies', '--fail-on', 'change'], 0, /^$/],
  ])('gate %j -> exit %i', async (flags, code, stderr) => {
    const r = await sim(['traces', '--policy', 'policies', ...flags, '--format', 'json']);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(stderr);
    // The report is on stdout whatever the gate decided.
    expect(json(r.stdout).would_block).toBe(12);
  });

  it('compares with a baseline in every format', async () => {
    const [report, markdown, junit] = await Promise.all([
      once([...BASELINE, '--format', 'json']).then((r) => json(r.stdout)),
      sim([...BASELINE, '--format', 'markdown']).then((r) => r.stdout),
      sim([...BASELINE, '--format', 'junit']).then((r) => r.stdout),
    ]);
    expect(report.compared_with).toBe('baseline');
    expect(report.changes).toEqual({ 'allow->approval_needed': 1, 'allow->deny': 1 });
    expect(markdown.split('\n')[0]).toBe('### ⛔ **12 calls would be blocked** (2 new)');
    expect(junit).toContain('<testcase classname="aegis.simulate" name="agent finance-agent">');
    expect(junit.match(/<failure /g)).toHaveLength(4);
  });

  it('-o writes the report atomically and keeps stdout empty', async () => {
    const r = await sim([
      'traces',
      '--policy',
      'policies',
      '--format',
      'html',
      '-o',
      'out/report.html',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('aegis: wrote the html report to out/report.html (12 would-blocks)\n');
    expect(readdirSync(join(dir.path, 'out'))).toEqual(['report.html']);
    expect(readFileSync(join(dir.path, 'out', 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('-o refuses a trace, a policy or a bundle of the run, and a policy directory', async () => {
    const trace = join(dir.path, 'traces', 'example.jsonl');
    const before = readFileSync(trace, 'utf8');
    const refused = [
      ['traces', '--policy', 'policies', '-o', 'traces/example.jsonl'],
      ['traces', '--policy', 'policies', '-o', 'policies/agents.yaml'],
      ['traces', '--policy', 'policies', '--baseline', 'baseline', '-o', 'baseline/new.json'],
    ];
    const results = await Promise.all(refused.map((args) => sim(args)));
    for (const result of results) expectCleanRefusal(result);
    expect(results.map((r) => r.stderr)).toEqual([
      `aegis: ${trace} is one of the traces, policies or bundles of this run; write elsewhere\n`,
      `aegis: -o ${join(dir.path, 'policies', 'agents.yaml')} is inside the policy directory ${join(dir.path, 'policies')}: it would be read as a policy\n`,
      `aegis: -o ${join(dir.path, 'baseline', 'new.json')} is inside the policy directory ${join(dir.path, 'baseline')}: it would be read as a policy\n`,
    ]);
    expect(readFileSync(trace, 'utf8')).toBe(before);
    expect(readdirSync(join(dir.path, 'baseline'))).toEqual(['agents.yaml']);
  });

  it('-o refuses the file on standard input (`- -o t.jsonl < t.jsonl`), by any link to it', async () => {
    const trace = readFileSync(join(dir.path, 'traces', 'example.jsonl'), 'utf8');
    writeFileSync(join(dir.path, 'on-stdin.jsonl'), trace);
    symlinkSync('on-stdin.jsonl', join(dir.path, 'on-stdin-link.jsonl'));
    const results = await Promise.all(
      ['on-stdin.jsonl', 'on-stdin-link.jsonl'].map((output) =>
        sim(['-', '--policy', 'policies', '-o', output], { from: 'on-stdin.jsonl' }),
      ),
    );
    for (const result of results) expectCleanRefusal(result);
    expect(results[1]?.stderr).toBe(
      `aegis: ${join(dir.path, 'on-stdin-link.jsonl')} is the trace read on standard input (-); write elsewhere\n`,
    );
    expect(readFileSync(join(dir.path, 'on-stdin.jsonl'), 'utf8')).toBe(trace);
    // Another file is written as usual.
    const elsewhere = await sim(['-', '--policy', 'policies', '-o', 'from-stdin.txt'], {
      from: 'on-stdin.jsonl',
    });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
  });

  it('counts a malformed record, and --strict makes it exit 2', async () => {
    const [plain, strict] = await Promise.all([
      sim(['with-bad-line.jsonl', '--policy', 'policies', '--format', 'json']),
      sim(['with-bad-line.jsonl', '--policy', 'policies', '--strict']),
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(json(plain.stdout).malformed).toBe(1);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toContain('Malformed records');
    expect(strict.stderr).toMatch(
      /^aegis: --strict: 1 malformed record \(first: with-bad-line\.jsonl:18: /,
    );
  });

  it('--strict fails a run with a broken link in its trace directory', async () => {
    mkdirSync(join(dir.path, 'rotated'));
    writeFileSync(
      join(dir.path, 'rotated', 'app-1.jsonl'),
      readFileSync(join(dir.path, 'traces', 'example.jsonl')),
    );
    symlinkSync('app-0.jsonl', join(dir.path, 'rotated', 'current.jsonl'));
    const r = await sim(['rotated', '--policy', 'policies', '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'aegis: --strict: 1 malformed record (first: rotated/current.jsonl:0: cannot read the file: broken symbolic link (its target does not exist))\n',
    );
  });

  it('--strict fails a run that evaluated no call: an empty stdin, a log of skipped records', async () => {
    const empty = await sim(['-', '--policy', 'policies', '--strict', '--fail-on', 'would-block']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(
      'aegis: --strict: no call was evaluated (0 records read, 0 skipped)\n',
    );
    // OPA's decision log, every event for another path than aegis/decision: all skipped.
    const log = readFileSync(join(REPO, 'fixtures', 'traces', 'opa-console.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"decision_id"'))
      .map((line) => line.replace('"path":"aegis/decision"', '"path":"other/allow"'))
      .join('\n');
    const skippedOnly = await sim(
      ['-', '--policy', 'policies', '--strict', '--format', 'json'],
      log,
    );
    expect(skippedOnly.code, skippedOnly.stderr).toBe(2);
    const report = json(skippedOnly.stdout);
    expect(report.evaluated).toBe(0);
    expect(report.malformed).toBe(0);
    expect(report.skipped).toBeGreaterThan(0);
    expect(skippedOnly.stderr).toMatch(
      /^aegis: --strict: no call was evaluated \(\d+ records? read, [1-9]\d* skipped\)\n$/,
    );
    const lenient = await sim(['-', '--policy', 'policies', '--format', 'json'], log);
    expect(lenient.code, lenient.stderr).toBe(0);
  });

  it('--strict fails a run whose standard input is a directory (`< dir`), which reads as nothing', async () => {
    const r = await sim(['-', 'traces', '--policy', 'policies', '--strict', '--format', 'json'], {
      from: 'traces',
    });
    expect(r.code).toBe(2);
    expect(json(r.stdout).first_malformed).toEqual([
      { file: '<stdin>', line: 0, error: 'cannot read the file: standard input is a directory' },
    ]);
  });

  it('reads a trace from stdin', async () => {
    const trace = readFileSync(join(dir.path, 'traces', 'example.jsonl'), 'utf8');
    const r = await sim(['-', '--policy', 'policies', '--format', 'json'], trace);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).evaluated).toBe(17);
  });

  it('--since and --until keep a time range', async () => {
    const r = await sim([
      'traces',
      '--policy',
      'policies',
      '--format',
      'json',
      '--since',
      '2026-11-20T14:00:00Z',
      '--until',
      '2026-11-21',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = json(r.stdout);
    // 14:00 to 17:30 on the 20th: seven finance calls, three support calls, one deploy.
    expect(report.evaluated).toBe(11);
    expect(Object.keys(report.timeline).every((h) => h.startsWith('2026-11-20T1'))).toBe(true);
  });

  it('agrees with itself on the opa engine', async () => {
    const [native, opa] = await Promise.all([
      once(NATIVE_JSON).then((r) => json(r.stdout)),
      sim([...NATIVE_JSON, '--engine', 'opa']),
    ]);
    expect(opa.code, opa.stderr).toBe(0);
    const report = json(opa.stdout);
    expect(report.policy.engine).toBe('opa');
    expect({ ...report, policy: native.policy }).toEqual(native);
    // The same bytes, not only the same values: OPA gives a reason's members by name.
    expect(report.examples.length).toBeGreaterThan(0);
    expect(JSON.stringify({ ...report, policy: native.policy })).toBe(JSON.stringify(native));
  });

  it('refuses invalid policies with their diagnostics (exit 1)', async () => {
    const r = await sim(['traces', '--policy', 'invalid.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('invalid.yaml');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      'aegis: not simulated: the policy has errors',
    );
  });

  it.each([
    [['--policy', 'policies', 'traces'], /at least one trace.*put the traces first/],
    [['nowhere.jsonl', '--policy', 'policies'], /nowhere\.jsonl: no such file/],
    // The bundle's name once, not twice ("gone.tar.gz: gone.tar.gz: no such file").
    [['traces', '--policy', 'gone.tar.gz'], /^aegis: gone\.tar\.gz: no such file$/m],
    [['traces', '--policy', 'policies', '--since', 'last tuesday'], /--since: expected/],
    [['traces', '--policy', 'policies', '--shard', '2/2'], /--shard/],
    [['traces', '--policy', 'policies', '-o', 'traces/example.jsonl/x'], /cannot write/],
  ])('refuses %j in one line (exit 2)', async (args, message) => {
    const r = await sim(args);
    expectCleanRefusal(r);
    expect(r.stderr).toMatch(message);
  });

  it('rejects an unknown --format and --fail-on before reading anything', async () => {
    const runs = await Promise.all(
      [
        ['--format', 'sarif'],
        ['--fail-on', 'always'],
      ].map((flag) => sim(['traces', '--policy', 'policies', ...flag])),
    );
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/argument '(sarif|always)' is invalid/);
    }
  });
});

describe.concurrent('aegis report merge', () => {
  const SHARDED = [...BASELINE, '--format', 'json'];
  const SHARDS = ['shards/0.json', 'shards/1.json', 'shards/2.json'];
  const merge = (args: string[]) => cli(['report', 'merge', ...args]);

  beforeAll(async () => {
    writeFileSync(join(dir.path, 'v9.json'), JSON.stringify({ format_version: 9 }));
    const runs = await Promise.all(
      SHARDS.map((file, i) => sim([...SHARDED, '--shard', `${i}/3`, '-o', file])),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it('merges --shard reports back into the unsharded report', async () => {
    const [merged, full] = await Promise.all([
      merge([...SHARDS, '--format', 'json']),
      once(SHARDED),
    ]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(full.stdout);
  });

  it('renders the merged report as text by default', async () => {
    const r = await merge(SHARDS);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('✖ 12 calls would be blocked (2 new)');
  });

  it.each([
    [['--fail-on', 'would-block']],
    [['--fail-on', 'new-block']],
    [['--fail-on', 'change']],
    [['--strict']],
  ])('gates the merged report as simulate gates the unsharded one: %j', async (gate) => {
    const [merged, full] = await Promise.all([
      merge([...SHARDS, '--format', 'json', ...gate]),
      once([...SHARDED, ...gate]),
    ]);
    expect(merged.code, merged.stderr).toBe(full.code);
    expect(merged.stderr).toBe(full.stderr);
    expect(merged.stdout).toBe(full.stdout);
    if (gate[1] === 'would-block') {
      expect(merged.code).toBe(1);
      expect(merged.stderr).toBe('aegis: --fail-on would-block: 12 calls would be blocked\n');
    }
  });

  it('refuses one report file given twice, by any path, and warns of two files alike', async () => {
    const full = await once(SHARDED);
    expect(full.code, full.stderr).toBe(0);
    writeFileSync(join(dir.path, 'full.json'), full.stdout);
    writeFileSync(join(dir.path, 'full-copy.json'), full.stdout);
    rmSync(join(dir.path, 'full-link.json'), { force: true });
    linkSync(join(dir.path, 'full.json'), join(dir.path, 'full-link.json'));
    for (const [files, message] of [
      [['full.json', 'full.json'], 'aegis: report merge: full.json is given twice'],
      [['full.json', './full.json'], 'aegis: report merge: full.json and ./full.json are the same'],
      [['full.json', 'full-link.json'], 'aegis: report merge: full.json and full-link.json are'],
      [[...SHARDS, 'shards/1.json'], 'aegis: report merge: shards/1.json is given twice'],
    ] as const) {
      const r = await merge([...files, '--format', 'json']);
      expectCleanRefusal(r);
      expect(r.stderr.startsWith(message), r.stderr).toBe(true);
      expect(r.stderr).toMatch(/counts every call twice\n {2}hint: give each report once\n$/);
    }
    // Separate traces can give reports alike: merged, with a warning, the gate unchanged.
    const alike = await merge(['full.json', 'full-copy.json', '--format', 'json']);
    expect(alike.code, alike.stderr).toBe(0);
    expect((JSON.parse(alike.stdout) as SimulationReport).events).toBe(
      2 * (JSON.parse(full.stdout) as SimulationReport).events,
    );
    expect(alike.stderr).toBe(
      'aegis: warning: full.json and full-copy.json have the same content; if one is a copy of the other, the merged report counts its calls twice\n',
    );
  });

  it.each([
    ['a missing file', ['nope.json'], /cannot read nope\.json: no such file/],
    ['a file that is not JSON', ['traces/example.jsonl'], /not JSON/],
    [
      'another format version',
      ['v9.json'],
      /v9\.json: report format_version 9; this aegis reads 1/,
    ],
    ['a missing shard', ['shards/0.json', 'shards/2.json'], /shard 1\/3 missing/],
    [
      '-o naming one of the reports',
      [...SHARDS, '-o', 'shards/0.json'],
      /shards\/0\.json is one of the reports being merged; write elsewhere/,
    ],
  ])('refuses %s in one line (exit 2)', async (_what, files, message) => {
    const r = await merge(files);
    expectCleanRefusal(r);
    expect(r.stderr).toMatch(message);
  });
});
