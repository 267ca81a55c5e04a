/**
 * What `report merge` compares to tell shards of one run from shards of different traces
 * (ShardRun.traces): every shard reads every record, so a fingerprint of what it read is the
 * same in each shard of one run. The count of records alone is not enough: rotated logs of a
 * fixed size hold as many records a day.
 *
 * Folded in, per record in the order read: its kind and line, and for an event its time and
 * call (tenant, agent, tool, action). Two 32-bit FNV-style lanes give 64 bits: a check against
 * a mix-up of files, not against someone forging a trace to match (a shard report is no
 * stronger than the runner that wrote it). File names are left out: shards may run on machines
 * that check the traces out under other paths.
 */

import type { CallLabels } from './report.js';
import { fnv1a32 } from './shard.js';
import type { TraceRecord } from './types.js';

const PRIME = 0x01000193;
const KIND = { event: 1, skip: 2, malformed: 3 } as const;

export class RunFingerprint {
  private a = 0x811c9dc5;
  private b = 0x050c5d1f;
  /** Interned call labels -> their hash (most events share a few). */
  private readonly calls = new WeakMap<CallLabels, number>();
  private readonly time = new Float64Array(1);
  private readonly timeWords = new Uint32Array(this.time.buffer);

  add(record: TraceRecord, call?: CallLabels): void {
    this.mix(KIND[record.kind]);
    this.mix(record.origin.line);
    if (record.kind !== 'event') return;
    // Within a microsecond or so of the exact ns (a double's precision today): plenty to tell
    // two traces apart, without BigInt arithmetic per event.
    this.time[0] = Number(record.timeNs);
    this.mix(this.timeWords[0] as number);
    this.mix(this.timeWords[1] as number);
    if (call) this.mix(this.callHash(call));
  }

  /** 16 hex digits. */
  digest(): string {
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
    return hex(this.a) + hex(this.b);
  }

  private mix(n: number): void {
    this.a = Math.imul(this.a ^ n, PRIME);
    this.b = Math.imul(this.b ^ Math.imul(n, 0x9e3779b1), PRIME) ^ (this.a >>> 15);
  }

  private callHash(call: CallLabels): number {
    let hash = this.calls.get(call);
    if (hash === undefined) {
      hash = fnv1a32(`${call.tenant ?? ''}\0${call.agent}\0${call.tool}\0${call.action ?? ''}`);
      this.calls.set(call, hash);
    }
    return hash;
  }
}
