// What this process learned about its targets, for its report: which
// matched, which names exist where nothing matched, and warnings given.

export const matched = new Set<string>();
export const candidates: Record<string, string[]> = {};
export const warnings: string[] = [];

export function noteModule(matchedSpecs: string[], names: Record<string, string[]>): void {
  for (const spec of matchedSpecs) matched.add(spec);
  for (const spec in names) {
    const known = candidates[spec] ?? (candidates[spec] = []);
    for (const name of names[spec]) if (!known.includes(name)) known.push(name);
  }
}

/** One line on stderr, once per distinct message; the program goes on. */
export function warn(message: string): void {
  if (warnings.includes(message)) return;
  warnings.push(message);
  try {
    process.stderr.write(`tanzhen: warning: ${message}\n`);
  } catch {
    // stderr closed: nothing more we can do without disturbing the program.
  }
}
