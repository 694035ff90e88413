// RSS growth over N calls of a probed function, inside one process started as
//   TANZHEN_TRACE='fn.cjs:work' node --expose-gc --import dist/agent/register.js bench/memory-child.mjs CONFIG
// The same loop over the unprobed copy (bare.cjs) runs first, as the baseline
// for what the loop itself does to RSS. Prints one JSON line.
import { createRequire } from 'node:module';
import { assertInstrumented } from './instrumented.mjs';

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const probed = require(cfg.probed);
const bare = require(cfg.bare);
if (!globalThis[Symbol.for('tanzhen.probe')]) throw new Error('the tanzhen preload did not install its probe');
assertInstrumented(cfg.probed, probed, bare, ['work']);

const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with --expose-gc');
const MB = 1e6;

function settle() {
  gc();
  gc();
  return process.memoryUsage();
}

function loop(fn, n) {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + fn(i)) | 0;
  return acc;
}

function measure(fn) {
  loop(fn, Math.min(cfg.calls, 1_000_000)); // warm up: JIT, and the probe's lazily allocated histogram
  const before = settle();
  const t0 = performance.now();
  const acc = loop(fn, cfg.calls);
  const ms = performance.now() - t0;
  const after = settle();
  return {
    calls: cfg.calls,
    ms,
    nsPerCall: (ms * 1e6) / cfg.calls,
    rssBeforeMB: before.rss / MB,
    rssAfterMB: after.rss / MB,
    rssGrowthMB: (after.rss - before.rss) / MB,
    heapGrowthMB: (after.heapUsed - before.heapUsed) / MB,
    acc,
  };
}

const result = { node: process.version, bare: measure(bare.work), probe: measure(probed.work) };
process.stdout.write(JSON.stringify(result) + '\n');
