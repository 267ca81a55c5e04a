/**
 * Paths of files inside a bundle. OPA writes them slash-rooted (`/data.json`, `/.manifest`)
 * and hand-made tarballs often use `./data.json`; both mean the same file. aegis keys files by
 * the clean relative form (`data.json`, `aegis/policy.rego`), which is also the form OPA lists
 * in .signatures.json, and writes `/` + that form into tarballs as `opa build` does.
 */

export type BundlePathResult = { ok: true; path: string } | { ok: false; message: string };

/**
 * The clean relative form of an entry name, or why it is unsafe to use: `..` segments, a
 * second leading slash, empty segments, backslashes (separators on Windows), a drive letter,
 * control characters. `allowEmpty` accepts names that denote the bundle root (`./`, `/`).
 */
export function normalizeBundlePath(name: string, allowEmpty = false): BundlePathResult {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f\\]/.test(name)) {
    return { ok: false, message: 'control character or backslash in path' };
  }
  const rest = name.startsWith('/') ? name.slice(1) : name;
  if (rest.startsWith('/')) return { ok: false, message: 'absolute path' };
  const segments = rest === '' ? [] : rest.split('/').filter((segment) => segment !== '.');
  // A trailing slash marks a directory name; it is not an empty segment.
  if (segments.length > 0 && segments[segments.length - 1] === '' && rest.endsWith('/'))
    segments.pop();
  if (segments.length === 0) {
    return allowEmpty ? { ok: true, path: '' } : { ok: false, message: 'empty path' };
  }
  if (segments.includes('')) return { ok: false, message: 'empty path segment' };
  if (segments.includes('..')) return { ok: false, message: "'..' segment" };
  if (/^[A-Za-z]:/.test(segments[0] ?? '')) return { ok: false, message: 'drive letter' };
  return { ok: true, path: segments.join('/') };
}
