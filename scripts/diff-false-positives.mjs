#!/usr/bin/env node
// How often `tanzhen diff` calls two runs of the same code different
// (docs/diff.md). Synthetic: pairs drawn from one distribution (the test's
// own false-positive rate, and its power on known shifts). Real: R identical
// runs of test/fixtures/diff/bench.js through the real CLI, every pair
// compared (run-to-run noise of this machine, which the test cannot know).
// Then the same for runs merged in groups (tanzhen report A B C), as a CI job
// that repeats its benchmark would compare them.
// With --factor F, the power instead: runs of bench.js and of bench.js with
// WORK_FACTOR=F, interleaved, compared group against group.
//   node scripts/diff-false-positives.mjs [--pairs 1000] [--runs 12] [--group 3] [--factor 1.1]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { draw, random, summaryOf } from '../test/diff-synthetic.mjs';
import { compareRuns, DEFAULTS } from '../dist/report/diff/compare.js';
import { applyFailOn, parseFailOn } from '../dist/report/diff/fail-on.js';
import { mergeSummaries } from '../dist/report/merge.js';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PAIRS = option('--pairs', 1000);
const RUNS = option('--runs', 12);
const GROUP = option('--group', 3);
const FACTOR = option('--factor', 0);
const RULES = ['p50>5%', 'p50>10%', 'p95>10%', 'p99>10%', 'mean>10%'];
const pct = (n, of) => `${((100 * n) / of).toFixed(1)}%`;

function synthetic() {
  const rand = random(1);
  const shapes = [
    ['10 000 calls, log-normal σ 0.25 + 2% slow tail', { calls: 10_000 }],
    ['1 000 calls, same shape', { calls: 1000 }],
    ['10 000 calls of ~80 ns (few, wide buckets: many ties)', { calls: 10_000, medianNs: 80, sigma: 0.1 }],
    ['100 calls, log-normal σ 1', { calls: 100, sigma: 1 }],
  ];
  console.log(`synthetic: ${PAIRS} pairs of identical runs per shape (α ${DEFAULTS.alpha}, min change ${DEFAULTS.minChange * 100}%)`);
  for (const [title, shape] of shapes) {
    let changed = 0;
    let significant = 0;
    let below05 = 0;
    const power = { 1.05: 0, 1.1: 0 };
    for (let i = 0; i < PAIRS; i++) {
      const base = { label: 'a', summary: summaryOf([{ name: 'f', durations: draw(rand, shape) }]) };
      const r = compareRuns(base, { label: 'b', summary: summaryOf([{ name: 'f', durations: draw(rand, shape) }]) }).functions[0];
      if (r.verdict !== 'unchanged') changed++;
      if (r.p < DEFAULTS.alpha) significant++;
      if (r.p < 0.05) below05++;
      if (i < 200) {
        for (const scale of [1.05, 1.1]) {
          const s = compareRuns(base, { label: 'c', summary: summaryOf([{ name: 'f', durations: draw(rand, { ...shape, scale }) }]) }).functions[0];
          if (s.verdict === 'slower') power[scale]++;
        }
      }
    }
    const tried = Math.min(PAIRS, 200);
    console.log(`  ${title}: verdict not "unchanged" ${pct(changed, PAIRS)}; p < ${DEFAULTS.alpha} ${pct(significant, PAIRS)}, p < 0.05 ${pct(below05, PAIRS)}; 5% shift found ${pct(power[1.05], tried)}, 10% shift ${pct(power[1.1], tried)}`);
  }
}

const bench = path.join(root, 'test/fixtures/diff/bench.js');

function benchRun(dir, name, factor = 1) {
  const out = path.join(dir, name);
  const r = spawnSync(process.execPath, [path.join(root, 'bin/tanzhen.js'), 'run', '-q', '-o', out, '-t', `${bench}:work`, '-t', `${bench}:steady`, '--', process.execPath, bench], {
    encoding: 'utf8',
    env: { ...process.env, WORK_FACTOR: String(factor) },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
}

function power() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tz-power-'));
  const base = [];
  const slower = [];
  for (let i = 0; i < RUNS; i++) {
    base.push(benchRun(dir, `base${i}`));
    slower.push(benchRun(dir, `slower${i}`, FACTOR));
  }
  rmSync(dir, { recursive: true, force: true });
  const tally = { single: 0, singleOf: 0, repeated: 0, repeatedOf: 0 };
  for (let i = 0; i < RUNS; i++) {
    tally.singleOf++;
    if (compareRuns({ label: 'a', summary: base[i] }, { label: 'b', summary: slower[i] }).functions.find((f) => f.name === 'work').verdict === 'slower') tally.single++;
  }
  for (let g = 0; g + GROUP <= RUNS; g += GROUP) {
    const [a, b] = [base.slice(g, g + GROUP), slower.slice(g, g + GROUP)];
    tally.repeatedOf++;
    const fn = compareRuns({ label: 'a', summary: mergeSummaries(a), runs: a }, { label: 'b', summary: mergeSummaries(b), runs: b }).functions.find((f) => f.name === 'work');
    if (fn.verdict === 'slower') tally.repeated++;
  }
  console.log(`power: work made ${FACTOR}x slower (WORK_FACTOR), ${RUNS} runs of each interleaved: found slower in ${tally.single}/${tally.singleOf} single pairs, ${tally.repeated}/${tally.repeatedOf} groups of ${GROUP} runs`);
}

function real() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tz-noise-'));
  const summaries = [];
  for (let i = 0; i < RUNS; i++) summaries.push(benchRun(dir, `run${i}`));
  rmSync(dir, { recursive: true, force: true });
  console.log(`real: ${RUNS} identical runs of test/fixtures/diff/bench.js (2 functions × 2000 calls, node ${process.version})`);
  const pairs = [];
  for (let i = 0; i < RUNS; i++) for (let j = 0; j < RUNS; j++) if (i !== j) pairs.push([{ summary: summaries[i] }, { summary: summaries[j] }]);
  noise('  single runs, every ordered pair', pairs);
  if (GROUP > 1 && RUNS >= 2 * GROUP) {
    // Disjoint groups of consecutive runs, merged: (0 1 2) against (3 4 5), …
    const groups = [];
    for (let g = 0; g + GROUP <= RUNS; g += GROUP) groups.push(summaries.slice(g, g + GROUP));
    const merged = [];
    const repeated = [];
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        merged.push([{ summary: mergeSummaries(groups[i]) }, { summary: mergeSummaries(groups[j]) }]);
        repeated.push([{ summary: mergeSummaries(groups[i]), runs: groups[i] }, { summary: mergeSummaries(groups[j]), runs: groups[j] }]);
      }
    }
    noise(`  groups of ${GROUP} runs merged into one (report A B C), every ordered pair of groups`, merged);
    noise(`  groups of ${GROUP} runs as repeated runs (diff runs/base runs/head: the run-to-run t-test too)`, repeated);
  }
}

function noise(title, pairs) {
  const rules = parseFailOn(RULES.join(','));
  let comparisons = 0;
  let changed = 0;
  const broken = Object.fromEntries(RULES.map((r) => [r, 0]));
  const shifts = [];
  for (const [a, b] of pairs) {
    const report = compareRuns({ label: 'a', ...a }, { label: 'b', ...b });
    const failOn = applyFailOn(report, rules);
    for (const fn of report.functions) {
      comparisons++;
      if (fn.verdict !== 'unchanged') changed++;
      shifts.push(Math.abs(fn.change?.shift ?? 0));
      for (const rule of RULES) if (failOn.failed.some((f) => f.rule === rule && f.name === fn.name)) broken[rule]++;
    }
  }
  shifts.sort((a, b) => a - b);
  console.log(`${title}: ${comparisons} function comparisons`);
  console.log(`    verdict not "unchanged": ${pct(changed, comparisons)}; |typical change| median ${(100 * shifts[shifts.length >> 1]).toFixed(1)}%, max ${(100 * shifts[shifts.length - 1]).toFixed(1)}%`);
  console.log(`    --fail-on would fail: ${RULES.map((r) => `${r} ${pct(broken[r], comparisons)}`).join(', ')}`);
}

if (FACTOR) power();
else {
  synthetic();
  if (RUNS > 1) real();
}
