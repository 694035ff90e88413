// Per-process reports, `processes/<pid>-<threadId>.json`: written by the
// agent (at every flush interval and at exit, atomically), read by the
// launcher, the reports, the exporters and the live view. The reader is
// incremental: a file is parsed again only when its size or mtime changed.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readPrivate, writeFileStreamed } from '../files.js';
import type { ProcessReport, TreeRecord } from '../types.js';
import { PROCESSES_DIR } from './layout.js';

/** Arrays written an element at a time, so no report, however big, is one string (the tree comes as columns). */
const STREAMED = new Set(['functions']);

/** Reports carry `tree` once read, whichever way the process wrote it. */
function withTree(report: ProcessReport): ProcessReport {
  const columns = report.treeColumns;
  if (!columns || !Array.isArray(columns.parent)) return report;
  const tree: TreeRecord[] = [];
  for (let i = 0; i < columns.parent.length; i++) {
    tree.push({ parent: columns.parent[i], fn: columns.fn[i], calls: columns.calls[i], totalMs: columns.totalMs[i], selfMs: columns.selfMs[i] });
  }
  const { treeColumns: _, ...rest } = report;
  return { ...rest, tree };
}

/** Writes a process report atomically (mode 0600). */
export function writeProcessReport(file: string, report: ProcessReport): void {
  writeFileStreamed(file, (write) => {
    let first = true;
    write('{');
    for (const [key, value] of Object.entries(report)) {
      if (value === undefined) continue;
      write(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      if (!STREAMED.has(key) || !Array.isArray(value)) {
        write(JSON.stringify(value));
        continue;
      }
      write('[');
      // Elements are flat records: JSON.stringify each, gathered a few hundred at a time.
      for (let i = 0; i < value.length; i += 256) {
        const part = value.slice(i, i + 256).map((v) => JSON.stringify(v));
        write((i > 0 ? ',' : '') + part.join(','));
      }
      write(']');
    }
    write('}');
  });
}

/** One report file, or undefined when it is not a usable report (mid-rename, foreign, or another version). */
export function readProcessReport(file: string): ProcessReport | undefined {
  try {
    const report = JSON.parse(readPrivate(file).toString('utf8')) as ProcessReport;
    return report.version === 1 && Array.isArray(report.functions) ? withTree(report) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a name in processes/ is a finished report (temporary files start with a dot). */
function isReportName(name: string): boolean {
  return name.endsWith('.json') && !name.startsWith('.');
}

/** Every complete process report of a run directory. */
export function readProcessReports(outDir: string): ProcessReport[] {
  return new ProcessReports(outDir).read();
}

interface Cached {
  size: number;
  mtimeMs: number;
  report: ProcessReport;
}

/**
 * The reports of a run directory, followed while the run goes on: `read()`
 * parses only files that changed since the last call. A report that can no
 * longer be read keeps its last good version.
 */
export class ProcessReports {
  private readonly dir: string;
  private readonly cache = new Map<string, Cached>();

  constructor(outDir: string) {
    this.dir = path.join(outDir, PROCESSES_DIR);
  }

  /** The reports by key (`<pid>-<threadId>`), in directory order. */
  readKeyed(): Map<string, ProcessReport> {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return new Map();
    }
    const out = new Map<string, ProcessReport>();
    for (const name of names) {
      if (!isReportName(name)) continue;
      const file = path.join(this.dir, name);
      const known = this.cache.get(name);
      let stat;
      try {
        stat = statSync(file);
      } catch {
        if (known) out.set(name.slice(0, -5), known.report);
        continue;
      }
      if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) {
        out.set(name.slice(0, -5), known.report);
        continue;
      }
      const report = readProcessReport(file);
      if (report) this.cache.set(name, { size: stat.size, mtimeMs: stat.mtimeMs, report });
      const usable = report ?? known?.report;
      if (usable) out.set(name.slice(0, -5), usable);
    }
    return out;
  }

  read(): ProcessReport[] {
    return [...this.readKeyed().values()];
  }

  /** When report `key` was written (its file's mtime, epoch ms), as of the last read. */
  writtenAt(key: string): number | undefined {
    return this.cache.get(`${key}.json`)?.mtimeMs;
  }
}
