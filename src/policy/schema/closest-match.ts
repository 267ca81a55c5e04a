/**
 * "Did you mean" suggestions. Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions), because the usual slips in a policy key are a dropped, doubled or swapped
 * letter: `rate_limt`, `acitons`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  // Three rolling rows instead of a full matrix: keys are short, but this runs per unknown key
  // against every allowed key.
  let beforePrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (beforePrev[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    beforePrev = prev;
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** How far a word may be from a candidate and still be a plausible typo of it. */
function tolerance(length: number): number {
  if (length <= 4) return 1;
  if (length <= 8) return 2;
  return 3;
}

/**
 * The candidate closest to `word` (case-insensitive), if it is close enough to suggest; failing
 * that, a candidate that `word` spells out at length (`saturday` for `sat`).
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance && distance <= tolerance(Math.max(word.length, candidate.length))) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best ?? candidates.find((c) => c.length >= 3 && lower.startsWith(c.toLowerCase()));
}
