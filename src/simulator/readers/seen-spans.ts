/**
 * The spans already read, so that a span exported twice (a collector retry, two exporters
 * writing the same pipeline, the same file passed twice under two names) counts once.
 *
 * Memory: one 48-character key per tool span, roughly 100 bytes with the set's own entry, so
 * the default bound of one million keys holds about 100 MiB at most. Past it the oldest key is
 * forgotten first (a Set iterates in insertion order): duplicates from retries arrive close
 * together, so forgetting the oldest costs nothing in practice while keeping a trace of any
 * length in bounded memory.
 */
export const DEFAULT_SEEN_SPANS = 1_000_000;

export class SeenSpans {
  readonly #keys = new Set<string>();
  readonly #max: number;

  constructor(max = DEFAULT_SEEN_SPANS) {
    this.#max = max;
  }

  /** True the first time a span is seen, false for a duplicate. */
  add(traceId: string, spanId: string): boolean {
    const key = traceId + spanId;
    if (this.#keys.has(key)) return false;
    this.#keys.add(key);
    if (this.#keys.size > this.#max) {
      const oldest = this.#keys.values().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
    return true;
  }

  get size(): number {
    return this.#keys.size;
  }
}
