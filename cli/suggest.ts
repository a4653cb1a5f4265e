/** "Did you mean": the closest known word to a mistyped one. @module */

/**
 * The Levenshtein distance of `a` and `b`: the fewest single-character
 * insertions, deletions and substitutions that turn one into the other.
 *
 * @example
 * ```ts
 * import { editDistance } from "./suggest.ts";
 * editDistance("paralelism", "parallelism"); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j] + 1, row[j - 1] + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length];
}

/**
 * The candidate nearest to `word` when it is near enough to be a typo of it
 * (at most one edit per four characters, at least one, at most three); the
 * first of equally near ones.
 *
 * @example
 * ```ts
 * import { closest } from "./suggest.ts";
 * closest("mastr", ["master", "slots"]); // "master"
 * closest("top", ["master", "slots"]); // undefined
 * ```
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 4)));
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}
