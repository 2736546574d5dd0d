// "Did you mean" for mistyped keys: case-insensitive match first, then the closest by edit distance.

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

const leaf = (k: string) => k.slice(k.lastIndexOf('.') + 1);

/**
 * The candidate `wrong` most likely stands for: same text ignoring case, same last segment ignoring case
 * (`controllerhost` → `ControllerSettings.controllerHost`), else the closest path or last segment within a
 * distance of about a quarter of its length. Undefined when nothing is close.
 */
export function suggestKey(wrong: string, candidates: readonly string[]): string | undefined {
  const w = wrong.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === w);
  if (exact) return exact;
  const wLeaf = leaf(w);
  const byLeaf = candidates.filter((c) => leaf(c).toLowerCase() === wLeaf);
  if (byLeaf.length > 0) {
    // Prefer the candidate whose parent path is closest to what was written.
    return byLeaf.sort((x, y) => editDistance(x.toLowerCase(), w) - editDistance(y.toLowerCase(), w))[0];
  }
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    const d = Math.min(editDistance(cl, w), editDistance(leaf(cl), wLeaf));
    if (!best || d < best.d) best = { c, d };
  }
  if (!best) return undefined;
  const limit = Math.max(2, Math.floor(Math.min(w.length, leaf(best.c).length) / 4));
  return best.d <= limit ? best.c : undefined;
}
