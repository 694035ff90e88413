// The figures behind `run --live`, on report files written as the agent
// writes them and read back by the run directory's incremental reader
// (rewritten files only, with their write times): the last interval is
// the difference of a process's two latest reports (counts and histogram
// buckets), a stale or ended process adds nothing to it, and the dense
// percentiles agree with the summary's Histogram.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ProcessReports } from '../dist/common/run-dir/reports.js';
import { LiveFigures } from '../dist/report/live-figures.js';
import { addSparse, bucketOf, denseCounts, denseQuantiles, Histogram } from '../dist/common/histogram.js';
import { tempDir } from './helpers.mjs';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const fast = bucketOf(1000); // 1 µs
const slow = bucketOf(1_000_000); // 1 ms

function writeReport(out, { pid, thread = 0, at, calls, totalMs, histogram, final = false }) {
  const file = path.join(out, 'processes', `${pid}-${thread}.json`);
  const fn = { target: './a.js:work', name: 'work', file: '/a.js', line: 1, calls, errors: 0, totalMs, selfMs: totalMs, maxMs: 1, histogram };
  writeFileSync(file, JSON.stringify({ version: 1, pid, threadId: thread, runtime: 'node', runtimeVersion: 'v20', argv: [], startedAt: T0, functions: [fn], matched: [], candidates: {}, warnings: [], ...(final ? { final } : {}) }));
  utimesSync(file, new Date(at), new Date(at));
}

test('live figures: interval = difference of the two latest reports; a report not rewritten is not new', () => {
  const out = tempDir();
  mkdirSync(path.join(out, 'processes'));
  const reports = new ProcessReports(out);
  const figures = new LiveFigures(3000);
  const read = () => [...reports.readKeyed()].map(([key, report]) => ({ key, report, writtenAt: reports.writtenAt(key) }));
  assert.deepEqual(figures.update(read()), []);

  writeReport(out, { pid: 1, at: T0 + 1000, calls: 200, totalMs: 0.2, histogram: [[fast, 200]] });
  assert.equal(figures.update(read()).length, 1);
  assert.equal(figures.update(read()).length, 0, 'an unchanged file is not new');

  // One second later: 100 more calls, all slow.
  writeReport(out, { pid: 1, at: T0 + 2000, calls: 300, totalMs: 100.2, histogram: [[fast, 200], [slow, 100]] });
  assert.equal(figures.update(read()).length, 1);
  const frame = figures.frame(T0 + 2500, 10);
  const [row] = frame.rows;
  assert.equal(row.calls, 300);
  assert.equal(row.callsPerSec, 100);
  assert.ok(Math.abs(row.timePerSec - 100) < 1e-9);
  // The interval holds only slow calls; overall most calls are fast.
  assert.ok(row.recentP50Ms > 0.9 && row.recentP50Ms <= 1, String(row.recentP50Ms));
  assert.ok(row.p50Ms < 0.0011, String(row.p50Ms));
  assert.deepEqual(frame.processes, { running: 1, silent: 0, ended: 0 });

  // Much later, no new report: the process is silent and adds nothing to the interval.
  const later = figures.frame(T0 + 10_000, 10);
  assert.equal(later.rows[0].callsPerSec, 0);
  assert.ok(Number.isNaN(later.rows[0].recentP50Ms));
  assert.equal(later.rows[0].calls, 300);
  assert.deepEqual(later.processes, { running: 0, silent: 1, ended: 0 });

  // A second process, ended; a reused pid starting over counts from zero, not negative.
  writeReport(out, { pid: 2, at: T0 + 10_000, calls: 5, totalMs: 5, histogram: [[slow, 5]], final: true });
  writeReport(out, { pid: 1, at: T0 + 10_000, calls: 10, totalMs: 0.01, histogram: [[fast, 10]] });
  assert.equal(figures.update(read()).length, 2);
  const last = figures.frame(T0 + 10_000, 10);
  assert.equal(last.rows[0].calls, 15);
  assert.ok(last.rows[0].callsPerSec > 0);
  assert.deepEqual(last.processes, { running: 1, silent: 0, ended: 1 });
});

test('dense percentiles agree with Histogram.quantile', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 50; round++) {
    const sparse = new Map();
    for (let i = 0; i < 1 + random() * 40; i++) {
      const index = bucketOf(Math.floor(random() ** 3 * 1e9));
      sparse.set(index, (sparse.get(index) ?? 0) + 1 + Math.floor(random() * 100));
    }
    const counts = [...sparse].sort((a, b) => a[0] - b[0]);
    const histogram = new Histogram();
    histogram.add(counts);
    const dense = denseCounts();
    addSparse(dense, counts);
    const maxNs = round % 2 ? 5e8 : Infinity;
    assert.deepEqual(denseQuantiles(dense, [0.5, 0.99], maxNs), [histogram.quantile(0.5, maxNs), histogram.quantile(0.99, maxNs)]);
  }
  assert.ok(denseQuantiles(denseCounts(), [0.5], 1).every(Number.isNaN));
});
