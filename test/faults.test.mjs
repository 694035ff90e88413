// Fault injection: the disk filling up while the probe writes. Whatever
// fails, the program's output and exit status are unchanged, every file left
// in the out directory is whole (written to a temporary file, then renamed),
// and no file of an earlier run passes for this one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bin, fixture, node, tanzhen, tempDir } from './helpers.mjs';

const cwd = fixture('faults');
const linux = process.platform === 'linux';
const KB = 1024;

/** A tmpfs of `size` bytes, if this machine lets us mount one (root in a container usually can). */
const mounts = [];
function tmpfs(size) {
  const dir = tempDir('tz-tmpfs-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  mounts.push(dir);
  return dir;
}
after(() => {
  for (const dir of mounts) spawnSync('umount', [dir]);
});
const canMount = linux && process.getuid?.() === 0 && (() => {
  const dir = tmpfs(64 * KB);
  return dir !== undefined;
})();

/** `tanzhen run` through bash, so `ulimit -f` can cap every file the run writes (EFBIG: Node ignores SIGXFSZ). */
function run(args, { fileLimitKb } = {}) {
  const quoted = [node, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const limit = fileLimitKb ? `ulimit -f ${fileLimitKb}; ` : '';
  const r = spawnSync('bash', ['-c', `${limit}exec ${quoted}`], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function allFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Nothing torn, nothing half-written left behind, nothing of another run. */
function assertWhole(out, command) {
  for (const file of allFiles(out)) {
    const name = path.basename(file);
    assert.ok(!name.endsWith('.tmp'), `temporary file left behind: ${file}`);
    if (name.endsWith('.json')) assert.doesNotThrow(() => JSON.parse(readFileSync(file, 'utf8')), `${file} is torn`);
    if (name === 'report.html') assert.match(readFileSync(file, 'utf8'), /<\/html>\s*$/, `${file} is torn`);
  }
  const summary = path.join(out, 'summary.json');
  if (existsSync(summary)) assert.deepEqual(JSON.parse(readFileSync(summary, 'utf8')).command, command, 'summary.json is of another run');
}

function assertProgramUnchanged(r, bare) {
  assert.equal(r.code, bare.code, r.stderr);
  assert.equal(r.signal, null);
  assert.equal(r.stdout, bare.stdout);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, r.stderr);
}

const BIG = ['node', 'big-main.js'];
const bare = () => run(['run', '-q', '--', ...BIG]);

test('every file the probe writes capped by ulimit -f (EFBIG at each stage): program unchanged, no torn file', { skip: !linux && 'bash ulimit' }, () => {
  const expected = bare();
  assert.equal(expected.stdout, '135450\n');
  // The process report is ~100 KB, summary.json ~160 KB, trace.json and report.html ~125 KB each: each limit fails a later
  // stage (report.html, written last but smaller than summary.json, fails alone on the tmpfs below).
  for (const kb of [1, 40, 120]) {
    const out = path.join(tempDir(), 'out');
    const r = run(['run', '-q', '-o', out, '-t', './big.js:*', '--', ...BIG], { fileLimitKb: kb });
    assertProgramUnchanged(r, expected);
    assertWhole(out, BIG);
    assert.match(r.stderr, /tanzhen: warning: .*(EFBIG|file too large)/i, `${kb} KB: ${r.stderr}`);
    // `tanzhen report` on what was left: a table or one clean line.
    const report = run(['report', out]);
    assert.ok(report.code === 0 || report.code === 2, `${kb} KB: report ${report.code} ${report.stderr}`);
    assert.doesNotMatch(report.stderr, /\n\s+at /);
  }
});

test('the disk filling up (a tiny tmpfs): program unchanged, no torn file', { skip: !canMount && 'cannot mount a tmpfs here' }, () => {
  const expected = bare();
  // 500 KB: everything but report.html fits (processes/ ~150 KB, summary.json ~160 KB, trace.json ~120 KB, report.html ~125 KB).
  for (const size of [64 * KB, 160 * KB, 500 * KB]) {
    const disk = tmpfs(size);
    const out = path.join(disk, 'out');
    const r = run(['run', '-q', '-o', out, '-t', './big.js:*', '--', ...BIG]);
    assertProgramUnchanged(r, expected);
    assertWhole(out, BIG);
    assert.match(r.stderr, /ENOSPC|cannot use/, `${size}: ${r.stderr}`);
  }
});

test('a full disk never leaves an earlier run’s summary.json passing for this one', { skip: !canMount && 'cannot mount a tmpfs here' }, () => {
  const disk = tmpfs(900 * KB);
  const out = path.join(disk, 'out');
  const first = run(['run', '-q', '-o', out, '-t', './big.js:*', '--', ...BIG]);
  assert.equal(first.code, 0, first.stderr);
  assert.ok(existsSync(path.join(out, 'summary.json')));
  // Fill what is left.
  try {
    for (let i = 0; ; i++) writeFileSync(path.join(disk, `filler${i}`), Buffer.alloc(4 * KB));
  } catch (error) {
    assert.equal(error.code, 'ENOSPC');
  }
  const second = ['node', 'big-main.js', 'again'];
  const r = run(['run', '-q', '-o', out, '-t', './big.js:*', '--', ...second]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '135450\n');
  assertWhole(out, second);
});

test('the table still reaches stderr when summary.json cannot be written', { skip: !linux && 'bash ulimit' }, () => {
  const out = path.join(tempDir(), 'out');
  const r = run(['run', '-o', out, '-t', './big.js:*', '--', ...BIG], { fileLimitKb: 120 });
  assert.equal(r.code, 0);
  assert.match(r.stderr, /300 functions probed in 1 process/);
});
