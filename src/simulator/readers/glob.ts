/**
 * Just enough globbing for trace arguments quoted past the shell (`'traces/**\/*.jsonl.gz'`):
 * `*`, `?`, `[...]` (with `!` or `^` to negate) and `{a,b}` within one path segment, and `**`
 * as a whole segment for any number of directories. Written here rather than taken from a
 * package because it is this small and `fs.glob` is not in Node 20. Like a shell, wildcards do
 * not match names starting with `.` unless the segment itself starts with `.`. A symbolic link
 * to nothing is matched by its name, as a shell matches it, for the reader to report.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

const MAGIC = /[*?[{]/;

export function hasGlobMagic(pattern: string): boolean {
  return MAGIC.test(pattern);
}

/** One path segment's pattern as an anchored regular expression. */
export function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charAt(i);
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else if (c === '{') {
      const close = segment.indexOf('}', i + 1);
      if (close < 0) {
        source += '\\{';
        continue;
      }
      const options = segment
        .slice(i + 1, close)
        .split(',')
        .map(escapeRegExp);
      source += `(?:${options.join('|')})`;
      i = close;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The paths (absolute, sorted, no duplicates) that `pattern` matches, relative to `cwd`.
 * Directories that cannot be listed are passed over: a glob is a search, and what it cannot
 * see it does not match.
 */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  const segments = absolute.split('/');
  // The leading literal segments are the directory the search starts from.
  let first = 0;
  while (first < segments.length && !hasGlobMagic(segments[first] ?? '')) first++;
  const base = segments.slice(0, first).join('/') || '/';
  const found = new Set<string>();
  await match(base, segments.slice(first), 0, found);
  return [...found].sort();
}

async function match(dir: string, segments: string[], i: number, out: Set<string>) {
  const segment = segments[i];
  if (segment === undefined) {
    out.add(dir);
    return;
  }
  if (segment === '' || !hasGlobMagic(segment)) {
    // A literal segment (or the empty one a trailing `/` leaves): no listing needed.
    const next = segment === '' ? dir : join(dir, segment);
    if (i + 1 === segments.length) {
      if (await exists(dir, segment)) out.add(next);
      return;
    }
    await match(next, segments, i + 1, out);
    return;
  }
  const entries = await list(dir);
  if (segment === '**') {
    await match(dir, segments, i + 1, out);
    for (const entry of entries) {
      // Links are not followed by `**`: a link back to an ancestor would never end.
      if (entry.directory && !entry.link && !entry.name.startsWith('.')) {
        await match(join(dir, entry.name), segments, i, out);
      }
    }
    return;
  }
  const re = segmentRegExp(segment);
  const dotted = segment.startsWith('.');
  const last = i + 1 === segments.length;
  for (const entry of entries) {
    if (entry.name.startsWith('.') && !dotted) continue;
    if (!re.test(entry.name)) continue;
    if (last) out.add(join(dir, entry.name));
    else if (entry.directory) await match(join(dir, entry.name), segments, i + 1, out);
  }
}

interface Entry {
  name: string;
  directory: boolean;
  link: boolean;
}

async function list(dir: string): Promise<Entry[]> {
  try {
    const dirents = await readdir(dir, { withFileTypes: true });
    const entries: Entry[] = [];
    for (const d of dirents) {
      // A link to a directory is followed by a one-segment wildcard, as a shell's glob is.
      const link = d.isSymbolicLink();
      const directory = link
        ? await stat(join(dir, d.name)).then(
            (info) => info.isDirectory(),
            () => false,
          )
        : d.isDirectory();
      entries.push({ name: d.name, directory, link });
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/**
 * Whether the entry is there, a link to nothing included: a wildcard matches such a link by
 * its name, so a literal last segment does too (the reader reports it as unreadable).
 */
async function exists(dir: string, name: string): Promise<boolean> {
  return lstat(join(dir, name)).then(
    () => true,
    () => false,
  );
}
