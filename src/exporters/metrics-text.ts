// The Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text,
// rendered from the process reports of a run: per function (label
// `function`, and `file` relative to the run's directory), a calls counter,
// an errors counter and a duration histogram in seconds. Re-merged from the
// reports at each scrape, so it covers every process and thread of the
// command, finished or running; counts only grow during a run.
import path from 'node:path';
import { bucketRange } from '../common/histogram.js';
import type { ProcessReport } from '../common/types.js';

/** Upper bounds (seconds): 1 µs to 10 s, 1-2.5-5 per decade. */
export const BUCKETS_SECONDS = [
  0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
  2.5, 5, 10,
];

export const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

interface Merged {
  name: string;
  file: string;
  calls: number;
  errors: number;
  totalMs: number;
  /** Cumulative-to-be counts per entry of BUCKETS_SECONDS, plus +Inf last. */
  buckets: number[];
}

/** One row per function (same file and name across processes add up). */
export function mergeReports(reports: ProcessReport[], cwd: string): Merged[] {
  const byKey = new Map<string, Merged>();
  const bounds = BUCKETS_SECONDS.map((s) => s * 1e9);
  for (const report of reports) {
    for (const f of report.functions) {
      const key = `${f.file}\0${f.name}`;
      let m = byKey.get(key);
      if (!m) byKey.set(key, (m = { name: f.name, file: displayFile(f.file, cwd), calls: 0, errors: 0, totalMs: 0, buckets: new Array(bounds.length + 1).fill(0) }));
      m.calls += f.calls;
      m.errors += f.errors;
      m.totalMs += f.totalMs;
      for (const [index, count] of f.histogram) {
        // A log-linear bucket goes to the first bound its middle is under (the
        // same representative value as the percentiles: under 1.6% off).
        const [low, width] = bucketRange(index);
        const value = width === 1 ? low : low + width / 2;
        let b = 0;
        while (b < bounds.length && value > bounds[b]) b++;
        m.buckets[b] += count;
      }
    }
  }
  return [...byKey.values()].sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
}

export function renderMetrics(rows: Merged[], openMetrics: boolean): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, unit?: string) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    if (unit && openMetrics) out.push(`# UNIT ${name} ${unit}`);
  };
  const labels = (r: Merged, extra = '') => `{function="${escape(r.name)}",file="${escape(r.file)}"${extra}}`;

  family(openMetrics ? 'tanzhen_function_calls' : 'tanzhen_function_calls_total', 'counter', 'Calls of a probed function (every call, timed or not).');
  for (const r of rows) out.push(`tanzhen_function_calls_total${labels(r)} ${r.calls}`);
  family(openMetrics ? 'tanzhen_function_errors' : 'tanzhen_function_errors_total', 'counter', 'Calls of a probed function that threw or whose promise rejected.');
  for (const r of rows) out.push(`tanzhen_function_errors_total${labels(r)} ${r.errors}`);
  family('tanzhen_function_duration_seconds', 'histogram', 'Duration of the timed calls of a probed function (net of the probe’s own cost).', 'seconds');
  for (const r of rows) {
    let cumulative = 0;
    BUCKETS_SECONDS.forEach((le, i) => {
      cumulative += r.buckets[i];
      out.push(`tanzhen_function_duration_seconds_bucket${labels(r, `,le="${formatLe(le)}"`)} ${round(cumulative)}`);
    });
    cumulative += r.buckets[BUCKETS_SECONDS.length];
    out.push(`tanzhen_function_duration_seconds_bucket${labels(r, ',le="+Inf"')} ${round(cumulative)}`);
    out.push(`tanzhen_function_duration_seconds_sum${labels(r)} ${r.totalMs / 1000}`);
    out.push(`tanzhen_function_duration_seconds_count${labels(r)} ${round(cumulative)}`);
  }
  if (openMetrics) out.push('# EOF');
  return out.join('\n') + '\n';
}

/** Whether a scraper's Accept header asks for OpenMetrics (Prometheus does, by default). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/.test(accept);
}

function displayFile(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatLe(le: number): string {
  // OpenMetrics wants canonical floats ("1.0" rather than "1"); Prometheus accepts both.
  const s = String(le);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** Sampled calls count with weights; a count is a whole number. */
function round(n: number): number {
  return Math.round(n);
}
