import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/engine/detectors.js';
import { redactMatches, regexMatches } from '../../src/engine/regex.js';
import { sanitizeParams } from '../../src/engine/sanitize.js';
import { DETECTOR_NAMES } from '../../src/policy/types.js';
import { callOf, codes, decide, irOf } from './helpers.js';
import { opaEval } from './opa-eval.js';

const ehr = irOf(`
agent: a
allowed_tools:
  - name: t
    rules:
      - id: research
        when: { param: purpose, eq: research }
        effect: sanitize
        redact: [patient.name, patient.address, patient]
    sanitize:
      redact: [patient.ssn, patient.dob, "a/b~c"]
      detectors: [ssn, email]
      patterns:
        - { name: mrn, regex: "MRN-[0-9]{8}" }
`);

const call = (params: Record<string, unknown>) => decide(ehr, callOf('a', 't', { params }));

describe('sanitize', () => {
  it('redacts paths whole, then every string through detectors then patterns, in order', () => {
    const d = call({
      patient: { ssn: { area: 123 }, dob: '1984-07-19', id: 'MRN-12345678' },
      note: 'call jane@example.com about 123-45-6789 and MRN-00000001',
      list: ['x', ['ok', 'a@b.io']],
      'a/b~c': 1,
    });
    expect(d.params).toEqual({
      patient: { ssn: '[REDACTED]', dob: '[REDACTED]', id: '[REDACTED]' },
      note: 'call [REDACTED] about [REDACTED] and [REDACTED]',
      list: ['x', ['ok', '[REDACTED]']],
      'a/b~c': '[REDACTED]',
    });
    expect(d.redactions).toEqual([
      { path: '/a~1b~0c', by: 'path' },
      { path: '/list/1/1', by: 'email' },
      { path: '/note', by: 'email' },
      { path: '/note', by: 'mrn' },
      { path: '/note', by: 'ssn' },
      { path: '/patient/dob', by: 'path' },
      { path: '/patient/id', by: 'mrn' },
      { path: '/patient/ssn', by: 'path' },
    ]);
    expect(d.reasons).toEqual([
      {
        code: 'redacted',
        effect: 'sanitize',
        rule: '_/a/t/sanitize',
        message: 'sensitive data redacted',
      },
    ]);
    expect(d.decision).toBe('sanitize');
    expect(d.allow).toBe(true);
  });

  it('does nothing, and gives no reason, when nothing matches', () => {
    const d = call({ patient: { name: 'Jane' }, note: 'nothing to see' });
    expect(d.redactions).toEqual([]);
    expect(codes(d)).toEqual([]);
    expect(d.decision).toBe('allow');
  });

  it('adds the paths of the sanitize rules that fired; an ancestor path covers its descendants', () => {
    const d = call({ purpose: 'research', patient: { name: 'Jane', ssn: 'x' } });
    expect(d.params).toEqual({ purpose: 'research', patient: '[REDACTED]' });
    expect(d.redactions).toEqual([{ path: '/patient', by: 'path' }]);
    expect(codes(d)).toEqual(['rule_matched', 'redacted']);
  });

  it('gives a fired sanitize rule its reason even when none of its paths is present', () => {
    const d = call({ purpose: 'research' });
    expect(d.reasons).toEqual([
      {
        code: 'rule_matched',
        effect: 'sanitize',
        rule: '_/a/t/research',
        message: 'rule research redacts parameters',
      },
    ]);
    expect(d.redactions).toEqual([]);
    expect(d.decision).toBe('sanitize');
  });

  it('redacts for a sanitize rule on a tool without a sanitize block', () => {
    const ir = irOf(`
agent: a
allowed_tools:
  - name: t
    rules:
      - { when: { param: x, eq: 1 }, effect: sanitize, redact: [secret] }
`);
    const d = decide(ir, callOf('a', 't', { params: { x: 1, secret: 's' } }));
    expect(d.params).toEqual({ x: 1, secret: '[REDACTED]' });
    expect(codes(d)).toEqual(['rule_matched', 'redacted']);
  });

  it('runs the patterns over the values the paths step wrote, each on the previous result', () => {
    const r = sanitizeParams(
      { a: 'x', b: 'RED' },
      [['a']],
      [
        { name: 'red', regex: 'RED' },
        { name: 'bracket', regex: '\\[\\[' },
      ],
    );
    expect(r.params).toEqual({ a: '[REDACTED]REDACTED]ACTED]', b: '[REDACTED]' });
    expect(r.redactions).toEqual([
      { path: '/a', by: 'path' },
      { path: '/a', by: 'red' },
      { path: '/a', by: 'bracket' },
      { path: '/b', by: 'red' },
    ]);
  });

  it('counts a match as a redaction even when the text comes out the same', () => {
    const r = sanitizeParams({ a: '[REDACTED]' }, [], [{ name: 'self', regex: '\\[REDACTED\\]' }]);
    expect(r.params).toEqual({ a: '[REDACTED]' });
    expect(r.redactions).toEqual([{ path: '/a', by: 'self' }]);
  });

  it('leaves keys alone and counts one path listed twice once', () => {
    const r = sanitizeParams(
      { '123-45-6789': 'k', a: { b: 1 } },
      [
        ['a', 'b'],
        ['a', 'b'],
        ['a', 'x'],
      ],
      [{ name: 'ssn', regex: DETECTORS.ssn.regex }],
    );
    expect(r.params).toEqual({ '123-45-6789': 'k', a: { b: '[REDACTED]' } });
    expect(r.redactions).toEqual([{ path: '/a/b', by: 'path' }]);
  });
});

describe('regexes run as Go runs them (checked against opa eval)', () => {
  const samples = [
    'SSN 123-45-6789, again 987-65-4321.',
    'x123-45-6789y',
    'jane.doe@example.com, JOHN@EXAMPLE.ORG; not@valid',
    'card 4111 1111 1111 1111 or 4111-1111-1111-1111 or 4111111111111111 and 378282246310005',
    'call +1 415-555-0100 or (415) 555-0100 or 415.555.0100',
    'born 1984-07-19 or 07/19/1984, not 1984-13-01',
    'IBAN DE89 3704 0044 0532 0130 00 and GB82WEST12345698765432',
    'hosts 192.168.10.4, 256.1.1.1, 10.0.0.255 and 1.2.3.4.5',
    'key AKIAIOSFODNN7EXAMPLE and ASIAXXXXXXXXXXXXXXXX',
    'ünïcödé 😀 123-45-6789 é@é.com',
    '',
    '[REDACTED]',
  ];

  it('matches and replaces like regex.match / regex.replace for every detector', () => {
    const patterns = DETECTOR_NAMES.map((name) => DETECTORS[name].regex);
    const input = JSON.stringify({ patterns, samples });
    const got = opaEval(
      '[[[regex.match(p, s), regex.replace(s, p, "[REDACTED]")] | some s in input.samples] | some p in input.patterns]',
      input,
    );
    const mine = patterns.map((p) => samples.map((s) => [regexMatches(p, s), redactMatches(p, s)]));
    expect(mine).toEqual(got);
  });

  it('follows Go on empty matches and Unicode', () => {
    const cases: [string, string][] = [
      ['x*', 'abc'],
      ['a|', 'baaac'],
      ['.', '😀é'],
      ['(?i)straße', 'STRASSE Straße'],
      ['\\pL+', 'añb 日本'],
      ['[[:alpha:]]+', 'añb'],
      ['\\w+', 'añb'],
      ['^', 'abc'],
      ['$', 'abc'],
    ];
    const got = opaEval(
      '[regex.replace(c[1], c[0], "<>") | some c in input]',
      JSON.stringify(cases),
    );
    expect(cases.map(([p, s]) => compile(p, s))).toEqual(got);
    function compile(p: string, s: string): string {
      return redactMatches(p, s).replaceAll('[REDACTED]', '<>');
    }
  });
});
