// Messages that tell the truth: "never loaded" only when the module was not
// loaded; otherwise what happened (killed before saving, could not write,
// could not parse). Every line of ours starts with `tanzhen:`. Spans dropped
// past --max-spans are said, with the option to raise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { bin, fixture, node, probe, tempDir } from './helpers.mjs';

const cwd = fixture('signals');
const extra = ['--flush-interval', '60000'];
const unmatched = (r) => r.summary.unmatched.map((u) => u.message).join('\n');

test('a module that was never loaded: "never loaded", on a line of ours', async () => {
  const r = await probe(['./work.js:tick'], ['node', '-e', '0'], { cwd, extra });
  assert.equal(unmatched(r), './work.js was never loaded by the program, so tick was not probed; if the program runs a bundle, build it with source maps');
  assert.match(r.stderr, /^tanzhen: unmatched \.\/work\.js:tick: \.\/work\.js was never loaded/m);
});

for (const [how, program, signal] of [
  ['SIGKILL', "require('./work').tick(); process.kill(process.pid, 'SIGKILL')", 'SIGKILL'],
  ['abort', "require('./work').tick(); process.abort()", 'SIGABRT'],
]) {
  test(`loaded, then the process is killed (${how}) before it saved its data: said so, not "never loaded"`, async () => {
    const r = await probe(['./work.js:tick'], ['node', '-e', program], { cwd, extra });
    assert.equal(r.signal, signal, r.stderr);
    assert.match(unmatched(r), new RegExp(`^no data for \\./work\\.js: process \\d+ was killed by ${signal} before it saved its data$`));
    assert.doesNotMatch(r.stderr, /never loaded/);
  });
}

test('a child process killed hard: named, and the parent’s figures still there', async () => {
  const program = "const c = require('child_process').spawnSync(process.execPath, ['-e', \"require('./work').tick(); process.kill(process.pid, 'SIGKILL')\"]); console.log(c.signal)";
  const r = await probe(['./work.js:tick'], ['node', '-e', program], { cwd, extra });
  assert.equal(r.code, 0, r.stderr);
  assert.match(unmatched(r), /^no data for \.\/work\.js: process \d+ ended \(killed or crashed\) before it saved its data$/);
});

test('loaded, but the report cannot be written (EFBIG): "could not write", not "never loaded"', { skip: process.platform !== 'linux' && 'bash ulimit' }, () => {
  const out = path.join(tempDir(), 'out');
  // The process report of big.js is ~100 KB: a 40 KB file limit fails it; run.json and the markers fit.
  const script = `ulimit -f 40; exec "${node}" "${bin}" run -o "${out}" -t "./big.js:*" -- "${node}" big-main.js`;
  const r = spawnSync('bash', ['-c', script], { cwd: fixture('faults'), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^tanzhen: unmatched \.\/big\.js:\*: no data for \.\/big\.js: process \d+ could not write to .*processes \(EFBIG\)$/m);
});

test('loaded, but it could not be parsed: said so', async () => {
  const dir = tempDir();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(dir, 'broken.js'), 'function f() { return 1 }\nmodule.exports = { f };\nlet = = 1;\n');
  const r = await probe(['./broken.js:f'], ['node', '-e', "try { require('./broken') } catch { console.log('threw') }"], { cwd: dir });
  assert.equal(r.stdout, 'threw\n');
  assert.equal(unmatched(r), './broken.js was loaded but could not be parsed, so f was not probed');
});

test('spans dropped past --max-spans: one line with the count and the option', async () => {
  const r = await probe(['./work.js:tick'], ['node', '-e', "const w = require('./work'); for (let i = 0; i < 30; i++) w.tick()"], { cwd, extra: ['-q', '--max-spans', '5'] });
  assert.equal(r.summary.droppedSpans, 25);
  assert.match(r.stderr, /^tanzhen: warning: 25 calls were counted but not kept as individual spans .*--max-spans N$/m);
  const within = await probe(['./work.js:tick'], ['node', '-e', "require('./work').tick()"], { cwd, extra: ['-q', '--max-spans', '5'] });
  assert.doesNotMatch(within.stderr, /max-spans/);
});
