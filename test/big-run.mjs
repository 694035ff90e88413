// A synthetic run directory of any size, written the way probed processes
// write theirs (processes/<pid>-0.json, run.json), for the tests of the
// outputs at scale: `functions` probed functions of which `called` were
// called, a call tree `depth` levels deep under a root with `width` children
// (each with a few callees of its own), and async callees that outlive their
// caller. Deterministic: the same arguments give the same files.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './helpers.mjs';

const { bucketOf } = await import(path.join(root, 'dist/common/histogram.js'));

export function writeBigRun(dir, { functions = 10_000, called = 3_000, depth = 200, width = 2_000, processes = 1 } = {}) {
  mkdirSync(path.join(dir, 'processes'), { recursive: true, mode: 0o700 });
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let p = 0; p < processes; p++) {
    const fns = [];
    for (let i = 0; i < functions; i++) {
      const calls = i < called ? 1 + Math.floor(random() * 5000) : 0;
      const histogram = new Map();
      for (let k = 0; k < Math.min(calls, 30); k++) {
        const b = bucketOf(Math.floor(200 + random() * random() * 5e7));
        histogram.set(b, (histogram.get(b) ?? 0) + Math.ceil(calls / 30));
      }
      const totalMs = calls ? Math.round(calls * (0.01 + random() * 2) * 1000) / 1000 : 0;
      fns.push({
        target: './src/**/*.js:*',
        name: `module${i % 97}.function${i}`,
        file: `/work/app/src/dir${i % 53}/file${i % 1009}.js`,
        line: 1 + (i % 400),
        calls,
        errors: calls && i % 17 === 0 ? 3 : 0,
        totalMs,
        selfMs: Math.round(totalMs * 0.6 * 1000) / 1000,
        maxMs: totalMs ? Math.round((totalMs / calls) * 8 * 1000) / 1000 : 0,
        histogram: [...histogram.entries()].sort((a, b) => a[0] - b[0]),
      });
    }
    // The tree: a chain `depth` deep (recursion), then `width` top-level callers with callees.
    const tree = [];
    let parent = -1;
    for (let d = 0; d < depth; d++) {
      tree.push({ parent, fn: 0, calls: 1, totalMs: depth - d, selfMs: 1 });
      parent = tree.length - 1;
    }
    // A request handler whose async callee went on three times as long after it returned.
    tree.push({ parent: -1, fn: called - 1, calls: 1, totalMs: 10_000, selfMs: 1_000 });
    const handler = tree.length - 1;
    tree.push({ parent: handler, fn: 1, calls: 1, totalMs: 2_000, selfMs: 2_000 });
    tree.push({ parent: handler, fn: 2, calls: 1, totalMs: 30_000, selfMs: 30_000 });
    for (let i = 0; i < width; i++) {
      const fn = 1 + (i % (called - 2));
      const totalMs = 1 + (i % 50);
      tree.push({ parent: -1, fn, calls: 2, totalMs, selfMs: totalMs / 2 });
      const top = tree.length - 1;
      for (let c = 0; c < 3; c++) {
        // The last callee is async and outlives its caller: longer than it.
        const ms = c === 2 && i % 10 === 0 ? totalMs * 3 : totalMs / 8;
        tree.push({ parent: top, fn: 1 + ((fn * 7 + c) % (called - 1)), calls: 1, totalMs: ms, selfMs: ms });
      }
    }
    const report = {
      version: 1, pid: 1000 + p, threadId: 0, runtime: 'node', runtimeVersion: 'v20.0.0', argv: ['node', 'app.js'],
      startedAt: 1_700_000_000_000 + p, functions: fns, tree, matched: ['./src/**/*.js:*'], candidates: {}, warnings: [], final: true,
    };
    writeFileSync(path.join(dir, 'processes', `${1000 + p}-0.json`), JSON.stringify(report), { mode: 0o600 });
  }
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ command: ['node', 'app.js'], targets: ['./src/**/*.js:*'], cwd: '/work/app', startedAt: 1_700_000_000_000, exitCode: 0 }), { mode: 0o600 });
  writeFileSync(path.join(dir, '.tanzhen'), 'This directory holds the results of a tanzhen run. tanzhen replaces only its own files here.\n', { mode: 0o600 });
  return dir;
}
