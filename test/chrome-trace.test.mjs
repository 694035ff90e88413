// trace.json: Chrome Trace Event Format written by `tanzhen run --out DIR`
// from the per-process span files; event counts, nesting, tracks, the span cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calls, fixture, probe, root, tanzhen, tempDir } from './helpers.mjs';

const { layOut } = await import(path.join(root, 'dist/report/chrome-trace.js'));
const { readSpans } = await import(path.join(root, 'dist/common/run-dir/spans.js'));

const readTrace = (out) => JSON.parse(readFileSync(path.join(out, 'trace.json'), 'utf8'));
const complete = (trace) => trace.traceEvents.filter((e) => e.ph === 'X');
const countBy = (events) => events.reduce((acc, e) => ((acc[e.name] = (acc[e.name] ?? 0) + 1), acc), {});

/** Every track holds properly nested slices only: no two events overlap without one containing the other. */
function assertProperlyNested(events) {
  const byTrack = new Map();
  for (const e of events) byTrack.set(`${e.pid}/${e.tid}`, [...(byTrack.get(`${e.pid}/${e.tid}`) ?? []), e]);
  for (const [track, list] of byTrack) {
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const stack = [];
    for (const e of list) {
      while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
      const top = stack.at(-1);
      if (top) assert.ok(e.ts + e.dur <= top.ts + top.dur, `${track}: ${e.name} overlaps ${top.name} without nesting`);
      stack.push(e);
    }
  }
}

test('sync calls: one X event per call, children inside their parent, named tracks', async () => {
  const r = await probe(['./sync.js:parent', './sync.js:child'], ['node', 'sync.js'], { cwd: fixture('nesting') });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning/);
  const trace = readTrace(r.out);
  const events = complete(trace);
  assert.deepEqual(countBy(events), calls(r.summary));
  const [parent] = events.filter((e) => e.name === 'parent');
  const children = events.filter((e) => e.name === 'child');
  for (const child of children) {
    assert.ok(child.ts >= parent.ts, 'child starts after its parent');
    assert.ok(child.ts + child.dur <= parent.ts + parent.dur, 'child ends within its parent');
    assert.equal(child.tid, parent.tid);
    assert.ok(child.dur >= 19_000, `child dur ${child.dur} µs`); // spins 20 ms (more on a loaded machine)
  }
  assert.ok(children[1].ts >= children[0].ts + children[0].dur, 'siblings in sequence');
  assert.equal(parent.args.file, 'sync.js:8');
  assert.deepEqual(parent.args, { file: 'sync.js:8', error: false });
  assert.equal(parent.cat, 'node');
  // Epoch-based microseconds: within a minute of now.
  assert.ok(Math.abs(parent.ts / 1000 - Date.now()) < 60_000, `ts ${parent.ts}`);
  const meta = trace.traceEvents.filter((e) => e.ph === 'M');
  const processName = meta.find((e) => e.name === 'process_name');
  assert.equal(processName.args.name, 'node sync.js');
  assert.equal(processName.pid, parent.pid);
  assert.equal(meta.find((e) => e.name === 'thread_name' && e.tid === parent.tid).args.name, 'main');
});

test('interleaved async calls: counts equal calls, every track properly nested', async () => {
  const r = await probe(['./async.js:*'], ['node', 'async.js'], { cwd: fixture('nesting') });
  assert.equal(r.code, 0, r.stderr);
  const trace = readTrace(r.out);
  const events = complete(trace);
  assert.deepEqual(countBy(events), calls(r.summary));
  assertProperlyNested(events);
  // The concurrent requests need more than one track; each track is named.
  const tids = new Set(events.map((e) => e.tid));
  assert.ok(tids.size >= 2, `tracks: ${[...tids]}`);
  const names = new Map(trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args.name]));
  for (const tid of tids) assert.match(names.get(tid), /^main( \(concurrent \d+\))?$/);
  // Each stepA call starts and ends inside some requestA call.
  const requests = events.filter((e) => e.name === 'requestA');
  for (const step of events.filter((e) => e.name === 'stepA')) {
    assert.ok(requests.some((q) => q.ts <= step.ts && step.ts + step.dur <= q.ts + q.dur), 'stepA inside a requestA');
  }
});

test('processes, workers and children: one process per pid, one track per thread', async () => {
  const r = await probe(['./work.js:work'], ['node', 'main.js'], { cwd: fixture('procs') });
  assert.equal(r.code, 0, r.stderr);
  const trace = readTrace(r.out);
  const events = complete(trace);
  assert.equal(events.length, 6);
  const meta = trace.traceEvents.filter((e) => e.ph === 'M');
  const processNames = meta.filter((e) => e.name === 'process_name').map((e) => e.args.name);
  assert.deepEqual(processNames.sort(), ['node child.js', 'node main.js']);
  const threadName = (e) => meta.find((m) => m.name === 'thread_name' && m.pid === e.pid && m.tid === e.tid).args.name;
  const byThread = countBy(events.map((e) => ({ name: `${threadName(e)}@${e.pid}` })));
  const mainPid = meta.find((e) => e.name === 'process_name' && e.args.name === 'node main.js').pid;
  assert.equal(byThread[`main@${mainPid}`], 1);
  assert.equal(byThread[`worker 1@${mainPid}`], 3);
  assert.equal(Object.values(byThread).sort().join(), '1,2,3');
});

test('errors are flagged in args', async () => {
  const r = await probe(['./thrower.js:explode'], ['node', 'main.js'], { cwd: fixture('errors') });
  const events = complete(readTrace(r.out));
  assert.equal(events.length, 2);
  assert.ok(events.every((e) => e.args.error === true));
});

test('--max-spans 5: spans past the cap are dropped and counted, calls stay exact', async () => {
  const r = await probe(['./async.js:*'], ['node', 'async.js'], { cwd: fixture('nesting'), extra: ['--max-spans', '5'] });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(calls(r.summary), { wait: 12, requestA: 2, stepA: 4, requestB: 1, stepB: 3, leaf: 7 });
  assert.equal(r.summary.droppedSpans, 29 - 5);
  const events = complete(readTrace(r.out));
  assert.equal(events.length, 5);
  assertProperlyNested(events);
});

test('a trace.json that cannot be written costs one warning line, not the exit code', async () => {
  const out = tempDir();
  // The launcher clears an earlier run's files at start, so the program itself puts a directory in the way.
  const program = "require('fs').mkdirSync(process.env.TANZHEN_OUT + '/trace.json/blocker', { recursive: true }); require('./sync.js')";
  const r = await tanzhen(['run', '-q', '--out', out, '-t', './sync.js:child', '--', 'node', '-e', program], { cwd: fixture('nesting') });
  assert.equal(r.code, 0);
  assert.ok(existsSync(path.join(out, 'summary.json')) && existsSync(path.join(out, 'report.html')));
  assert.equal(r.stderr.match(/warning/g)?.length, 1, r.stderr);
  assert.match(r.stderr, /tanzhen: warning: could not write trace\.json/);
});

test('layOut: overlapping roots get their own lanes; a child may outlive its parent by the tolerance only', () => {
  const span = (id, parentId, start, duration) => ({ id, parentId, fn: 0, startEpochMs: 1e12 + start, durationMs: duration, error: false });
  const lanes = layOut([span(2, 1, 1, 2), span(1, 0, 0, 10), span(3, 0, 5, 10), span(4, 3, 6, 1), span(5, 1, 9, 1.0005), span(6, 1, 9.5, 5)]);
  const ids = lanes.map((lane) => lane.map((p) => p.span.id));
  // 5 ends 0.5 µs after its parent (rounding, overhead): clamped into it. 6 outlives it by 4.5 ms: a lane of its own.
  assert.deepEqual(ids, [[1, 2, 5], [3, 4], [6]]);
  const five = lanes[0].find((p) => p.span.id === 5);
  assert.equal(five.end, lanes[0][0].end, 'clamped to its parent');
});

test('readSpans: only the records the report accounts for, whole records only', () => {
  const out = tempDir();
  mkdirSync(path.join(out, 'processes'));
  const records = new Float64Array([1, 0, 0, 5, 2, 0, 2, 0, 1, 8, 1, 1, 3, 0, 7, 9, 1, 0]);
  const bytes = Buffer.concat([Buffer.from(records.buffer), Buffer.alloc(20)]);
  writeFileSync(path.join(out, 'processes', '1-0.spans'), bytes);
  const report = { timeOrigin: 1000, startedAt: 0, functions: [{}, {}], spans: { file: '1-0.spans', written: 3, dropped: 0 } };
  assert.deepEqual(readSpans(out, report), [
    { id: 1, parentId: 0, fn: 0, startEpochMs: 1005, durationMs: 2, error: false },
    { id: 2, parentId: 0, fn: 1, startEpochMs: 1008, durationMs: 1, error: true },
  ]);
  assert.equal(readSpans(out, { ...report, spans: { ...report.spans, written: 1 } }).length, 1);
  assert.deepEqual(readSpans(out, { ...report, spans: { ...report.spans, file: '../x.spans' } }), []);
  assert.deepEqual(readSpans(out, { ...report, spans: undefined }), []);
});
