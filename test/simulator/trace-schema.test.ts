/**
 * schemas/trace-event.schema.json (`aegis schema trace`) against the reader of aegis JSON
 * Lines (aegis-record.ts): what the schema accepts, the reader replays; a line without a valid
 * `context.time`, which the reader counts as malformed, the schema refuses.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { aegisRecord } from '../../src/simulator/readers/aegis-record.js';

const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));
const traceSchema = load('trace-event.schema.json');
const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addSchema(load('decision-input.schema.json'));
const validEvent = ajv.compile(traceSchema);

const origin = { file: 't.jsonl', line: 1 };
const read = (value: unknown) => aegisRecord(value, origin, false);

const BASE = {
  agent: { id: 'finance-agent', tenant: 'acme' },
  tool: { name: 'stripe-payments', action: 'create_payment' },
  params: { amount: 120 },
};
const at = (time: unknown) => ({ ...BASE, context: { time } });

describe('trace-event.schema.json', () => {
  it('its example is an event to the reader, with what it recorded', () => {
    const [example] = traceSchema.examples;
    expect(validEvent(example), JSON.stringify(validEvent.errors)).toBe(true);
    const record = read(example);
    expect(record.kind).toBe('event');
    if (record.kind !== 'event') return;
    expect(record.recorded).toEqual({ decision: 'allow', outcome: 'allow' });
    expect(record.traceId).toBe(example.trace_id);
    expect(record.input).not.toHaveProperty('recorded');
  });

  it.each([
    ['Z', '2026-11-18T15:30:00Z'],
    ['a fraction', '2026-11-18T15:30:00.123456789Z'],
    ['an offset', '2026-11-18T10:30:00-05:00'],
  ])('accepts a time with %s, as the reader does', (_, time) => {
    expect(validEvent(at(time))).toBe(true);
    expect(read(at(time)).kind).toBe('event');
  });

  it.each([
    ['no context', BASE],
    ['no time', { ...BASE, context: { region: 'eu-west-1' } }],
    ['a number', at(1763479800)],
    ['a space for the T', at('2026-11-18 15:30:00Z')],
    ['no zone', at('2026-11-18T15:30:00')],
    ['a lower-case z', at('2026-11-18T15:30:00z')],
  ])('refuses %s, which the reader counts as malformed', (_, event) => {
    expect(validEvent(event)).toBe(false);
    expect(read(event).kind).toBe('malformed');
  });

  it('refuses a recorded outcome that is not one of the four (the reader ignores it)', () => {
    const event = { ...at('2026-11-18T15:30:00Z'), recorded: { decision: 'permit' } };
    expect(validEvent(event)).toBe(false);
    const record = read(event);
    expect(record.kind).toBe('event');
    if (record.kind === 'event') expect(record.recorded?.outcome).toBeUndefined();
  });

  it('agrees with the reader on every line of the fixture trace', () => {
    const lines = readFileSync(
      new URL('../../fixtures/traces/aegis-events.jsonl', import.meta.url),
      'utf8',
    )
      .trim()
      .split('\n');
    let events = 0;
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue; // not JSON: neither a schema nor the reader's business
      }
      const valid = validEvent(value);
      const kind = read(value).kind;
      if (valid) events++;
      // What the schema accepts is replayed; what the reader refuses, the schema refuses.
      if (valid) expect(kind, line).toBe('event');
      if (kind === 'malformed') expect(valid, line).toBe(false);
    }
    expect(events).toBeGreaterThan(3);
  });
});
