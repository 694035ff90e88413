// `tanzhen diff`, `tanzhen report A B` and `tanzhen run --baseline`: the
// statistics on synthetic runs with known shifts (seeded), then the real CLI
// on synthetic and real runs, every usage error, and the CI recipe of
// docs/ci.md on a fixture made slower on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fixture, probe, tanzhen, tempDir } from './helpers.mjs';
import { draw, random, summaryOf, writeRun } from './diff-synthetic.mjs';

const { brunnerMunzel, typicalChange } = await import('../dist/report/diff/stats.js');
const { compareRuns } = await import('../dist/report/diff/compare.js');

/** One line on stderr, exit 2, no stack trace, nothing on stdout. */
function assertUsageError(r, pattern) {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('usage:')).length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stdout, '');
}

test('Brunner–Munzel on binned counts: the p-values of SciPy 1.17 (scipy.stats.brunnermunzel on the expanded samples)', () => {
  const a = [[0, 10], [1, 20], [2, 5], [4, 1]];
  const b = [[1, 8], [2, 15], [3, 9], [4, 4]];
  // x = [k for k, n in a for _ in range(n)] etc.; brunnermunzel(x, y).pvalue
  assert.ok(Math.abs(brunnerMunzel(a, b).p - 4.1872862924479916e-12) / 4.1872862924479916e-12 < 1e-6, String(brunnerMunzel(a, b).p));
  const c = [[5, 40], [6, 3]];
  const d = [[5, 38], [6, 6]];
  assert.ok(Math.abs(brunnerMunzel(c, d).p - 0.3120211564731867) < 1e-9, String(brunnerMunzel(c, d).p));
  // Each side in one bucket: the same one (no evidence), or apart.
  assert.equal(brunnerMunzel([[3, 50]], [[3, 60]]).p, 1);
  assert.equal(brunnerMunzel([[3, 50]], [[9, 60]]).p, 0);
  assert.ok(Math.abs(typicalChange([[3000, 100]], [[3000, 100]])) < 0.02);
});

test('synthetic runs: a 10% shift of 10 000 calls is found, identical runs are not told apart; false-positive rate printed', () => {
  const rand = random(20261202);
  const PAIRS = 200;
  let wrong = 0;
  let below05 = 0;
  let found = 0;
  let maxShift = 0;
  for (let i = 0; i < PAIRS; i++) {
    const base = { label: 'base', summary: summaryOf([{ name: 'f', durations: draw(rand) }]) };
    const same = { label: 'same', summary: summaryOf([{ name: 'f', durations: draw(rand) }]) };
    const r = compareRuns(base, same).functions[0];
    if (r.verdict !== 'unchanged') wrong++;
    if (r.p < 0.05) below05++;
    maxShift = Math.max(maxShift, Math.abs(r.change.shift));
    if (i < 50) {
      const slower = { label: 'slower', summary: summaryOf([{ name: 'f', durations: draw(rand, { scale: 1.1 }) }]) };
      const s = compareRuns(base, slower).functions[0];
      if (s.verdict === 'slower' && Math.abs(s.change.shift - 0.1) < 0.03) found++;
    }
  }
  console.log(`# identical synthetic pairs: ${wrong}/${PAIRS} not "unchanged" (false positives), p < 0.05 in ${below05}/${PAIRS} (a calibrated test: ~5%), largest |typical change| ${(maxShift * 100).toFixed(1)}%; 10% shift found in ${found}/50`);
  assert.equal(found, 50, 'every 10% shift found, with its size');
  assert.ok(wrong <= 2, `${wrong} false positives in ${PAIRS}`);
  // The p-values themselves are calibrated (binned ties and all): about 5% below 0.05, not 0 and not 30%.
  assert.ok(below05 >= 2 && below05 <= 22, `${below05}/${PAIRS} below 0.05`);
});

/** Three synthetic out directories: base, an identical-distribution rerun, and one whose `work` is 10% slower. */
function syntheticRuns() {
  const rand = random(42);
  const dir = tempDir('tz-diff-');
  const run = (name, scale, extra = []) =>
    writeRun(path.join(dir, name), summaryOf([{ name: 'work', durations: draw(rand, { scale }) }, { name: 'steady', durations: draw(rand, { medianNs: 2e5 }) }, ...extra]));
  return {
    dir,
    base: run('base', 1, [{ name: 'old', durations: draw(rand, { calls: 500 }) }, { name: 'rare', durations: draw(rand, { calls: 5 }) }]),
    same: run('same', 1, [{ name: 'old', durations: draw(rand, { calls: 500 }) }, { name: 'rare', durations: draw(rand, { calls: 5 }) }]),
    slower: run('slower', 1.1, [{ name: 'fresh', durations: draw(rand, { calls: 500 }), errors: 2 }, { name: 'rare', durations: draw(rand, { calls: 5 }) }]),
  };
}

test('tanzhen diff: table sorted by impact, --json (versioned schema), --markdown, --fail-on exit codes', async () => {
  const runs = syntheticRuns();
  const table = await tanzhen(['diff', runs.base, runs.slower]);
  assert.equal(table.code, 0, table.stderr);
  const rows = table.stdout.split('\n');
  assert.match(rows[0], /1 slower, 1 new, 1 gone, 1 unchanged, 1 too few calls/);
  assert.match(rows[1], /^function\s+verdict\s+calls\s+p50\s+p95\s+p99\s+mean$/);
  assert.match(rows[2], /^work \(\/synthetic\.js\)\s+slower\s+10000 → 10000\s+\S+ ms → \S+ ms \+\d/);
  assert.match(table.stdout, /fresh .* new .* - → 500/);
  assert.match(table.stdout, /old .* gone .* 500 → -/);
  assert.match(table.stdout, /rare .* too few calls/);
  console.log(table.stdout);

  const json = JSON.parse((await tanzhen(['diff', runs.base, runs.slower, '--json'])).stdout);
  assert.equal(json.version, 1);
  assert.deepEqual(Object.keys(json.functions[0]).slice(0, 6), ['target', 'name', 'file', 'base', 'head', 'verdict']);
  const work = json.functions.find((f) => f.name === 'work');
  assert.equal(work.verdict, 'slower');
  assert.deepEqual(Object.keys(work.base), ['calls', 'timed', 'errors', 'meanMs', 'p50Ms', 'p95Ms', 'p99Ms']);
  assert.ok(work.change.shift > 0.07 && work.change.shift < 0.13, JSON.stringify(work.change));
  assert.ok(work.p < 1e-10 && work.probabilitySlower > 0.55);
  assert.equal(json.functions.find((f) => f.name === 'steady').verdict, 'unchanged');

  const markdown = await tanzhen(['diff', runs.base, runs.slower, '--markdown', '--fail-on', 'p50>5%']);
  assert.equal(markdown.code, 1);
  assert.match(markdown.stdout, /^<!-- tanzhen-diff -->\n### tanzhen diff: 1 slower/);
  assert.match(markdown.stdout, /\*\*Regression\*\*/);
  assert.match(markdown.stdout, /\n\| function \| verdict \| calls \| p50 \| p95 \| p99 \| mean \|\n\| --- \| --- \| ---: \|/);
  assert.match(markdown.stdout, /\| work \(\/synthetic\.js\) \| \*\*slower\*\* \|/);

  // --fail-on: significantly worse by more than the threshold → 1; by less, or not significantly → 0.
  const cases = [
    [runs.slower, 'p50>5%', 1],
    [runs.slower, 'p95 > 5% , p99>500%', 1],
    [runs.slower, 'p50>20%', 0],
    [runs.slower, 'mean>0.05ms', 1],
    [runs.slower, 'errors>0', 1], // the new function `fresh` has 2 errors
    [runs.slower, 'errors>5', 0],
    [runs.same, 'p50>1%,p95>1%,p99>1%,mean>1%,errors>0', 0],
  ];
  for (const [head, rule, code] of cases) {
    const r = await tanzhen(['diff', runs.base, head, '--fail-on', rule]);
    assert.equal(r.code, code, `${rule}: ${r.stdout}${r.stderr}`);
    if (code === 1) assert.match(r.stderr, /^tanzhen: regression: \S+ \(\/synthetic\.js\): /m);
    else assert.equal(r.stderr, '');
  }
  // A summary.json file works as well as its directory.
  const file = await tanzhen(['diff', path.join(runs.base, 'summary.json'), runs.same, '--json']);
  assert.equal(JSON.parse(file.stdout).functions.find((f) => f.name === 'work').verdict, 'unchanged');
});

test('tanzhen diff --markdown: at most 20 unchanged rows (a comment has a size limit), every changed one', async () => {
  const rand = random(5);
  const dir = tempDir('tz-diff-');
  const many = Array.from({ length: 25 }, (_, i) => ({ name: `f${i}`, durations: draw(rand, { calls: 100 }) }));
  const base = writeRun(path.join(dir, 'base'), summaryOf(many));
  const head = writeRun(path.join(dir, 'head'), summaryOf([...many, { name: 'added', durations: draw(rand, { calls: 100 }) }]));
  const r = await tanzhen(['diff', base, head, '--markdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => / \| unchanged \| /.test(l)).length, 20);
  assert.match(r.stdout, /\| added \(\/synthetic\.js\) \| new \|/);
  assert.match(r.stdout, /…and 5 more functions unchanged/);
});

test('tanzhen diff: usage errors are one line and exit 2', async () => {
  const runs = syntheticRuns();
  for (const expr of ['p95>10', 'p95>>10%', 'p90>10%', 'latency>1ms', 'errors>1ms', 'p95>10%,', 'p95<10%']) {
    assertUsageError(await tanzhen(['diff', runs.base, runs.same, '--fail-on', expr]), /^tanzhen: --fail-on: /);
  }
  assertUsageError(await tanzhen(['diff', runs.base, path.join(runs.dir, 'nope')]), /nope: no such file or directory/);
  assertUsageError(await tanzhen(['diff', runs.base]), /diff needs two runs/);
  assertUsageError(await tanzhen(['diff', runs.base, runs.same, runs.slower]), /unexpected argument/);
  assertUsageError(await tanzhen(['diff', runs.base, runs.same, '--json', '--markdown']), /one or the other/);
  assertUsageError(await tanzhen(['diff', runs.base, runs.same, '--alpha', '2']), /--alpha takes a significance level/);
  assertUsageError(await tanzhen(['diff', runs.base, runs.same, '--bogus']), /unknown option --bogus/);
  const empty = tempDir('tz-diff-');
  assertUsageError(await tanzhen(['diff', runs.base, empty]), /holds no tanzhen results/);
  const broken = tempDir('tz-diff-');
  writeFileSync(path.join(broken, 'summary.json'), '{"version": 1, "functions": [');
  assertUsageError(await tanzhen(['diff', runs.base, broken]), /cannot read .*summary\.json: .*JSON/);
  const unreadable = tempDir('tz-diff-');
  mkdirSync(path.join(unreadable, 'summary.json'));
  assertUsageError(await tanzhen(['diff', runs.base, unreadable]), /cannot read .*summary\.json: E[A-Z]+/);
  const other = tempDir('tz-diff-');
  writeFileSync(path.join(other, 'summary.json'), '{"hello": 1}');
  assertUsageError(await tanzhen(['diff', runs.base, other]), /not a tanzhen summary\.json/);
  const old = JSON.parse(readFileSync(path.join(runs.same, 'summary.json'), 'utf8'));
  for (const f of old.functions) delete f.histogram;
  const oldDir = writeRun(path.join(runs.dir, 'old'), old);
  assertUsageError(await tanzhen(['diff', runs.base, oldDir]), /no latency histograms/);
});

const BENCH = fixture('diff/bench.js');
const TARGETS = ['-t', `${BENCH}:work`, '-t', `${BENCH}:steady`];

test('tanzhen report A B merges runs: calls add, histograms add bucket by bucket; a directory of runs is its runs', async () => {
  const runs = tempDir('tz-runs-');
  const run = async (name, calls) => {
    const r = await tanzhen(['run', '-q', '--out', path.join(runs, name), '-t', `${BENCH}:work`, '--', 'node', BENCH], { env: { CALLS: calls } });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(readFileSync(path.join(runs, name, 'summary.json'), 'utf8'));
  };
  const [sa, sb] = [await run('1', '300'), await run('2', '200')];
  const merged = await tanzhen(['report', path.join(runs, '1'), path.join(runs, '2'), '--json']);
  assert.equal(merged.code, 0, merged.stderr);
  const summary = JSON.parse(merged.stdout);
  const [fa, fb, fm] = [sa, sb, summary].map((s) => s.functions.find((f) => f.name === 'work'));
  assert.equal(fm.calls, 500);
  assert.equal(summary.processes.length, 2);
  const sum = new Map(fa.histogram);
  for (const [k, c] of fb.histogram) sum.set(k, (sum.get(k) ?? 0) + c);
  assert.deepEqual(fm.histogram, [...sum].sort((x, y) => x[0] - y[0]));
  assert.ok(fm.p50Ms >= Math.min(fa.p50Ms, fb.p50Ms) && fm.p50Ms <= Math.max(fa.p50Ms, fb.p50Ms));
  assert.equal(fm.maxMs, Math.max(fa.maxMs, fb.maxMs));
  const whole = JSON.parse((await tanzhen(['report', runs, '--json'])).stdout);
  assert.deepEqual(whole.functions, summary.functions);
  const table = await tanzhen(['report', path.join(runs, '1'), path.join(runs, '2', 'summary.json')]);
  assert.match(table.stderr, /work .*\s500\s/);
  assertUsageError(await tanzhen(['report', runs, path.join(runs, 'nope')]), /no such file or directory/);
});

test('tanzhen run --baseline: the diff on stderr at the end, stdout the program’s, --fail-on gates a successful run only', async () => {
  const base = await probe([], ['node', BENCH], { extra: [...TARGETS, '-q'] });
  assert.equal(base.code, 0, base.stderr);
  const slower = await tanzhen(['run', '-q', ...TARGETS, '--baseline', base.out, '--fail-on', 'p50>30%', '--', 'node', BENCH], { env: { WORK_FACTOR: '3' } });
  assert.equal(slower.code, 1, slower.stderr);
  assert.equal(slower.stdout, 'done true\n');
  assert.match(slower.stderr, /tanzhen diff: .*\(base .*, head this run\)/);
  assert.match(slower.stderr, /work \(.*bench\.js\)\s+slower/);
  assert.match(slower.stderr, /tanzhen: regression: work .*: p50>30%/);
  // The program's own failure wins over the gate: its exit code, not 1.
  const failing = await tanzhen(['run', '-q', ...TARGETS, '--baseline', base.out, '--fail-on', 'p50>30%', '--', 'node', '-e', `require(${JSON.stringify(BENCH)}); process.exitCode = 3`], { env: { WORK_FACTOR: '3' } });
  assert.equal(failing.code, 3, failing.stderr);
  assert.match(failing.stderr, /regression/);
  // A baseline that cannot be used stops the launcher before the program starts.
  assertUsageError(await tanzhen(['run', ...TARGETS, '--baseline', path.join(base.out, 'nope'), '--', 'node', BENCH]), /nope: no such file or directory/);
  assertUsageError(await tanzhen(['run', ...TARGETS, '--baseline', base.out, '--fail-on', 'p95', '--', 'node', BENCH]), /--fail-on: cannot read "p95"/);
  assertUsageError(await tanzhen(['run', ...TARGETS, '--fail-on', 'p95>10%', '--', 'node', BENCH]), /--fail-on needs --baseline/);
});

test('the CI recipe of docs/ci.md: repeated, interleaved runs; a change that makes work 3x slower fails the job, identical runs pass', async () => {
  const dir = tempDir('tz-ci-');
  // The same commands as the workflow: the benchmark through tanzhen into runs/<side>/<i>, base and head in turn, then the gate.
  const bench = (side, i, env) => tanzhen(['run', '--quiet', '--out', `runs/${side}/${i}`, ...TARGETS, '--', 'node', BENCH], { cwd: dir, env });
  // Three of each, as docs/ci.md: with two, the t-test across runs has 2 degrees of freedom and one
  // noisy run on a loaded machine hid a 3x slowdown (p50 116 µs → 317 µs judged "unchanged").
  for (const i of [1, 2, 3]) {
    for (const [side, env] of [['base', {}], ['same', {}], ['slower', { WORK_FACTOR: '3' }]]) {
      const r = await bench(side, i, env);
      assert.equal(r.code, 0, r.stderr);
    }
  }
  const gate = (head) => tanzhen(['diff', 'runs/base', `runs/${head}`, '--markdown', '--fail-on', 'p50>25%,errors>0'], { cwd: dir });
  const same = await gate('same');
  console.log(same.stdout);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /No regression/);
  assert.match(same.stdout, /base runs\/base \(3 runs\), head runs\/same \(3 runs\)/);
  const slower = await gate('slower');
  console.log(slower.stdout);
  assert.equal(slower.code, 1, slower.stdout + slower.stderr);
  assert.match(slower.stdout, /\*\*Regression\*\*[^]*\| work \(.*bench\.js\) \| \*\*slower\*\* \| 6000 → 6000 \|/);
  assert.match(slower.stdout, /\| steady \(.*bench\.js\) \| unchanged \|/);
  const json = JSON.parse((await tanzhen(['diff', 'runs/base', 'runs/slower', '--json'], { cwd: dir })).stdout);
  assert.deepEqual(json.runs, { base: 3, head: 3 });
  assert.ok(json.functions[0].pRuns < 0.01, JSON.stringify(json.functions[0]));
});
