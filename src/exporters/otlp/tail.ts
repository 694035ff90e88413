// Follows the run directory while the program runs, for the OTLP exporter:
// every process report, the new records of its span file and the new notes
// of its OpenTelemetry side table, each read from where the last poll
// stopped, through the run directory's readers (src/common/run-dir/). The
// side table is read after the spans, and the agent writes it before them,
// so the note of every root span read is there.
import { ProcessReports } from '../../common/run-dir/reports.js';
import { readProgramParents, readSpansFrom, type ProgramParent, type SpanRecord } from '../../common/run-dir/spans.js';
import type { ProcessReport } from '../../common/types.js';

export type { ProgramParent };

export interface Source {
  /** `<pid>-<threadId>` */
  key: string;
  report: ProcessReport;
  /** Span records consumed so far. */
  read: number;
  otelOffset: number;
  /** Root span id → the program's span it started in. */
  programParents: Map<number, ProgramParent>;
}

export class RunTail {
  readonly sources = new Map<string, Source>();
  private readonly reports: ProcessReports;

  constructor(private readonly outDir: string) {
    this.reports = new ProcessReports(outDir);
  }

  /** Re-reads the reports that changed (new processes, new functions, span counts). */
  refresh(): void {
    for (const [key, report] of this.reports.readKeyed()) {
      if (!report.spans || typeof report.spans.file !== 'string') continue;
      const source = this.sources.get(key);
      if (source) source.report = report;
      else this.sources.set(key, { key, report, read: 0, otelOffset: 0, programParents: new Map() });
    }
  }

  /** Records of `source` not read yet, at most `max`; then the side table's new notes. */
  take(source: Source, max: number): SpanRecord[] {
    const { spans, next } = readSpansFrom(this.outDir, source.report, source.read, max);
    source.read = next;
    const parents = readProgramParents(this.outDir, source.report, source.otelOffset);
    source.otelOffset = parents.next;
    for (const [spanId, parent] of parents.notes) source.programParents.set(spanId, parent);
    return spans;
  }

  /** Span records written but not read yet, over every process. */
  unread(): number {
    let n = 0;
    for (const s of this.sources.values()) n += Math.max(0, s.report.spans!.written - s.read);
    return n;
  }
}
