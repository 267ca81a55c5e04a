import { describe, expect, it } from 'vitest';
import { callOf, codes, decide, irOf } from './helpers.js';

describe('step 3: region', () => {
  const ir = irOf('agent: a\nregions: [eu-west-1, eu-central-1]\nallowed_tools: [{ name: t }]');

  it.each<[string, Record<string, unknown> | undefined, string[]]>([
    ['listed', { region: 'eu-west-1' }, []],
    ['not listed', { region: 'us-east-1' }, ['region_denied']],
    ['case differs (exact match)', { region: 'EU-WEST-1' }, ['region_denied']],
    ['absent', undefined, ['region_denied']],
    ['absent, with a context', {}, ['region_denied']],
  ])('%s', (_name, context, expected) => {
    const d = decide(ir, callOf('a', 't', context ? { context } : {}));
    expect(codes(d)).toEqual(expected);
    if (expected.length) {
      expect(d.reasons[0]).toEqual({
        code: 'region_denied',
        effect: 'deny',
        rule: '_/a/_/regions',
        message: 'context.region must be one of [eu-west-1, eu-central-1]',
      });
    }
  });

  it('is not checked without regions', () => {
    const free = irOf('agent: a\nallowed_tools: [{ name: t }]');
    expect(codes(decide(free, callOf('a', 't', { context: { region: 'anywhere' } })))).toEqual([]);
  });

  it('stops before the later steps', () => {
    const d = decide(ir, callOf('a', 'unknown', { egress: { host: 'x' } }));
    expect(codes(d)).toEqual(['region_denied']);
  });
});

describe('step 4: egress', () => {
  const ir = irOf(
    'agent: a\nallowed_tools: [{ name: t }]\negress: { allow: [api.stripe.com, "*.Slack.com", "10.0.0.1:8443"] }',
  );

  it.each<[string, boolean]>([
    ['api.stripe.com', true],
    ['API.Stripe.COM', true],
    ['api.stripe.com.evil.com', false],
    ['stripe.com', false],
    ['xapi.stripe.com', false],
    ['hooks.slack.com', true],
    ['a.b.c.slack.com', true],
    ['HOOKS.SLACK.COM', true],
    ['slack.com', false],
    ['evilslack.com', false],
    ['api.stripe.com:443', false],
    ['10.0.0.1:8443', true],
    ['10.0.0.1', false],
    ['', false],
  ])('%s allowed: %s', (host, allowed) => {
    const d = decide(ir, callOf('a', 't', { egress: { host } }));
    expect(codes(d)).toEqual(allowed ? [] : ['egress_denied']);
    if (!allowed) expect(d.reasons[0]?.rule).toBe('_/a/_/egress');
  });

  it('lower-cases the host as Go does (İ is i)', () => {
    const turkish = irOf(
      'agent: a\nallowed_tools: [{ name: t }]\negress: { allow: [istanbul.example] }',
    );
    expect(
      codes(decide(turkish, callOf('a', 't', { egress: { host: 'İSTANBUL.example' } }))),
    ).toEqual([]);
  });

  it('allows no host without an egress block, and any host with a bare *', () => {
    const none = irOf('agent: a\nallowed_tools: [{ name: t }]');
    expect(codes(decide(none, callOf('a', 't', { egress: { host: 'api.stripe.com' } })))).toEqual([
      'egress_denied',
    ]);
    expect(codes(decide(none, callOf('a', 't')))).toEqual([]);
    const any = irOf('agent: a\nallowed_tools: [{ name: t }]\negress: { allow: ["*"] }');
    expect(codes(decide(any, callOf('a', 't', { egress: { host: 'anything.at.all' } })))).toEqual(
      [],
    );
  });
});

describe('step 5: tool and action', () => {
  const ir = irOf(`
agent: a
allowed_tools:
  - { name: pay, actions: [create, refund], rate_limit: { rps: 1 } }
  - { name: pay, actions: [list] }
  - { name: any, rate_limit: { rps: 1 } }
  - { name: mixed, actions: ["*"], rate_limit: { rps: 1 } }
  - { name: mixed, actions: [special] }
`);
  const busy = { context: { usage: { tool_rps: 5 } } };
  const reasonOf = (name: string, action?: string) =>
    decide(
      ir,
      callOf('a', name, { ...busy, ...(action === undefined ? {} : { tool: { action } }) }),
    );

  it.each<[string, string | undefined, string[]]>([
    ['pay', 'create', ['rate_limited']],
    ['pay', 'refund', ['rate_limited']],
    ['pay', 'list', []],
    ['pay', 'delete', ['action_not_allowed']],
    ['pay', undefined, ['action_not_allowed']],
    ['any', undefined, ['rate_limited']],
    ['any', 'whatever', ['rate_limited']],
    ['mixed', 'special', []],
    ['mixed', 'other', ['rate_limited']],
    ['mixed', undefined, ['rate_limited']],
    ['unknown', 'create', ['tool_not_allowed']],
    ['PAY', 'create', ['tool_not_allowed']],
  ])('%s/%s', (name, action, expected) => {
    expect(codes(reasonOf(name, action))).toEqual(expected);
  });

  it('uses the fixed reasons of the policy', () => {
    expect(reasonOf('unknown').reasons).toEqual([
      {
        code: 'tool_not_allowed',
        effect: 'deny',
        rule: '_/a/_/tools',
        message: 'tool is not in allowed_tools',
      },
    ]);
    expect(reasonOf('pay', 'delete').reasons).toEqual([
      {
        code: 'action_not_allowed',
        effect: 'deny',
        rule: '_/a/_/tools',
        message: 'action is not allowed for this tool',
      },
    ]);
  });

  it('denies everything with an empty allowed_tools', () => {
    const nothing = irOf('agent: a\nallowed_tools: []');
    expect(codes(decide(nothing, callOf('a', 't')))).toEqual(['tool_not_allowed']);
  });
});

describe('steps 3-5 in shadow mode', () => {
  const ir = irOf('agent: a\nmode: shadow\nregions: [r]\nallowed_tools: [{ name: t }]');

  it('allows, reports the outcome, and names the policy', () => {
    const d = decide(ir, callOf('a', 't', { params: { x: 1 } }));
    expect(d).toEqual({
      decision: 'allow',
      outcome: 'deny',
      allow: true,
      mode: 'shadow',
      reasons: [
        {
          code: 'region_denied',
          effect: 'deny',
          rule: '_/a/_/regions',
          message: 'context.region must be one of [r]',
        },
      ],
      redactions: [],
      params: { x: 1 },
      policy: { agent: 'a' },
    });
  });
});
