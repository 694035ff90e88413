// Why a run may hold no data for a module, for the "unmatched" lines: only
// when every probed process saved its data is "never loaded" the truth.
// Reads the agent's markers (src/agent/report-marks.ts) against the reports.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PROCESSES_DIR } from '../common/run-dir/layout.js';
import type { ProcessReport } from '../common/types.js';
import type { ChildResult } from './child.js';

/** One sentence, or undefined when nothing was lost. */
export function missingData(outDir: string, reports: ProcessReport[], child: ChildResult): string | undefined {
  const dir = path.join(outDir, PROCESSES_DIR);
  if (!writable(dir)) return `no data: could not write to ${dir}`;
  const final = new Set(reports.filter((r) => r.final).map((r) => `${r.pid}-${r.threadId}`));
  const reasons: string[] = [];
  const names = readdirSync(dir);
  for (const name of names) {
    const failed = /^(\d+)-(\d+)\.failed-(\w+)$/.exec(name);
    if (failed) {
      reasons.push(`no data: ${who(failed[1], failed[2])} could not write to ${dir} (${failed[3]})`);
      continue;
    }
    const started = /^(\d+)-(\d+)\.started$/.exec(name);
    if (!started || final.has(`${started[1]}-${started[2]}`)) continue;
    if (names.some((n) => n.startsWith(`${started[1]}-${started[2]}.failed-`))) continue;
    const main = Number(started[1]) === child.pid && started[2] === '0';
    const how = main && child.signal ? `was killed by ${child.signal}` : 'ended (killed or crashed)';
    reasons.push(`${who(started[1], started[2])} ${how} before it saved its data`);
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

function who(pid: string, thread: string): string {
  return thread === '0' ? `process ${pid}` : `thread ${thread} of process ${pid}`;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return existsSync(dir);
  } catch {
    return false;
  }
}
