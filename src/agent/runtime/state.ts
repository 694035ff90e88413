// What this process learned about its targets, for its report: which
// matched, which names exist where nothing matched, and warnings given.
import { writeStderr } from '../../common/stderr.js';

export const matched = new Set<string>();
export const candidates: Record<string, string[]> = {};
export const warnings: string[] = [];
export const unprobed: Record<string, string> = {};

/** The module of `specs` loaded, but could not be probed. */
export function noteUnprobed(specs: string[], reason: string): void {
  for (const spec of specs) unprobed[spec] ??= reason;
}

export function noteModule(matchedSpecs: string[], names: Record<string, string[]>): void {
  for (const spec of matchedSpecs) matched.add(spec);
  for (const spec in names) {
    const known = candidates[spec] ?? (candidates[spec] = []);
    for (const name of names[spec]) if (!known.includes(name)) known.push(name);
  }
}

/**
 * One line on stderr, once per distinct message; the program goes on. Under
 * the launcher the message is only recorded: the launcher prints each distinct
 * warning of the run once, however many processes give it — except a warning
 * that the report itself cannot be written (`relayable: false`).
 */
export function warn(message: string, { relayable = true } = {}): void {
  if (warnings.includes(message)) return;
  warnings.push(message);
  if (process.env.TANZHEN_RUN && relayable) return;
  writeStderr(`tanzhen: warning: ${message}\n`);
}
