#!/usr/bin/env node
// npm run bench: tanzhen side by side with the field, in one run.
//   a. per-call cost of a probed sync and async function (mitata, in a child
//      started with the real preload) vs bare, a hand-written two-clock-read
//      wrapper and an OpenTelemetry span;
//   b. module-load time of 1500-module CJS and ESM trees, with a target
//      elsewhere, vs bare and vs require-in-the-middle / import-in-the-middle;
//      and of the same trees compiled by TypeScript with a source map beside
//      every module (each map is read, and names no target);
//   c. start-up of the preload (cold and warm caches) and the launcher vs
//      bare node, an empty preload and OpenTelemetry's auto-instrumentations
//      register (bench/startup.mjs);
//   d. RSS growth over 50 M probed calls;
//   e. `*` over typescript (tsc) and prettier, whole runs vs bare (bench/wildcards.mjs).
// Every figure is a ratio to a baseline measured in the same run. Prints a
// table, writes bench/results.json, checks the targets.
//
//   node bench/run.mjs [--quick] [--smoke] [--spans] [--only a,b,c,d,e] [--nodes 20,24] [--no-otel] [--out FILE]
//
// --no-otel: leave out OpenTelemetry's start-up row (no install).
//
// --spans: also measure memory with spans on (TANZHEN_SPANS=1, TANZHEN_OUT
//   set): informational, the span cap should keep it bounded.
// --smoke: tiny sizes, this Node only, no thresholds (what npm test runs).
// --quick: smaller sizes, for a feel of the numbers in ~2 minutes.
import { writeFileSync, existsSync, readFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem, release, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { BENCH, ROOT, TMP, REGISTER, REGISTER_URL, median, spread, cleanEnv, findNodes, runProcess, lastJson } from './lib.mjs';
import { writeCallFixture, writeMappedTree, writeOutsideCjsTarget, writeOutsideTarget, writeTree } from './generate.mjs';
import { renderText, checkTargets } from './report.mjs';
import { wildcards } from './wildcards.mjs';
import { startup } from './startup.mjs';

const OTEL_AUTO_VERSION = '0.82.0';

function parseArgs(argv) {
  const o = { smoke: false, quick: false, spans: false, otel: true, only: ['a', 'b', 'c', 'd', 'e'], nodes: undefined, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--smoke') o.smoke = true;
    else if (a === '--quick') o.quick = true;
    else if (a === '--spans') o.spans = true;
    else if (a === '--no-otel') o.otel = false;
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--nodes') o.nodes = argv[++i].split(',').map(Number);
    else if (a === '--out') o.out = argv[++i];
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/run.mjs [--quick] [--smoke] [--spans] [--only a,b,c,d,e] [--nodes 20,24] [--no-otel] [--out FILE]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const MODE = opts.smoke ? 'smoke' : opts.quick ? 'quick' : 'full';
const SIZES = {
  full: { callRounds: 5, callMinCpuMs: 150, modules: 1500, loadRuns: 7, startRuns: 15, memCalls: 50_000_000, wildcardRuns: 5 },
  quick: { callRounds: 3, callMinCpuMs: 100, modules: 1500, loadRuns: 4, startRuns: 9, memCalls: 5_000_000, wildcardRuns: 3 },
  smoke: { callRounds: 1, callMinCpuMs: 2, modules: 30, loadRuns: 1, startRuns: 1, memCalls: 200_000, wildcardRuns: 1 },
}[MODE];
/** Which Node majors each section runs on by default (all that are present, else this one). */
const DEFAULT_NODES = { a: [20, 22, 24, 26], b: [20, 24], c: [20, 22, 24, 26], d: [20, 24], e: [20, 22, 24, 26] };

if (!existsSync(REGISTER)) {
  console.error(`bench: ${REGISTER} is missing; run \`npm run build\` first`);
  process.exit(2);
}
mkdirSync(TMP, { recursive: true });

const started = Date.now();
const allNodes = opts.smoke ? findNodes([Number(process.versions.node.split('.')[0])]) : findNodes(opts.nodes);
const nodesFor = (section) => (opts.smoke || opts.nodes ? allNodes : allNodes.filter((n) => DEFAULT_NODES[section].includes(n.major)));
const log = (msg) => process.stderr.write(`bench: [${Math.round((Date.now() - started) / 1000)} s] ${msg}\n`);

const fixture = writeCallFixture();
const outsideTarget = writeOutsideTarget();
const outsideCjsTarget = writeOutsideCjsTarget();

const results = {
  version: 1,
  mode: MODE,
  date: new Date().toISOString(),
  machine: machine(),
  nodes: allNodes.map((n) => n.version),
  sizes: SIZES,
  percall: {},
  load: {},
  startup: {},
  memory: {},
  memorySpans: {},
  wildcards: {},
  notes: [],
};

function machine() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {}
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim();
  return { cpu: model, loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100), nproc: Number(nproc) || cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), platform: process.platform };
}

// ---------------------------------------------------------------- a. per call
function perCall(node, extraEnv = {}) {
  const cfg = { probed: fixture.probed, bare: fixture.bare, minCpuMs: SIZES.callMinCpuMs, rounds: SIZES.callRounds, smoke: opts.smoke };
  const env = cleanEnv({ TANZHEN_TRACE: `${fixture.probed}:work;${fixture.probed}:awork`, ...extraEnv });
  const r = runProcess(node.bin, ['--expose-gc', '--import', REGISTER_URL, join(BENCH, 'percall-child.mjs'), JSON.stringify(cfg)], { env, timeout: 600_000 });
  const out = lastJson(r.stdout);
  // Each round measured every variant back to back: overheads and ratios are
  // taken within a round, then the median over rounds is kept.
  const derive = (kind) => {
    const m = out.samples[kind];
    const c = out.samples.sync.clock2;
    const per = (f) => median(m.bare.map((_, i) => f(i)));
    return {
      clock2Ns: median(c),
      probeOverheadNs: per((i) => m.probe[i] - m.bare[i]),
      handOverheadNs: per((i) => m.hand[i] - m.bare[i]),
      otelOverheadNs: per((i) => m.otel[i] - m.bare[i]),
      probePerClock2: per((i) => (m.probe[i] - m.bare[i]) / c[i]),
      handPerClock2: per((i) => (m.hand[i] - m.bare[i]) / c[i]),
      otelPerProbe: per((i) => (m.otel[i] - m.bare[i]) / (m.probe[i] - m.bare[i])),
    };
  };
  return { version: out.node, sync: out.sync, async: out.async, derived: { sync: derive('sync'), async: derive('async') }, samples: out.samples };
}

// ---------------------------------------------------------------- b. module load
/** IITM's in-thread loader needs a Node whose registerHooks takes nullish CJS source. */
function iitmSyncSupported(version) {
  const [maj, min, pat] = version.slice(1).split('.').map(Number);
  if (maj >= 26) return true;
  if (maj === 25) return min >= 1;
  if (maj === 24) return min > 11 || (min === 11 && pat >= 1);
  if (maj === 22) return min > 22 || (min === 22 && pat >= 3);
  return false;
}
function hasRegisterHooks(version) {
  const [maj, min] = version.slice(1).split('.').map(Number);
  return maj > 22 || (maj === 22 && min >= 15);
}

function loadVariants(node, kind, entry) {
  const hook = (file) => pathToFileURL(join(BENCH, 'hooks', file)).href;
  const v = [
    { name: 'bare', args: [entry] },
    { name: 'tanzhen', args: ['--import', REGISTER_URL, entry], env: { TANZHEN_TRACE: `${outsideTarget}:work` } },
    { name: 'tanzhen (CommonJS target)', args: ['--import', REGISTER_URL, entry], env: { TANZHEN_TRACE: `${outsideCjsTarget}:work` } },
  ];
  if (kind === 'cjs') v.push({ name: 'require-in-the-middle', args: ['--require', join(BENCH, 'hooks', 'ritm.cjs'), entry] });
  else {
    v.push({ name: 'import-in-the-middle', args: ['--import', hook('iitm.mjs'), entry] });
    if (iitmSyncSupported(node.version)) v.push({ name: 'import-in-the-middle (sync hooks)', args: ['--import', hook('iitm-sync.mjs'), entry] });
  }
  if (hasRegisterHooks(node.version)) v.push({ name: 'no-op registerHooks load hook', args: ['--import', hook('noop-hooks.mjs'), entry] });
  return v;
}

/** The tsc-built trees: every module ends with a map comment, so tanzhen reads each map's sources. */
function mappedVariants(kind, entry) {
  return loadVariants({ version: 'v0.0.0' }, kind, entry).filter((v) => v.name === 'bare' || v.name.startsWith('tanzhen'));
}

function moduleLoad(node, kind, mapped = false) {
  const tree = mapped ? writeMappedTree(kind, SIZES.modules) : writeTree(kind, SIZES.modules);
  const variants = mapped ? mappedVariants(kind, tree.entry) : loadVariants(node, kind, tree.entry);
  const runs = Object.fromEntries(variants.map((v) => [v.name, []]));
  const once = (v) => {
    const r = runProcess(node.bin, v.args, { env: cleanEnv(v.env), cwd: tree.dir });
    const out = lastJson(r.stdout);
    if (out.sum !== SIZES.modules) throw new Error(`${kind} tree: expected ${SIZES.modules} modules, got ${out.sum}`);
    return { loadMs: out.loadMs, cpuMs: out.cpuMs, wallMs: r.wallMs };
  };
  if (!opts.smoke) for (const v of variants) once(v); // warm the file cache and the compile cache of each variant
  for (let round = 0; round < SIZES.loadRuns; round++) {
    // Rotate the order each round, so no variant always runs first or last.
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + round) % variants.length];
      runs[v.name].push(once(v));
    }
  }
  const bare = runs.bare;
  const out = { modules: SIZES.modules, runs: SIZES.loadRuns, variants: {} };
  for (const v of variants) {
    const rs = runs[v.name];
    const ratios = rs.map((r, i) => r.loadMs / bare[i].loadMs); // each run against the bare run of the same round
    out.variants[v.name] = {
      loadMs: median(rs.map((r) => r.loadMs)),
      wallMs: median(rs.map((r) => r.wallMs)),
      loadRatio: median(ratios),
      cpuMs: median(rs.map((r) => r.cpuMs)),
      cpuRatio: median(rs.map((r, i) => r.cpuMs / bare[i].cpuMs)),
      wallRatio: median(rs.map((r, i) => r.wallMs / bare[i].wallMs)),
      noise: spread(rs.map((r) => r.loadMs)),
      samplesMs: rs.map((r) => Math.round(r.loadMs * 10) / 10),
    };
  }
  return out;
}

// ---------------------------------------------------------------- c. start-up
function otelAutoDir() {
  const dir = join(TMP, 'otel-auto');
  const pkg = join(dir, 'node_modules', '@opentelemetry', 'auto-instrumentations-node', 'package.json');
  const ok = () => existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === OTEL_AUTO_VERSION;
  if (opts.smoke || !opts.otel) return undefined; // tests: no network, and ~0.5 s a run saved
  if (ok()) return dir;
  log(`installing @opentelemetry/auto-instrumentations-node@${OTEL_AUTO_VERSION} into ${dir} (once, ~90 MB)`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', `@opentelemetry/auto-instrumentations-node@${OTEL_AUTO_VERSION}`], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: cleanEnv() });
  if (r.status !== 0 || !ok()) {
    results.notes.push(`OpenTelemetry auto-instrumentations could not be installed (npm exit ${r.status}); its start-up row is missing`);
    return undefined;
  }
  return dir;
}

// OpenTelemetry's register with nothing reaching off this machine: only local
// resource detectors (the cloud ones probe metadata addresses and wait for
// them), OTLP pointed at loopback, metrics and logs exporters off.
const OTEL_ENV = {
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
};

// ---------------------------------------------------------------- d. memory
function memory(node, spans = false) {
  const cfg = { probed: fixture.probed, bare: fixture.bare, calls: SIZES.memCalls };
  const extra = spans ? { TANZHEN_SPANS: '1', TANZHEN_OUT: mkdtempSync(join(TMP, 'spans-out-')) } : {};
  const env = cleanEnv({ TANZHEN_TRACE: `${fixture.probed}:work`, ...extra });
  const r = runProcess(node.bin, ['--expose-gc', '--import', REGISTER_URL, join(BENCH, 'memory-child.mjs'), JSON.stringify(cfg)], { env, timeout: 600_000 });
  const out = lastJson(r.stdout);
  if (spans) rmSync(extra.TANZHEN_OUT, { recursive: true, force: true });
  return { version: out.node, spans, ...out };
}

// ---------------------------------------------------------------- run
async function main() {
  log(`mode ${MODE}; Node ${allNodes.map((n) => n.version).join(', ')}`);
  if (opts.only.includes('a')) {
    for (const node of nodesFor('a')) {
      log(`a. per-call cost on ${node.version}`);
      results.percall[node.major] = perCall(node);
      // --sample: a call that is counted but not timed (1 in 10 000 timed, so nearly every call is untimed).
      log(`a. per-call cost of an untimed (sampled-out) call on ${node.version}`);
      results.percall[node.major].untimed = perCall(node, { TANZHEN_SAMPLE: '0.0001' }).derived.sync;
    }
  }
  if (opts.only.includes('b')) {
    for (const node of nodesFor('b')) {
      results.load[node.major] = { version: node.version };
      for (const kind of ['cjs', 'esm']) {
        log(`b. ${SIZES.modules}-module ${kind.toUpperCase()} tree on ${node.version}`);
        results.load[node.major][kind] = moduleLoad(node, kind);
      }
      for (const kind of ['cjs', 'esm']) {
        log(`b. ${SIZES.modules}-module ${kind.toUpperCase()} tree built by tsc with source maps, on ${node.version}`);
        results.load[node.major][`${kind}-maps`] = moduleLoad(node, kind, true);
      }
    }
  }
  if (opts.only.includes('c')) {
    const otelDir = otelAutoDir();
    for (const node of nodesFor('c')) {
      log(`c. start-up on ${node.version}`);
      results.startup[node.major] = { version: node.version, ...startup(node, { otelDir, otelEnv: OTEL_ENV, outsideTarget, outsideCjsTarget, runs: SIZES.startRuns, warmUp: !opts.smoke }) };
    }
  }
  if (opts.only.includes('d')) {
    for (const node of nodesFor('d')) {
      log(`d. memory over ${SIZES.memCalls.toLocaleString('en')} calls on ${node.version}`);
      results.memory[node.major] = memory(node);
      if (opts.spans) {
        log(`d. memory with spans on, over ${SIZES.memCalls.toLocaleString('en')} calls on ${node.version}`);
        results.memorySpans[node.major] = memory(node, true);
      }
    }
  }
  if (opts.only.includes('e') && !opts.smoke) {
    for (const node of nodesFor('e')) results.wildcards[node.major] = { version: node.version, cases: wildcards(node, SIZES.wildcardRuns, log) };
  }
  results.machine.loadavgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  results.durationS = Math.round((Date.now() - started) / 100) / 10;
  results.targets = opts.smoke ? [] : checkTargets(results);

  const file = opts.out ?? (opts.smoke ? join(TMP, 'results-smoke.json') : join(BENCH, 'results.json'));
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(renderText(results));
  process.stdout.write(`\nwrote ${file} (${results.durationS} s)\n`);
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error}`);
  process.exit(1);
});
