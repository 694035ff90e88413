// Tables and target checks for bench results. As a script, prints the
// Markdown tables of a results file (for BENCHMARKS.md):
//   node bench/report.mjs [bench/results.json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH, fmtNs, fmtMs, fmtRatio, fmtPct, table, markdownTable } from './lib.mjs';

export const LIMITS = {
  perCallPerClock2: 1.3,
  untimedNs: 15,
  otelPerProbe: 15,
  loadOverhead: 0.03,
  /** A tree whose every module has a source map (tsc), the maps naming no target. */
  mappedLoadOverhead: 0.05,
  loadFromMajor: 22,
  preloadDeltaMs: 10,
  preloadFromMajor: 22,
  launcherOverTwiceBareMs: 20,
  memoryGrowthMB: 5,
  wildcardRatio: 2,
};

/** `cjs-maps`: the CommonJS tree compiled by tsc, a source map beside each module. */
function treeName(kind) {
  const [format, maps] = kind.split('-');
  return `${format.toUpperCase()}${maps ? ' (tsc, source maps)' : ''}`;
}

export function checkTargets(r) {
  const t = [];
  const add = (section, node, what, measured, limit, pass, shown) => t.push({ section, node, what, measured, limit, pass, shown });
  for (const [major, p] of Object.entries(r.percall)) {
    if (p.untimed) {
      const ns = p.untimed.probeOverheadNs;
      add('a', p.version, `untimed (sampled-out) call overhead ≤ ${LIMITS.untimedNs} ns`, ns, LIMITS.untimedNs, ns <= LIMITS.untimedNs, `${fmtNs(ns)} over a bare call`);
    }
    for (const kind of ['sync', 'async']) {
      const d = p.derived[kind];
      add('a', p.version, `${kind} per-call overhead ≤ ${LIMITS.perCallPerClock2} × two clock reads`, d.probePerClock2, LIMITS.perCallPerClock2, d.probePerClock2 <= LIMITS.perCallPerClock2,
        `${fmtNs(d.probeOverheadNs)} = ${fmtRatio(d.probePerClock2)} of ${fmtNs(d.clock2Ns)}`);
      add('a', p.version, `${kind} per-call overhead ≥ ${LIMITS.otelPerProbe} × cheaper than an OTel span`, d.otelPerProbe, LIMITS.otelPerProbe, d.otelPerProbe >= LIMITS.otelPerProbe,
        `${fmtRatio(d.otelPerProbe, 1)} (${fmtNs(d.otelOverheadNs)} vs ${fmtNs(d.probeOverheadNs)})`);
    }
  }
  for (const [major, l] of Object.entries(r.load)) {
    if (Number(major) < LIMITS.loadFromMajor) continue;
    for (const [kind, variant] of [['cjs', 'tanzhen'], ['cjs', 'tanzhen (CommonJS target)'], ['esm', 'tanzhen']]) {
      const v = l[kind]?.variants?.[variant];
      if (!v) continue;
      const which = variant === 'tanzhen' ? 'an ES module target elsewhere' : 'a CommonJS target elsewhere';
      // Judged on CPU time: tanzhen's hook on Node 22+ runs in-thread, so all
      // of its cost is CPU time of this process, and CPU time is far less
      // disturbed than wall time by other work on a shared machine.
      const over = v.cpuRatio - 1;
      add('b', l.version, `module load, ${l[kind].modules}-module ${kind.toUpperCase()} tree, ${which}, ≤ +${LIMITS.loadOverhead * 100}% over bare (CPU time)`, over, LIMITS.loadOverhead, over <= LIMITS.loadOverhead,
        `CPU ${fmtPct(over)} (${fmtMs(v.cpuMs)} vs ${fmtMs(l[kind].variants.bare.cpuMs)}); wall ${fmtPct(v.loadRatio - 1)}`);
    }
    for (const [kind, variant] of [['cjs-maps', 'tanzhen'], ['cjs-maps', 'tanzhen (CommonJS target)'], ['esm-maps', 'tanzhen']]) {
      const v = l[kind]?.variants?.[variant];
      if (!v) continue;
      const which = variant === 'tanzhen' ? 'an ES module target elsewhere' : 'a CommonJS target elsewhere';
      const over = v.cpuRatio - 1;
      const limit = LIMITS.mappedLoadOverhead;
      add('b', l.version, `module load, ${l[kind].modules}-module ${treeName(kind)} tree, ${which}, ≤ +${limit * 100}% over bare (CPU time)`, over, limit, over <= limit,
        `CPU ${fmtPct(over)} (${fmtMs(v.cpuMs)} vs ${fmtMs(l[kind].variants.bare.cpuMs)}); wall ${fmtPct(v.loadRatio - 1)}`);
    }
  }
  for (const [major, s] of Object.entries(r.startup)) {
    const empty = Object.values(s.variants).some((x) => x.role === 'empty-require');
    if (Number(major) >= LIMITS.preloadFromMajor) {
      for (const [role, which] of [['preload', 'an ES module target'], ['preload-cjs', 'a CommonJS target']]) {
        const v = Object.values(s.variants).find((x) => x.role === role);
        if (!v) continue;
        // Over an empty --require in the same round (older results: over bare).
        const over = empty ? v.overEmptyMs : v.deltaMs;
        add('c', s.version, `agent preload start-up (warm), ${which}, ≤ +${LIMITS.preloadDeltaMs} ms over ${empty ? 'an empty --require' : 'bare'}`, over, LIMITS.preloadDeltaMs, over <= LIMITS.preloadDeltaMs, `${over >= 0 ? '+' : ''}${over.toFixed(1)} ms`);
      }
    }
    const l = Object.values(s.variants).find((x) => x.role === 'launcher');
    if (l && l.overTwiceBareMs !== undefined) {
      const bare = Object.values(s.variants).find((x) => x.role === 'bare');
      add('c', s.version, `tanzhen run -q -- node -e 0 ≤ 2 × bare + ${LIMITS.launcherOverTwiceBareMs} ms`, l.overTwiceBareMs, LIMITS.launcherOverTwiceBareMs, l.overTwiceBareMs <= LIMITS.launcherOverTwiceBareMs,
        `${fmtMs(l.wallMs)} vs ${fmtMs(bare.wallMs)} bare: 2 × bare ${l.overTwiceBareMs >= 0 ? '+' : ''}${l.overTwiceBareMs.toFixed(1)} ms`);
    }
  }
  for (const [major, w] of Object.entries(r.wildcards ?? {})) {
    for (const [name, c] of Object.entries(w.cases)) {
      add('e', w.version, `${name}: warm run ≤ ${LIMITS.wildcardRatio}× bare`, c.warmRatio, LIMITS.wildcardRatio, c.warmRatio <= LIMITS.wildcardRatio, `${fmtRatio(c.warmRatio)} (cold ${fmtRatio(c.coldRatio)})`);
    }
  }
  for (const [major, m] of Object.entries(r.memory)) {
    const g = m.probe.rssGrowthMB;
    add('d', m.version, `RSS growth ≤ ${LIMITS.memoryGrowthMB} MB over ${(m.probe.calls / 1e6).toLocaleString('en')} M probed calls`, g, LIMITS.memoryGrowthMB, g <= LIMITS.memoryGrowthMB, `${g.toFixed(2)} MB`);
  }
  return t;
}

const ver = (v) => v.replace(/^v/, '');

function sections(r) {
  const out = [];
  const pc = Object.values(r.percall);
  if (pc.length) {
    const rows = [['Node', 'function', 'bare', '2× performance.now()', 'hand-written', 'tanzhen', 'OTel span', 'tanzhen overhead', '÷ two clock reads', 'OTel ÷ tanzhen']];
    for (const p of pc) {
      for (const kind of ['sync', 'async']) {
        const m = p[kind];
        const d = p.derived[kind];
        rows.push([ver(p.version), kind, fmtNs(m.bare), fmtNs(d.clock2Ns), fmtNs(m.hand), fmtNs(m.probe), fmtNs(m.otel), fmtNs(d.probeOverheadNs), fmtRatio(d.probePerClock2), fmtRatio(d.otelPerProbe, 1)]);
      }
    }
    out.push({ title: 'a. Per call (ns per call, median of mitata p50s; overhead = variant − bare)', rows });
  }
  const ld = Object.values(r.load);
  if (ld.length) {
    const rows = [['Node', 'tree', 'variant', 'load (wall)', 'vs bare', 'load (CPU)', 'vs bare', 'process wall', 'vs bare', 'wall noise']];
    for (const l of ld) {
      for (const kind of ['cjs', 'esm', 'cjs-maps', 'esm-maps']) {
        const t = l[kind];
        if (!t) continue;
        for (const [name, v] of Object.entries(t.variants)) {
          rows.push([ver(l.version), `${t.modules} ${treeName(kind)}`, name, fmtMs(v.loadMs), name === 'bare' ? '' : fmtPct(v.loadRatio - 1), fmtMs(v.cpuMs), name === 'bare' ? '' : fmtPct(v.cpuRatio - 1), fmtMs(v.wallMs), name === 'bare' ? '' : fmtPct(v.wallRatio - 1), `±${(v.noise * 100).toFixed(0)}%`]);
        }
      }
    }
    out.push({ title: 'b. Module load with a target elsewhere (medians of whole-process runs; "vs bare" = median of per-round ratios)', rows });
  }
  const st = Object.values(r.startup);
  if (st.length) {
    const rows = [['Node', 'command', 'wall', 'vs bare', 'ratio', 'vs empty --require', 'CPU', 'CPU vs bare', 'CPU vs empty --require', 'peak RSS']];
    const signed = (ms) => (ms === undefined ? '—' : `${ms >= 0 ? '+' : ''}${ms.toFixed(1)} ms`);
    for (const s of st) {
      for (const [name, v] of Object.entries(s.variants)) {
        const agent = /^preload/.test(v.role);
        const bare = v.role === 'bare';
        rows.push([ver(s.version), name, fmtMs(v.wallMs), bare ? '' : signed(v.deltaMs), bare ? '' : fmtRatio(v.ratio), agent ? signed(v.overEmptyMs) : '',
          v.cpuMs === undefined ? '—' : fmtMs(v.cpuMs), bare || v.cpuMs === undefined ? '' : `${signed(v.cpuDeltaMs)} (${fmtRatio(v.cpuRatio)})`, agent && v.cpuMs !== undefined ? signed(v.cpuOverEmptyMs) : '',
          v.peakRssMiB == null ? '—' : `${v.peakRssMiB.toFixed(0)} MiB`]);
      }
    }
    out.push({ title: 'c. Start-up (medians of whole-process runs; differences and ratios taken within each round)', rows });
  }
  const wc = Object.values(r.wildcards ?? {});
  if (wc.length) {
    const rows = [['Node', 'run', 'bare', 'probed, cold cache', 'ratio', 'probed, warm cache', 'ratio']];
    for (const w of wc) {
      for (const [name, c] of Object.entries(w.cases)) rows.push([ver(w.version), name, fmtMs(c.bareMs), fmtMs(c.coldMs), fmtRatio(c.coldRatio), fmtMs(c.warmMs), fmtRatio(c.warmRatio)]);
    }
    out.push({ title: 'e. Wildcard targets over big packages, whole `tanzhen run -q` vs the bare command (medians; ratio = median of per-round ratios)', rows });
  }
  const mem = [...Object.values(r.memory), ...Object.values(r.memorySpans ?? {})];
  if (mem.length) {
    const rows = [['Node', 'calls', 'loop', 'ns/call', 'RSS before', 'RSS after', 'RSS growth', 'heap growth']];
    for (const m of mem) {
      for (const name of ['bare', 'probe']) {
        const x = m[name];
        if (m.spans && name === 'bare') continue;
        rows.push([ver(m.version), `${(x.calls / 1e6).toLocaleString('en')} M`, name === 'probe' ? (m.spans ? 'tanzhen, spans on' : 'tanzhen') : 'bare', x.nsPerCall.toFixed(1), `${x.rssBeforeMB.toFixed(1)} MB`, `${x.rssAfterMB.toFixed(1)} MB`, `${x.rssGrowthMB.toFixed(2)} MB`, `${x.heapGrowthMB.toFixed(3)} MB`]);
      }
    }
    out.push({ title: 'd. Memory over many probed calls (spans off unless said)', rows });
  }
  return out;
}

function targetRows(r) {
  const rows = [['target', 'Node', 'measured', 'result']];
  for (const t of r.targets ?? []) rows.push([t.what, ver(t.node), t.shown, t.pass ? 'PASS' : 'FAIL']);
  return rows;
}

export function renderText(r) {
  const la = (x) => (x ? x.join(' ') : '?');
  let s = `\ntanzhen bench (${r.mode}) — ${r.machine.cpu}, ${r.machine.nproc} CPUs, ${r.date}, load average ${la(r.machine.loadavgAtStart)} at start, ${la(r.machine.loadavgAtEnd)} at end\n`;
  for (const sec of sections(r)) s += `\n${sec.title}\n${table(sec.rows)}\n`;
  if (r.targets?.length) {
    const failed = r.targets.filter((t) => !t.pass).length;
    s += `\nTargets (${r.targets.length - failed} met, ${failed} not met)\n${table(targetRows(r))}\n`;
  } else if (r.mode === 'smoke') s += '\n(smoke run: tiny sizes, no targets checked)\n';
  for (const n of r.notes ?? []) s += `note: ${n}\n`;
  return s;
}

export function renderMarkdown(r) {
  let s = '';
  for (const sec of sections(r)) s += `### ${sec.title}\n\n${markdownTable(sec.rows)}\n\n`;
  if (r.targets?.length) s += `### Targets\n\n${markdownTable(targetRows(r))}\n\n`;
  for (const n of r.notes ?? []) s += `Note: ${n}\n\n`;
  return s;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2] ?? join(BENCH, 'results.json');
  process.stdout.write(renderMarkdown(JSON.parse(readFileSync(file, 'utf8'))));
}
