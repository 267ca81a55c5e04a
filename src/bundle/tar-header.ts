/**
 * Decoding one 512-byte tar header: ustar fields, the POSIX prefix, GNU base-256 sizes, and
 * the checksum in both its unsigned and historic signed forms.
 */
import { type BundleReadFailure, fail } from './bundle-read-result.js';

const BLOCK = 512;
const decoder = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

export type HeaderResult =
  | { ok: true; name: string; size: number; type: string }
  | BundleReadFailure;

export function parseHeader(block: Uint8Array): HeaderResult {
  const declared = parseOctal(block.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Historic tars summed signed bytes; Go's reader accepts either, and so does this one.
  if (declared !== unsigned && declared !== signed) {
    return fail('corrupt', 'tar header checksum mismatch');
  }
  const field = (start: number, length: number) => {
    const bytes = block.subarray(start, start + length);
    return bytes.subarray(0, nulIndex(bytes));
  };
  const magic = latin1.decode(block.subarray(257, 263));
  let nameBytes = field(0, 100);
  // The prefix field exists only in POSIX ustar; GNU headers keep other data there.
  const prefix = magic === 'ustar\0' ? field(345, 155) : new Uint8Array(0);
  if (prefix.length > 0) nameBytes = concat(concat(prefix, Uint8Array.of(0x2f)), nameBytes);
  const name = decodeName(nameBytes);
  if (name === undefined) return fail('unsafe-path', 'an entry name is not valid UTF-8');
  const size = parseSize(block.subarray(124, 136));
  if (size === undefined) return fail('corrupt', `${name}: malformed size field`, name);
  return { ok: true, name, size, type: String.fromCharCode(block[156] ?? 0) };
}

/** Octal digits padded with spaces or NULs; NaN when malformed. */
function parseOctal(bytes: Uint8Array): number {
  const text = latin1
    .decode(bytes)
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : Number.NaN;
}

/** Octal, or GNU base-256 (high bit set) for sizes past 8 GiB. */
function parseSize(bytes: Uint8Array): number | undefined {
  const first = bytes[0] ?? 0;
  if (first & 0x80) {
    if (first & 0x40) return undefined; // negative
    let value = first & 0x3f;
    for (const byte of bytes.subarray(1)) value = value * 256 + byte;
    return value; // an imprecise huge number still fails every size cap
  }
  const value = parseOctal(bytes);
  return Number.isNaN(value) ? undefined : value;
}

// A plain loop: a callback per byte (Array.prototype.some) is several times slower, and a
// bomb of zeros makes this run over the whole decompressed stream.
export function allZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

export function nulIndex(bytes: Uint8Array): number {
  const at = bytes.indexOf(0);
  return at < 0 ? bytes.length : at;
}

export function decodeName(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
