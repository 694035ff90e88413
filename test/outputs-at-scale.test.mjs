// Outputs of a run with thousands of functions: the terminal table lists the
// top rows and counts the rest (`--top`, `--sort` on run and report), JSON is
// written in bounded chunks, and report.html of 20 000 functions over a deep
// and wide call tree is streamed to its file, never held as one string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bin, fixture, node, probe, root, tanzhen, tempDir } from './helpers.mjs';
import { writeBigRun } from './big-run.mjs';
import { spawnSync } from 'node:child_process';

const cwd = fixture('table');

/** The function rows of a table on stderr (between the header and the lines after it). */
function rows(stderr) {
  const lines = stderr.split('\n');
  const header = lines.findIndex((l) => /^function\s+calls\s+errors/.test(l));
  if (header < 0) return [];
  const out = [];
  for (const line of lines.slice(header + 1)) {
    if (!/^\S.*\(.*\)\s+\d+\s+\d+\s/.test(line)) break;
    out.push(line);
  }
  return out;
}
const names = (stderr) => rows(stderr).map((l) => l.split(' ')[0]);

function report(dir, ...args) {
  const r = spawnSync(node, [bin, 'report', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('run: the top 25 called functions, a line for the rest, never-called ones only counted', async () => {
  const r = await tanzhen(['run', '-t', './app.js:*', '--', 'node', 'app.js'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /40 functions probed in 1 process/);
  const listed = names(r.stderr);
  assert.equal(listed.length, 25, r.stderr);
  assert.ok(listed.every((n) => Number(n.slice(1)) < 30), 'no never-called function listed');
  assert.match(r.stderr, /^… 5 more functions; --top N or --top all$/m);
  assert.match(r.stderr, /^10 probed functions were never called$/m);
});

test('run --top 3 --sort calls --out: the three most called, and where the rest are', async () => {
  const r = await probe(['./app.js:*'], ['node', 'app.js'], { cwd, extra: ['--top', '3', '--sort', 'calls'] });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(names(r.stderr), ['f29', 'f28', 'f27']);
  assert.match(r.stderr, /^… 27 more functions \(summary\.json, report\.html\); --top N or --top all$/m);
  assert.equal(r.summary.functions.length, 40, 'summary.json keeps every function');
  const all = await tanzhen(['run', '--top=all', '-t', './app.js:*', '--', 'node', 'app.js'], { cwd });
  assert.equal(names(all.stderr).length, 30);
  assert.doesNotMatch(all.stderr, /more function/);
});

test('report A B merges two runs and writes no file: its "more" line names none', async () => {
  const a = await probe(['./app.js:*'], ['node', 'app.js'], { cwd, extra: ['-q'] });
  const b = await probe(['./app.js:*'], ['node', 'app.js'], { cwd, extra: ['-q'] });
  const one = report(a.out);
  assert.match(one.stderr, /^… 5 more functions \(summary\.json, report\.html\); --top N or --top all$/m);
  const merged = spawnSync(node, [bin, 'report', a.out, b.out], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' } });
  assert.equal(merged.status, 0, merged.stderr);
  assert.match(merged.stderr, /^… 5 more functions; --top N or --top all$/m);
});

test('report DIR of 10 000 functions: --top and --sort order and cut the table', () => {
  const dir = writeBigRun(tempDir(), { functions: 10_000, called: 3_000 });
  const plain = report(dir);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /10000 functions probed in 1 process/);
  assert.equal(rows(plain.stderr).length, 25);
  assert.match(plain.stderr, /^… 2975 more functions \(summary\.json, report\.html\); --top N or --top all$/m);
  assert.match(plain.stderr, /^7000 probed functions were never called$/m);
  assert.ok(plain.stderr.split('\n').length < 40, 'a table people can read');

  const summary = JSON.parse(report(dir, '--json').stdout);
  const called = summary.functions.filter((f) => f.calls > 0);
  for (const [sort, key] of [['calls', 'calls'], ['self', 'selfMs'], ['p99', 'p99Ms'], ['errors', 'errors'], ['total', 'totalMs']]) {
    const r = report(dir, '--sort', sort, '--top', '5');
    assert.equal(r.code, 0, r.stderr);
    const listed = rows(r.stderr).map((l) => l.split(' ')[0]);
    const best = Math.max(...called.map((f) => f[key]));
    assert.equal(summary.functions.find((f) => f.name === listed[0])[key], best, `--sort ${sort}`);
    const figures = listed.map((n) => summary.functions.find((f) => f.name === n)[key]);
    assert.deepEqual(figures, [...figures].sort((a, b) => b - a), `--sort ${sort}: largest first`);
  }
  assert.equal(rows(report(dir, '--top', 'all').stderr).length, 3000);
});

test('bad --top and --sort values: one clear line, exit 2', async () => {
  const dir = tempDir();
  for (const [args, message] of [
    [['--top', '0'], /^tanzhen: --top takes a number of functions \(1 or more\) or "all", not "0"\n$/],
    [['--top=-3'], /^tanzhen: --top takes a number of functions \(1 or more\) or "all", not "-3"\n$/],
    [['--top', '2.5'], /not "2\.5"\n$/],
    [['--top', 'lots'], /not "lots"\n$/],
    [['--sort', 'mean'], /^tanzhen: --sort takes one of total, self, calls, p99, errors, not "mean"\n$/],
    [['--sort='], /not ""\n$/],
  ]) {
    const viaReport = report(dir, ...args);
    assert.equal(viaReport.code, 2, args.join(' '));
    assert.match(viaReport.stderr, message);
    const viaRun = await tanzhen(['run', ...args, '-t', './app.js:f0', '--', 'node', 'app.js'], { cwd });
    assert.equal(viaRun.code, 2, args.join(' '));
    assert.match(viaRun.stderr, message);
    assert.equal(viaRun.stdout, '', 'the program did not run');
  }
});

test('writeJson: JSON.stringify\'s text, in chunks of bounded size, at any depth (unit)', async () => {
  const { writeJson, stringifyJson } = await import(path.join(root, 'dist/common/json.js'));
  const long = 'x'.repeat(5000);
  const value = { list: Array.from({ length: 20_000 }, (_, i) => ({ i, name: `f${i}`, nested: [i, { deep: [null, true, 'q"\n\u2028'] }], skip: undefined })), long, empty: [], none: {} };
  for (const indent of [0, 2]) {
    const chunks = [];
    writeJson((c) => chunks.push(c), value, indent);
    assert.equal(chunks.join(''), JSON.stringify(value, null, indent));
    assert.ok(chunks.length > 10, `${chunks.length} chunks`);
    // A chunk ends at the first piece that passes 64 K characters: never more than one piece (at most the long string) over it.
    assert.ok(Math.max(...chunks.map((c) => c.length)) < 65536 + long.length + 16);
    assert.equal(stringifyJson(value, indent), chunks.join(''));
  }
  let deep = { children: [] };
  const top = deep;
  for (let i = 0; i < 200_000; i++) deep = deep.children[0] = { n: i, children: [] };
  let size = 0;
  let biggest = 0;
  writeJson((c) => ((size += c.length), (biggest = Math.max(biggest, c.length))), top, 2);
  assert.ok(size > 4_000_000 && biggest < 70_000, `${size} characters, largest chunk ${biggest}`);
});

test('report.html of 20 000 functions and a call tree 20 000 deep and 8 000 wide: streamed to its file', async () => {
  const dir = writeBigRun(tempDir(), { functions: 20_000, called: 8_000, depth: 20_000, width: 20_000 });
  const { readProcessReports: readReports } = await import(path.join(root, 'dist/common/run-dir/reports.js'));
  const { buildSummary } = await import(path.join(root, 'dist/report/summary.js'));
  const { renderHtmlTo, writeHtmlReport } = await import(path.join(root, 'dist/report/html/render.js'));
  const reports = readReports(dir);
  const summary = buildSummary(reports, { command: ['node', 'app.js'], exitCode: 0, targets: ['./src/**/*.js:*'] });
  const now = new Date(0);
  let size = 0;
  let biggest = 0;
  renderHtmlTo((c) => ((size += c.length), (biggest = Math.max(biggest, c.length))), summary, reports, { cwd: '/work/app', now });
  assert.ok(biggest < 200_000 && size > 20 * biggest, `${size} characters in pieces of at most ${biggest}`);

  const started = performance.now();
  writeHtmlReport(dir, summary, reports, { cwd: '/work/app', now });
  console.log(`report.html of 20 000 functions: ${(readFileSync(path.join(dir, 'report.html')).length / 1e6).toFixed(1)} MB written in ${Math.round(performance.now() - started)} ms`);
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.equal(html.length, size);
  const data = JSON.parse(html.slice(html.indexOf('id="tanzhen-data">') + 18, html.indexOf('</script>')));
  assert.equal(data.functions.length, 20_000);
  assert.equal(data.functions.filter((f) => f.calls > 0).length, 8_000);
  assert.equal(data.tree.length, 8_000, 'top-level callers merged by function');
  let node = data.tree[0];
  let depth = 1;
  while (node.children.length > 0) (node = node.children[0]), depth++;
  assert.equal(depth, 20_000);
});

test('writeFileStreamed: renamed into place only when whole; a failure midway leaves neither the file nor a temporary one (unit)', async () => {
  const { writeFileStreamed } = await import(path.join(root, 'dist/common/files.js'));
  const { readdirSync, writeFileSync } = await import('node:fs');
  const dir = tempDir();
  const file = path.join(dir, 'out.txt');
  writeFileStreamed(file, (write) => {
    for (let i = 0; i < 10_000; i++) write(`line ${i}\n`);
  });
  assert.equal(readFileSync(file, 'utf8').split('\n').length, 10_001);
  writeFileSync(path.join(dir, 'other.txt'), 'earlier');
  assert.throws(
    () =>
      writeFileStreamed(path.join(dir, 'other.txt'), (write) => {
        for (let i = 0; i < 100_000; i++) write(`line ${i}\n`); // several blocks already on disk
        throw new Error('renderer failed');
      }),
    /renderer failed/,
  );
  assert.equal(readFileSync(path.join(dir, 'other.txt'), 'utf8'), 'earlier', 'the earlier file stands, untouched');
  assert.deepEqual(readdirSync(dir).sort(), ['other.txt', 'out.txt']);
});
