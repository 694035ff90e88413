// "did you mean sleep?": the nearest existing names by edit distance.

export function nearest(name: string, options: string[], limit = 3): string[] {
  const scored = [...new Set(options)]
    // `f` for `A.B.f`: the same function written without its namespace or class comes first.
    .map((option) => ({ option, d: option.endsWith(`.${name}`) ? 0 : distance(name.toLowerCase(), option.toLowerCase()) }))
    .filter(({ option, d }) => d <= Math.max(2, Math.floor(Math.max(name.length, option.length) / 3)))
    .sort((a, b) => a.d - b.d || a.option.localeCompare(b.option));
  return scored.slice(0, limit).map((s) => s.option);
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
