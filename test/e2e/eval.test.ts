/**
 * `aegis eval` through the built CLI: one JSON input or JSON Lines, a file or stdin, a bundle or
 * the policy sources, the three engines, --explain, and every refusal of a bad input or a
 * bundle aegis did not make (exit 2, one line, no stack).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/bundle/canonical-json.js';
import { readBundleFile } from '../../src/bundle/read-bundle.js';
import { writeBundle } from '../../src/bundle/write-bundle.js';
import { MAX_INPUT_DEPTH } from '../../src/engine/json.js';
import { findOpa } from '../../src/engine/opa-binary.js';
import { aegis, expectCleanRefusal, isCleanError, REPO, tempDir } from './run-cli.js';

const DECISION_KEYS = ['allow', 'decision', 'mode', 'outcome', 'params', 'reasons', 'redactions'];

let dir: { path: string; remove: () => void };
/** The fintech and healthcare case inputs: allows, denials, shadow, sanitize. */
let inputs: unknown[];
/** Their case names, in the same order. */
let names: string[];
/** `aegis eval plain.tar.gz --input many.jsonl`: native decisions of every input, one per line. */
let many: { code: number | null; stdout: string; stderr: string };

const evalCli = (args: string[], input?: string | Buffer) =>
  aegis(['eval', ...args], { cwd: dir.path, ...(input !== undefined ? { input } : {}) });

const canonicalLines = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => canonicalJson(JSON.parse(line)));

beforeAll(async () => {
  const opa = await findOpa({ env: process.env, cwd: REPO });
  if (!opa.ok) throw new Error(`eval tests need real OPA: ${opa.message}; run npm run install-opa`);

  dir = tempDir('eval');
  cpSync(join(REPO, 'fixtures', 'policies'), join(dir.path, 'policies'), { recursive: true });
  const cases = readFileSync(join(REPO, 'fixtures', 'cases', 'fintech.jsonl'), 'utf8')
    .concat(readFileSync(join(REPO, 'fixtures', 'cases', 'healthcare.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { name: string; input: unknown });
  inputs = cases.map((c) => c.input);
  names = cases.map((c) => c.name);
  writeFileSync(join(dir.path, 'one.json'), `${JSON.stringify(inputs[0], null, 2)}\n`);
  writeFileSync(join(dir.path, 'many.jsonl'), inputs.map((i) => `${JSON.stringify(i)}\n`).join(''));

  for (const [out, extra] of [
    ['plain.tar.gz', []],
    ['wasm.tar.gz', ['--wasm']],
  ] as const) {
    const compiled = aegis(['compile', 'policies', '-o', out, ...extra], { cwd: dir.path });
    if (compiled.code !== 0) throw new Error(`compile failed: ${compiled.stderr}`);
  }

  many = evalCli(['plain.tar.gz', '--input', 'many.jsonl']);

  // A bundle that OPA accepts but aegis did not make: no aegis policy data in data.json.
  const opaDir = join(dir.path, 'opa-src', 'aegis');
  mkdirSync(opaDir, { recursive: true });
  writeFileSync(join(opaDir, 'd.rego'), 'package aegis\n\ndecision := {"decision": "allow"}\n');
  const built = spawnSync(
    opa.path,
    ['build', '-b', join(dir.path, 'opa-src'), '-o', join(dir.path, 'opa-built.tar.gz')],
    {
      encoding: 'utf8',
    },
  );
  if (built.status !== 0) throw new Error(`opa build failed: ${built.stderr}`);
  // Random bytes that only look like a bundle by name.
  writeFileSync(
    join(dir.path, 'random.tar.gz'),
    Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
  );
});

afterAll(() => dir?.remove());

describe('aegis eval', () => {
  it('one JSON input: the decision document, pretty-printed', () => {
    const result = evalCli(['plain.tar.gz', '--input', 'one.json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const decision = JSON.parse(result.stdout);
    expect(result.stdout).toBe(`${JSON.stringify(decision, null, 2)}\n`);
    expect(Object.keys(decision).sort()).toEqual(expect.arrayContaining(DECISION_KEYS));
    expect(decision.decision).toBe('allow');
    expect(decision.policy).toEqual({ agent: 'finance-agent', tenant: 'acme' });
  });

  it('JSON Lines: one compact decision per line, in order', () => {
    const result = many;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(inputs.length);
    for (const line of lines) {
      const d = JSON.parse(line);
      expect(line).toBe(JSON.stringify(d));
      expect(Object.keys(d)).toEqual(expect.arrayContaining(DECISION_KEYS));
    }
    // Not all the same answer: the cases cover every outcome.
    const outcomes = new Set(lines.map((l) => JSON.parse(l).outcome));
    expect([...outcomes].sort()).toEqual(['allow', 'approval_needed', 'deny', 'sanitize']);
  });

  it('a .jsonl file with one line still gets one compact line', () => {
    writeFileSync(join(dir.path, 'single.jsonl'), `${JSON.stringify(inputs[0])}\n`);
    const result = evalCli(['plain.tar.gz', '--input', 'single.jsonl']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${many.stdout.split('\n')[0]}\n`);
  });

  it('a leading byte order mark is not part of the input (file or stdin)', () => {
    writeFileSync(
      join(dir.path, 'bom.json'),
      `\ufeff${readFileSync(join(dir.path, 'one.json'), 'utf8')}`,
    );
    const one = evalCli(['plain.tar.gz', '--input', 'one.json']);
    const bom = evalCli(['plain.tar.gz', '--input', 'bom.json']);
    expect(bom.stderr).toBe('');
    expect(bom.stdout).toBe(one.stdout);
    const lines = `\ufeff${readFileSync(join(dir.path, 'many.jsonl'), 'utf8')}`;
    const fromStdin = evalCli(['plain.tar.gz', '--input', '-'], lines);
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(many.stdout);
  });

  it('an input that is not UTF-8 (file or stdin) exits 2 naming it, as validate and test refuse one', () => {
    // The agent id `\xe9` (Latin-1 é): read as UTF-8 with a replacement character it decided a
    // call nobody sent.
    const latin1 = Buffer.concat([
      Buffer.from('{"agent":{"id":"'),
      Buffer.from([0xe9]),
      Buffer.from('"},"tool":{"name":"t"}}\n'),
    ]);
    writeFileSync(join(dir.path, 'latin1.x'), latin1);
    const fromFile = evalCli(['plain.tar.gz', '--input', 'latin1.x']);
    expectCleanRefusal(fromFile);
    expect(fromFile.stderr).toContain(
      'aegis: --input latin1.x:1:17: file is not valid UTF-8 (byte 0xe9 at offset 16)',
    );
    const fromStdin = evalCli(['plain.tar.gz', '--input', '-'], latin1);
    expectCleanRefusal(fromStdin);
    expect(fromStdin.stderr).toContain('aegis: standard input:1:17: file is not valid UTF-8');
    // Likewise a JSON Lines file whose second line is the bad one, and a file holding NUL.
    writeFileSync(
      join(dir.path, 'latin1.jsonl'),
      Buffer.concat([Buffer.from(`${JSON.stringify(inputs[0])}\n`), latin1]),
    );
    expect(evalCli(['plain.tar.gz', '--input', 'latin1.jsonl']).stderr).toMatch(
      /^aegis: --input latin1\.jsonl:2:17: file is not valid UTF-8/,
    );
    writeFileSync(join(dir.path, 'nul.json'), Buffer.from('{"agent":\u0000}'));
    const nul = evalCli(['plain.tar.gz', '--input', 'nul.json']);
    expectCleanRefusal(nul);
    expect(nul.stderr).toContain('nul.json:1:10: file holds NUL bytes');
  });

  it('takes --format json, the only format it prints; any other is a usage error naming json', () => {
    const json = evalCli(['plain.tar.gz', '--input', 'many.jsonl', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toBe(many.stdout);
    const one = evalCli(['plain.tar.gz', '--input', 'one.json']);
    expect(evalCli(['plain.tar.gz', '--input', 'one.json', '--format', 'json']).stdout).toBe(
      one.stdout,
    );
    for (const format of ['text', 'yaml']) {
      const refused = evalCli(['plain.tar.gz', '--input', 'one.json', '--format', format]);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toBe(
        `error: option '--format <format>' argument '${format}' is invalid. Allowed choices are json.\n`,
      );
    }
    expect(evalCli(['--help']).stdout).toMatch(
      /--format <format> +output format \(choices: "json", default: "json"\)/,
    );
  });

  it('--input - reads stdin', () => {
    const fromStdin = evalCli(
      ['plain.tar.gz', '--input', '-'],
      readFileSync(join(dir.path, 'many.jsonl'), 'utf8'),
    );
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(many.stdout);
  });

  it('a bundle and the policy directory decide the same', () => {
    const sources = evalCli(['policies', '--input', 'many.jsonl']);
    expect(sources.code).toBe(0);
    expect(sources.stdout).toBe(many.stdout);
  });

  it('--engine native, opa and wasm agree (wasm from a --wasm bundle and from sources)', () => {
    const expected = canonicalLines(many.stdout);
    for (const args of [
      ['wasm.tar.gz', '--engine', 'opa'],
      ['wasm.tar.gz', '--engine', 'wasm'],
      ['policies', '--engine', 'wasm'],
    ]) {
      const result = evalCli([...args, '--input', 'many.jsonl']);
      expect(result.stderr, args.join(' ')).toBe('');
      expect(result.code, args.join(' ')).toBe(0);
      expect(canonicalLines(result.stdout), args.join(' ')).toEqual(expected);
      // Byte for byte, too: members in the document's order, params keys sorted, whichever
      // engine decided (OPA hands back every object's keys sorted).
      expect(result.stdout, args.join(' ')).toBe(many.stdout);
    }
  });

  it('prints members in the order of the decision document, and params keys sorted', () => {
    const input = {
      agent: { id: 'finance-agent', tenant: 'acme' },
      tool: { name: 'stripe-payments', action: 'create_payment' },
      params: { z: 1, amount: 10, currency: 'USD', nested: { b: 1, a: 2 } },
      context: { region: 'nowhere' },
    };
    writeFileSync(join(dir.path, 'order.json'), JSON.stringify(input));
    for (const engine of ['native', 'opa', 'wasm']) {
      const result = evalCli(['wasm.tar.gz', '--engine', engine, '--input', 'order.json']);
      expect(result.code, engine).toBe(0);
      const decision = JSON.parse(result.stdout);
      expect(Object.keys(decision), engine).toEqual([
        'decision',
        'outcome',
        'allow',
        'mode',
        'reasons',
        'redactions',
        'params',
        'policy',
      ]);
      expect(Object.keys(decision.reasons[0]), engine).toEqual([
        'code',
        'effect',
        'rule',
        'message',
      ]);
      expect(JSON.stringify(decision.params), engine).toBe(
        '{"amount":10,"currency":"USD","nested":{"a":2,"b":1},"z":1}',
      );
    }
  });

  it('a bundle given with other paths, or a directory as --input, exits 2 saying which', () => {
    const mixed = evalCli(['plain.tar.gz', 'policies', '--input', 'one.json']);
    expectCleanRefusal(mixed);
    expect(mixed.stderr).toContain('plain.tar.gz is a bundle, given with other paths');
    const directory = evalCli(['plain.tar.gz', '--input', 'policies']);
    expectCleanRefusal(directory);
    expect(directory.stderr).toBe('aegis: cannot read --input policies: it is a directory\n');
  });

  it('--engine wasm on a bundle without policy.wasm exits 2 with a hint', () => {
    const result = evalCli(['plain.tar.gz', '--input', 'one.json', '--engine', 'wasm']);
    expectCleanRefusal(result);
    expect(result.stderr).toContain('policy.wasm');
    expect(result.stderr).toMatch(/hint: .*--wasm/);
  });

  it('--explain: the explanation on stderr, stdout unchanged', () => {
    const explained = evalCli(['plain.tar.gz', '--input', 'many.jsonl', '--explain']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toBe(many.stdout);
    // One block per input, each starting with its `decision` line.
    const blocks = explained.stderr.split(/^(?=decision )/m);
    expect(blocks).toHaveLength(inputs.length);
    const block = (name: string) => blocks[names.indexOf(name)] ?? '';

    const allowed = block('small weekday payment is allowed');
    expect(allowed).toMatch(/^decision allow \(outcome allow, mode enforce\)/);
    expect(allowed).toMatch(/^ {2}pass {2}3 region is one of \[us-east-1, us-west-2\]$/m);
    expect(allowed).not.toContain('FAIL');

    // Region fails first; egress and tool lookup never ran, so they are not listed as passed.
    const region = block('region outside the list is denied');
    expect(region).toMatch(/^ {2}FAIL {2}3 region .*region_denied/m);
    expect(region).not.toMatch(/ 4 egress| 5 tool/);

    // The tool and action denials share a rule id; only the one that failed says FAIL.
    const approval = block('payment over 1000 needs approval');
    expect(approval).toMatch(/^ {2}pass {2}5 tool is listed$/m);
    expect(approval).toMatch(/^ {2}FAIL {2}amount <= 1000 .*amount_needs_approval/m);
  });

  it('bad JSON on line 3 of a JSON Lines file exits 2 naming the line', () => {
    const lines = inputs.slice(0, 4).map((i) => JSON.stringify(i));
    lines[2] = '{"agent": {"id": "finance-agent"}, ';
    writeFileSync(join(dir.path, 'bad.jsonl'), `${lines.join('\n')}\n`);
    const result = evalCli(['plain.tar.gz', '--input', 'bad.jsonl']);
    expectCleanRefusal(result);
    expect(result.stderr).toContain('bad.jsonl:3');
  });

  it('an input nested deeper than 1000 levels exits 2; one of exactly 1000 is decided alike by every engine', () => {
    /** An EHR read whose params nest an email `levels - 2` arrays deep: `levels` in all. */
    const call = (levels: number) =>
      JSON.stringify({
        agent: { id: 'ehr-agent', tenant: 'st-marys' },
        tool: { name: 'ehr-api', action: 'read_record' },
        params: {
          patient_id: 'P12345678',
          note: JSON.parse(
            `${'['.repeat(levels - 2)}"mail jane@example.com"${']'.repeat(levels - 2)}`,
          ),
        },
        egress: { host: 'fhir.st-marys.example.org' },
        context: { time: '2026-11-18T10:00:00Z' },
      });
    writeFileSync(join(dir.path, 'deep.json'), call(MAX_INPUT_DEPTH + 1));
    writeFileSync(join(dir.path, 'deep.jsonl'), `${call(3)}\n${call(MAX_INPUT_DEPTH + 1)}\n`);
    const refused = evalCli(['plain.tar.gz', '--input', 'deep.json']);
    expectCleanRefusal(refused);
    expect(refused.stderr).toContain(
      'deep.json: the input nests objects and arrays more than 1000 levels deep',
    );
    expect(evalCli(['plain.tar.gz', '--input', 'deep.jsonl']).stderr).toContain('deep.jsonl:2: ');

    writeFileSync(join(dir.path, 'limit.json'), call(MAX_INPUT_DEPTH));
    const decisions = [
      ['wasm.tar.gz'],
      ['wasm.tar.gz', '--engine', 'opa'],
      ['wasm.tar.gz', '--engine', 'wasm'],
    ].map((args) => {
      const result = evalCli([...args, '--input', 'limit.json']);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      return JSON.parse(result.stdout) as { decision: string; redactions: { path: string }[] };
    });
    expect(decisions[0]?.decision).toBe('sanitize');
    expect(decisions[0]?.redactions).toEqual([
      { path: `/note${'/0'.repeat(MAX_INPUT_DEPTH - 2)}`, by: 'email' },
    ]);
    expect(decisions[1]).toEqual(decisions[0]);
    expect(decisions[2]).toEqual(decisions[0]);
  });

  it('a number past the double range exits 2 naming where: aegis would read it as null, OPA as the number', () => {
    const call = (amount: string) =>
      `{"agent":{"id":"finance-agent","tenant":"acme"},"tool":{"name":"stripe-payments","action":"create_payment"},"params":{"amount":${amount},"currency":"USD"}}`;
    writeFileSync(join(dir.path, 'huge.json'), call('1e400'));
    writeFileSync(join(dir.path, 'huge.jsonl'), `${call('10')}\n${call('-1e400')}\n`);
    const refused = evalCli(['plain.tar.gz', '--input', 'huge.json']);
    expectCleanRefusal(refused);
    expect(refused.stderr).toContain('huge.json: a number is beyond what a double holds');
    expect(evalCli(['plain.tar.gz', '--input', 'huge.jsonl']).stderr).toContain('huge.jsonl:2: ');
    // 1e308 is a double: decided.
    writeFileSync(join(dir.path, 'large.json'), call('1e308'));
    expect(evalCli(['plain.tar.gz', '--input', 'large.json']).code).toBe(0);
  });

  it('an empty input exits 2', () => {
    writeFileSync(join(dir.path, 'empty.json'), '\n  \n');
    expectCleanRefusal(evalCli(['plain.tar.gz', '--input', 'empty.json']));
    expectCleanRefusal(evalCli(['plain.tar.gz', '--input', '-'], ''));
  });

  it('an opa that answers JSON of another shape exits 2 naming it, for eval, simulate and test', () => {
    const fake = join(dir.path, 'fake-opa');
    const decision = { allow: true, decision: 'allow', mode: 'enforce', outcome: 'allow' };
    for (const [answer, message] of [
      ['null', 'no list of [input, decision] pairs in result[0].expressions[0].value: "null\\n"'],
      ['{"errors":[{"code":"rego_parse_error"}]}', 'errors: [{"code":"rego_parse_error"}]'],
      [
        '{"result":[{"expressions":[{"value":[[0]]}]}]}',
        'pair 0 that is not [input index, decision]',
      ],
      [
        JSON.stringify({ result: [{ expressions: [{ value: [[0, decision]] }] }] }),
        'a decision for input 0 that is not a decision document: /reasons is not a list',
      ],
      ['{"result":[{"expressions":[{"value":[]}]}]}', 'no decision for input 0'],
    ] as const) {
      writeFileSync(
        fake,
        `#!/bin/sh\nif [ "$1" = version ]; then echo "Version: 1.0.0"; exit 0; fi\ncat >/dev/null\necho '${answer}'\n`,
      );
      chmodSync(fake, 0o755);
      const result = aegis(['eval', 'plain.tar.gz', '--input', 'one.json', '--engine', 'opa'], {
        cwd: dir.path,
        env: { AEGIS_OPA: fake },
      });
      expectCleanRefusal(result);
      const line = `aegis: ${fake} answered \`opa eval --format json\` with ${message}`;
      expect(result.stderr.startsWith(line), result.stderr).toBe(true);
      expect(result.stderr).toMatch(/hint: .*AEGIS_OPA/);
    }
    // The same through the commands that batch their inputs.
    writeFileSync(
      join(dir.path, 'fake-test.test.yaml'),
      'cases:\n  - name: one\n    input: {}\n    expect: { decision: allow }\n',
    );
    for (const args of [
      ['simulate', 'many.jsonl', '--policy', 'plain.tar.gz', '--engine', 'opa'],
      ['test', 'plain.tar.gz', 'fake-test.test.yaml', '--engine', 'opa'],
    ]) {
      const result = aegis(args, { cwd: dir.path, env: { AEGIS_OPA: fake } });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(
        `aegis: ${fake} answered \`opa eval --format json\` with no decision for input 0`,
      );
      expect(result.stderr).not.toMatch(/internal error|please report|\n\s+at /);
    }
  });

  it('a plain `opa build` bundle (no aegis policy data) exits 2', () => {
    const result = evalCli(['opa-built.tar.gz', '--input', 'one.json']);
    expectCleanRefusal(result);
    expect(result.stderr).toContain('opa-built.tar.gz');
  });

  it('a bundle whose data.json holds an operator aegis does not have exits 2 with every engine, as does simulate', async () => {
    // The auditor's case: every params test's operator rewritten to "in_", and a call whose
    // currency is not allowed. The native engine read the operator as holding and allowed the
    // call that OPA, reading the same data.json, denied.
    const read = await readBundleFile(join(dir.path, 'wasm.tar.gz'));
    if (!read.ok) throw new Error(read.message);
    const data = JSON.parse(new TextDecoder().decode(read.files.get('data.json')));
    const { global, tenants } = data.aegis.policies;
    const policies = [
      ...Object.values(global),
      ...Object.values(tenants).flatMap((agents) => Object.values(agents as object)),
    ] as { tools: Record<string, { tests: Record<string, { op: string }[]> }> }[];
    for (const test of policies.flatMap((p) =>
      Object.values(p.tools).flatMap((t) => Object.values(t.tests).flat()),
    ))
      test.op = 'in_';
    read.files.set('data.json', new TextEncoder().encode(JSON.stringify(data)));
    writeFileSync(
      join(dir.path, 'tampered.tar.gz'),
      writeBundle([...read.files].map(([path, content]) => ({ path, content }))),
    );
    const [first] = readFileSync(
      join(REPO, 'fixtures', 'traces', 'aegis-events.jsonl'),
      'utf8',
    ).split('\n');
    const event = JSON.parse(first ?? '');
    event.params.currency = 'XXX';
    writeFileSync(join(dir.path, 'xxx.json'), JSON.stringify(event));

    const compiled = evalCli(['wasm.tar.gz', '--input', 'xxx.json']);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(JSON.parse(compiled.stdout)).toMatchObject({ decision: 'deny' });
    expect(compiled.stdout).toContain('param_violation');
    for (const engine of ['native', 'opa', 'wasm']) {
      const result = evalCli(['tampered.tar.gz', '--input', 'xxx.json', '--engine', engine]);
      expectCleanRefusal(result);
      expect(isCleanError(result.stderr)).toBe(true);
      expect(result.stderr).toMatch(
        /^aegis: tampered\.tar\.gz: data\.json is not aegis policy data: \/aegis\/policies\/\S+\/tools\/\d+\/tests\/\w+\/\d+\/op is "in_", not an operator \(recompile the bundle\)\n$/,
      );
    }
    const simulated = aegis(['simulate', 'xxx.json', '--policy', 'tampered.tar.gz'], {
      cwd: dir.path,
    });
    expectCleanRefusal(simulated);
    expect(simulated.stderr).toContain('op is "in_", not an operator');
  });

  it('random bytes named .tar.gz exit 2', () => {
    const result = evalCli(['random.tar.gz', '--input', 'one.json']);
    expectCleanRefusal(result);
    expect(result.stderr).toContain('random.tar.gz');
  });
});
