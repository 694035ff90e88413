// The agent's warnings, relayed by the launcher: each distinct message of a
// run printed once, while the run goes on (read from the process reports at
// every flush interval) and a last time when it ends. Python processes print
// their own, so they are not relayed.
import type { ProcessReport } from '../common/types.js';
import { ProcessReports } from '../common/run-dir/reports.js';

export interface WarningRelay {
  /** Prints what the reports hold that was not printed yet. */
  flush(reports?: ProcessReport[]): void;
  stop(): void;
}

export function relayWarnings(outDir: string, intervalMs: number, print: (message: string) => void): WarningRelay {
  const printed = new Set<string>();
  const follow = new ProcessReports(outDir);
  const flush = (reports = follow.read()) => {
    for (const report of reports) {
      if (report.runtime !== 'node') continue;
      for (const message of report.warnings ?? []) {
        if (printed.has(message)) continue;
        printed.add(message);
        print(message);
      }
    }
  };
  const timer = intervalMs > 0 ? setInterval(() => flush(), intervalMs) : undefined;
  timer?.unref();
  return {
    flush,
    stop: () => clearInterval(timer),
  };
}
