/** What reading a bundle gives: its files, or one reason it was refused (STYLE.md 8). */

export type BundleReadReason =
  | 'not-found'
  | 'unreadable'
  | 'not-gzip'
  | 'truncated'
  | 'corrupt'
  | 'unsafe-path'
  | 'link'
  | 'special-file'
  | 'unsupported-entry'
  | 'duplicate-entry'
  | 'file-too-large'
  | 'too-large';

export interface BundleReadFailure {
  ok: false;
  reason: BundleReadReason;
  message: string;
  /** The entry's name as stored in the archive, where one entry is at fault. */
  entry?: string;
}

export type BundleReadResult = { ok: true; files: Map<string, Uint8Array> } | BundleReadFailure;

export function fail(reason: BundleReadReason, message: string, entry?: string): BundleReadFailure {
  return entry === undefined
    ? { ok: false, reason, message }
    : { ok: false, reason, message, entry };
}
