// "Did you mean …?" for mistyped model ids: edit distance to whole ids,
// and against the start of longer ids (so "inswaper" finds "inswapper_128").

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Up to `limit` known ids close to `id`, closest first. */
export function closestIds(id: string, knownIds: readonly string[], limit = 3): string[] {
  const typed = id.toLowerCase();
  const threshold = Math.max(2, Math.floor(typed.length / 3));
  return knownIds
    .map((known) => {
      const lower = known.toLowerCase();
      let score = editDistance(typed, lower);
      // A mistyped start of a longer id ("inswaper" → "inswapper_128") counts one more than its typos.
      for (let length = typed.length - 1; length <= typed.length + 1 && length < lower.length; length++) {
        if (typed.length >= 3 && length > 0)
          score = Math.min(score, editDistance(typed, lower.slice(0, length)) + 1);
      }
      return { known, score };
    })
    .filter(({ score }) => score <= threshold)
    .sort((a, b) => a.score - b.score || a.known.localeCompare(b.known))
    .filter(({ score }, _, [best]) => score <= (best?.score ?? 0) + 1) // only the near-best
    .slice(0, limit)
    .map(({ known }) => known);
}
