/**
 * Trace and span ids as lower-case hex, whichever way they were written: OTLP/JSON and most
 * tools write hex (in either case), while the generic protobuf JSON mapping writes `bytes` as
 * base64. The two cannot be confused: 16 bytes are 32 hex digits but 24 base64 characters,
 * 8 bytes 16 hex digits but 12 base64 characters.
 */
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The id as hex, or undefined when it is absent or not an id of `bytes` bytes. */
export function normalizeId(raw: unknown, bytes: number): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (raw.length === bytes * 2 && HEX.test(raw)) return raw.toLowerCase();
  if (BASE64.test(raw) && raw.replace(/=+$/, '').length === Math.ceil((bytes * 4) / 3)) {
    const decoded = Buffer.from(raw, 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  return undefined;
}

/**
 * Ids from a decision log or an aegis trace, which may be any string: hex is lower-cased so
 * that it matches the same id from OTLP, anything else is kept as it is.
 */
export function normalizeLooseId(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  // One pass over the characters, per event: lower-case hex (the common case) is kept as it is.
  let upper = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) continue;
    if (c >= 65 && c <= 70) upper = true;
    else return raw;
  }
  return upper ? raw.toLowerCase() : raw;
}
