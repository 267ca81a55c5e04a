/**
 * Nanoseconds since the epoch -> RFC 3339 in UTC, the way Go's `time.RFC3339Nano` writes it
 * (trailing zeros of the fraction dropped). Readers of formats that carry the time as an
 * integer (OTLP) put it into `context.time` with this, so that `parseRfc3339Ns` of the result
 * gives back exactly the same nanoseconds.
 */
const NS_PER_SECOND = 1_000_000_000n;

export function formatRfc3339Ns(ns: bigint): string {
  let seconds = ns / NS_PER_SECOND;
  let nanos = ns % NS_PER_SECOND;
  // BigInt division truncates toward zero; the calendar needs the floor for times before 1970.
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += NS_PER_SECOND;
  }
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (nanos === 0n) return `${whole}Z`;
  const fraction = nanos.toString().padStart(9, '0').replace(/0+$/, '');
  return `${whole}.${fraction}Z`;
}
