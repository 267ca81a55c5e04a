/**
 * compileBundle, what `aegis compile` runs: each policy becomes data.json text as soon as it is
 * validated, and the bundle is written from those texts. It must write exactly the bundle
 * compile() writes from the whole IR and data objects, byte for byte, on the fixtures and on
 * sets whose keys test how JSON orders and quotes them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBundle } from '../../src/bundle/write-bundle.js';
import { compile, compileBundle } from '../../src/compiler/compile.js';
import { normalize, normalizeOne } from '../../src/compiler/normalize.js';
import {
  newPolicyDataStats,
  policyData,
  policyDataText,
  policyText,
} from '../../src/compiler/rego/policy-data.js';
import { countRuleIds, RuleIdCount } from '../../src/compiler/rule-ids.js';
import type { AgentPolicy } from '../../src/policy/types.js';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'aegis-compile-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const options = { cwd: root, compilerVersion: 'test' };

/** A minimal valid policy file for (tenant, agent). */
function policyYaml(agent: string, tenant?: string): string {
  return [
    `agent: ${JSON.stringify(agent)}`,
    ...(tenant === undefined ? [] : [`tenant: ${JSON.stringify(tenant)}`]),
    'allowed_tools:',
    '  - name: search',
    '    actions: [query]',
    '    params:',
    '      q: { max_length: 200 }',
    '    rules:',
    '      - id: params/q',
    '        when: { param: q, contains: "secret" }',
    '        effect: deny',
  ].join('\n');
}

/** A directory of policy files, one per [agent, tenant?], in the order given. */
function policySet(name: string, keys: [string, string?][]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  keys.forEach(([agent, tenant], i) => {
    writeFileSync(join(dir, `${String(i).padStart(3, '0')}.yaml`), policyYaml(agent, tenant));
  });
  return dir;
}

async function both(paths: string[]) {
  const whole = await compile(paths, options);
  const streamed = await compileBundle(paths, options);
  if (!whole.ok || !streamed.ok) throw new Error('the policies do not compile');
  return { whole, streamed };
}

// Keys that JSON.stringify orders (integer-like ones first) or quotes unlike the rest, a key
// that is special to JavaScript objects, non-ASCII ones in an order code points and UTF-16 would
// give differently, and a tenant `_` beside a global policy of the same agent (their rule ids
// share the prefix `_/shared`).
const TRICKY: [string, string?][] = [
  ['zeta', 'acme'],
  ['10', 'acme'],
  ['2', 'acme'],
  ['__proto__', 'acme'],
  ['say "hi"\\', 'acme'],
  ['\u{1F600}', '7'],
  ['\uFF61', '7'],
  ['shared'],
  ['shared', '_'],
  ['agent/with/slash', 'tenant'],
  ['slash', 'tenant/agent/with'],
  ['émile'],
  ['0'],
];

describe('compileBundle', () => {
  it('writes the bundle compile() writes, on the fixtures', async () => {
    const { whole, streamed } = await both([join(root, 'fixtures', 'policies')]);
    expect(streamed.bundle.equals(whole.bundle)).toBe(true);
    expect(streamed.sha256).toBe(whole.sha256);
    expect(streamed.files).toEqual(whole.files);
    expect(streamed.revision).toBe(whole.revision);
    expect(streamed.policies).toBe(whole.policies);
    expect(streamed.rules).toBe(whole.rules);
    expect(streamed.modules).toEqual(whole.modules);
    expect(JSON.parse(streamed.dataJson.join(''))).toStrictEqual(whole.data);
  });

  it('writes the same bytes for keys JSON orders, quotes or shares in unusual ways', async () => {
    const { whole, streamed } = await both([policySet('tricky', TRICKY)]);
    expect(streamed.dataJson.join('')).toBe(JSON.stringify(whole.data));
    expect(streamed.bundle.equals(whole.bundle)).toBe(true);
    // The rule ids of tenant `_` and of the global policy coincide: counted once.
    expect(streamed.rules).toBe(whole.rules);
  });

  it('refuses what compile() refuses, with the same diagnostics', async () => {
    const dir = policySet('duplicate', [
      ['a', 't'],
      ['a', 't'],
    ]);
    const whole = await compile([dir], options);
    const streamed = await compileBundle([dir], options);
    expect(whole.ok).toBe(false);
    expect(streamed.ok).toBe(false);
    expect(streamed.validation.diagnostics).toEqual(whole.validation.diagnostics);
  });
});

describe('policyDataText', () => {
  it('is JSON.stringify of policyData, from policies turned into text one by one', () => {
    const policies = TRICKY.map(([agent, tenant], i) => ({
      policy: {
        version: 1,
        agent,
        ...(tenant === undefined ? {} : { tenant }),
        allowed_tools: [{ name: 'search', actions: ['query'] }],
      } as AgentPolicy,
      file: `p${i}.yaml`,
      line: 1,
    }));
    const ir = normalize(policies);
    const stats = newPolicyDataStats();
    const texts = policies.map((p) => policyText(normalizeOne(p), stats));
    // In the set's order, as compileBundle sorts them.
    const sorted = ir.policies.map((p) =>
      texts.find((t) => t.tenant === p.tenant && t.agent === p.agent),
    );
    const pieces = policyDataText(sorted as typeof texts, ir);
    expect(pieces.join('')).toBe(JSON.stringify(policyData(ir).data));
  });
});

describe('RuleIdCount', () => {
  it("adds up each policy's count when no two policies can share a rule id", () => {
    const ir = normalize(
      [['a', 't'], ['b', 't'], ['a']].map(([agent, tenant]) => ({
        policy: {
          version: 1,
          agent,
          ...(tenant === undefined ? {} : { tenant }),
          allowed_tools: [{ name: 'x' }, { name: 'x', actions: ['y'] }],
        } as AgentPolicy,
        file: 'p.yaml',
        line: 1,
      })),
    );
    const count = new RuleIdCount();
    for (const policy of ir.policies) count.add(policy);
    expect(count.total()).toBe(countRuleIds(ir));
  });

  it('gives up when a prefix begins another, so that the caller counts them all', () => {
    for (const [first, second] of [
      [['shared'], ['shared', '_']],
      [
        ['b/c', 'a'],
        ['c', 'a/b'],
      ],
      [
        ['b', 'a'],
        ['c', 'a/b'],
      ],
    ] as [string, string?][][]) {
      const count = new RuleIdCount();
      const ir = normalize(
        [first, second].map((key) => ({
          policy: {
            version: 1,
            agent: key?.[0] ?? '',
            ...(key?.[1] === undefined ? {} : { tenant: key[1] }),
            allowed_tools: [{ name: 'x' }],
          } as AgentPolicy,
          file: 'p.yaml',
          line: 1,
        })),
      );
      for (const policy of ir.policies) count.add(policy);
      expect(count.total()).toBeUndefined();
    }
  });
});

describe('writeBundle with a text in pieces', () => {
  it('writes the bytes of the joined text, characters split across its buffer included', () => {
    // Multi-byte characters on both sides of every 64 KiB boundary of the encoded text, and
    // pieces of every size, a surrogate pair never split between two of them.
    const unit = 'aé€\u{1F600}';
    const text = unit.repeat(40_000);
    const pieces: string[] = [];
    for (let at = 0, size = 1; at < text.length; size = (size * 7) % 5003) {
      let end = Math.min(text.length, at + size);
      if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end++;
      pieces.push(text.slice(at, end));
      at = end;
    }
    expect(pieces.join('')).toBe(text);
    const joined = writeBundle([{ path: 'data.json', content: text }]);
    expect(writeBundle([{ path: 'data.json', content: pieces }]).equals(joined)).toBe(true);
    expect(writeBundle([{ path: 'data.json', content: Buffer.from(text) }]).equals(joined)).toBe(
      true,
    );
  });
});
