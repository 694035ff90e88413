// Per-call cost, measured inside one process started as
//   TANZHEN_TRACE='fn.cjs:work;fn.cjs:awork' node --import dist/agent/register.js bench/percall-child.mjs CONFIG
// so the probed function went through the real module hook and rewrite. The
// same code loaded from bare.cjs (not a target) is the baseline. mitata runs
// each variant; rounds are interleaved and the median of their p50s is kept.
// Prints one JSON line: ns per call for each variant.
import { createRequire } from 'node:module';
import { assertInstrumented } from './instrumented.mjs';
import { measure, do_not_optimize } from 'mitata';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const probed = require(cfg.probed);
const bare = require(cfg.bare);

// The probe must really be there: the agent loaded, and fn.cjs rewritten.
const agent = globalThis[Symbol.for('tanzhen.probe')];
if (!agent) throw new Error('the tanzhen preload did not install its probe');
assertInstrumented(cfg.probed, probed, bare, ['work', 'awork']);

// OpenTelemetry: a real SDK tracer, batch processor, exporter that drops everything.
const exporter = {
  export(spans, done) {
    done({ code: 0 });
  },
  shutdown() {
    return Promise.resolve();
  },
  forceFlush() {
    return Promise.resolve();
  },
};
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
const tracer = provider.getTracer('bench');

// Hand-written timing at the definition site: two clock reads and a sum.
let handTotal = 0;
function handWork(x) {
  const t = performance.now();
  try {
    return (x * 31 + 7) | 0;
  } finally {
    handTotal += performance.now() - t;
  }
}
async function handAwork(x) {
  const t = performance.now();
  try {
    return (x * 31 + 7) | 0;
  } finally {
    handTotal += performance.now() - t;
  }
}
function otelWork(x) {
  const span = tracer.startSpan('work');
  try {
    return (x * 31 + 7) | 0;
  } finally {
    span.end();
  }
}
async function otelAwork(x) {
  const span = tracer.startSpan('awork');
  try {
    return (x * 31 + 7) | 0;
  } finally {
    span.end();
  }
}

let i = 0;
const variants = {
  sync: {
    bare: () => do_not_optimize(bare.work(i++)),
    clock2: () => {
      const t = performance.now();
      do_not_optimize(performance.now() - t);
    },
    hand: () => do_not_optimize(handWork(i++)),
    probe: () => do_not_optimize(probed.work(i++)),
    otel: () => do_not_optimize(otelWork(i++)),
  },
  async: {
    bare: () => bare.awork(i++),
    hand: () => handAwork(i++),
    probe: () => probed.awork(i++),
    otel: () => otelAwork(i++),
  },
};

const opts = { min_cpu_time: cfg.minCpuMs * 1e6, min_samples: cfg.smoke ? 2 : 12 };
const samples = { sync: {}, async: {} };
for (let round = 0; round < cfg.rounds; round++) {
  for (const kind of ['sync', 'async']) {
    for (const [name, fn] of Object.entries(variants[kind])) {
      const stats = await measure(fn, opts);
      (samples[kind][name] ??= []).push(stats.p50);
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const result = { node: process.version, rounds: cfg.rounds, handTotal: handTotal > 0, sync: {}, async: {}, samples };
for (const kind of ['sync', 'async']) for (const [name, xs] of Object.entries(samples[kind])) result[kind][name] = median(xs);
await provider.shutdown();
process.stdout.write(JSON.stringify(result) + '\n');
