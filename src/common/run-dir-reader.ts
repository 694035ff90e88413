// Reads a run directory's process reports while the run goes on, cheaply:
// each poll lists processes/ and stats the reports, and parses only those
// whose file changed since the last poll (the agents replace them whole, by
// rename, every flush interval). For `run --live`; the same filter as the
// one-shot reading of launcher/results.ts.
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readPrivate } from './files.js';
import { PROCESSES_DIR } from './run-dir.js';
import type { ProcessReport } from './types.js';

export interface ReportFile {
  /** File name inside processes/: `<pid>-<thread>.json`. */
  name: string;
  report: ProcessReport;
  /** When the agent wrote it (the file's mtime, epoch ms). */
  writtenAt: number;
}

export interface ReportPoll {
  /** Reports new or rewritten since the last poll. */
  changed: ReportFile[];
  /** The latest of every report seen. */
  all: ReportFile[];
}

export interface ReportReader {
  poll(): ReportPoll;
}

export function reportReader(outDir: string): ReportReader {
  const dir = path.join(outDir, PROCESSES_DIR);
  const seen = new Map<string, { stamp: string; file: ReportFile }>();
  return {
    poll() {
      const changed: ReportFile[] = [];
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        names = []; // not made yet (no process started) or unreadable: nothing new
      }
      for (const name of names) {
        if (!name.endsWith('.json') || name.startsWith('.')) continue;
        const file = path.join(dir, name);
        try {
          const s = lstatSync(file);
          // A rewrite is a rename onto the name: a new inode, usually a new size and mtime too.
          const stamp = `${s.ino}:${s.size}:${s.mtimeMs}`;
          if (seen.get(name)?.stamp === stamp) continue;
          const report = JSON.parse(readPrivate(file).toString('utf8')) as ProcessReport;
          if (report.version !== 1 || !Array.isArray(report.functions)) continue;
          const entry = { name, report, writtenAt: s.mtimeMs };
          seen.set(name, { stamp, file: entry });
          changed.push(entry);
        } catch {
          // Gone or replaced between the listing and the read: the next poll sees it.
        }
      }
      return { changed, all: [...seen.values()].map((e) => e.file) };
    },
  };
}
