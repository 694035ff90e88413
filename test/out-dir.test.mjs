// The out directory on a shared machine (issue 11, items 1-3 and 12): a
// directory someone else made or can write to is refused; links planted in
// it are never followed; a directory holding the user's files is never
// emptied; one run at a time owns it; no path hangs the launcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fn, tanzhen, tempDir } from './helpers.mjs';

const root = process.getuid?.() === 0;
const linux = process.platform === 'linux';
const NOBODY = 65534;
const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;

/** A program dir: lib.js (work), lib.py (work), main.js calling work() `n` times. */
function program(main = "const { work } = require('./lib'); for (let i = 0; i < 10; i++) work();\n") {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'lib.js'), 'exports.work = function work() { return 1 };\n');
  writeFileSync(path.join(dir, 'lib.py'), 'def work():\n    return 1\n');
  writeFileSync(path.join(dir, 'main.js'), main);
  return dir;
}

const run = (out, cwd, extra = []) => tanzhen(['run', '-q', '--out', out, '-t', './lib.js:work', ...extra, '--', 'node', 'main.js'], { cwd });

function assertRefused(r, pattern) {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.equal(r.stdout, '', 'the program did not run');
}

/** A victim file: private, with known content. */
function victim(dir, name = 'victim') {
  const file = path.join(dir, name);
  writeFileSync(file, 'secret\n', { mode: 0o600 });
  return file;
}

test('an out directory owned by another user is refused, and nothing is written into it', { skip: !root && 'needs root to chown' }, async () => {
  const cwd = program();
  const out = path.join(tempDir(), 'shared');
  mkdirSync(out, { mode: 0o700 });
  chownSync(out, NOBODY, NOBODY);
  assertRefused(await run(out, cwd), /^tanzhen: --out .*shared: owned by another user \(uid 65534\)/);
  assert.deepEqual(readdirSync(out), []);
});

test('an out directory writable by group or others is refused, even our own (a shared /tmp/x)', async () => {
  const cwd = program();
  for (const mode of [0o777, 0o770, 0o702]) {
    const out = path.join(tempDir(), 'x');
    mkdirSync(out);
    chmodSync(out, mode);
    assertRefused(await run(out, cwd), /^tanzhen: --out .*x: writable by other users \(mode \d+\)/);
    assert.deepEqual(readdirSync(out), []);
  }
});

test('a symbolic link to the out directory owned by another user is refused', { skip: !root && 'needs root to lchown' }, async () => {
  const cwd = program();
  const parent = tempDir();
  const target = path.join(parent, 'mine');
  mkdirSync(target, { mode: 0o700 });
  const link = path.join(parent, 'x');
  symlinkSync(target, link);
  lchownSync(link, NOBODY, NOBODY);
  assertRefused(await run(link, cwd), /is a symbolic link owned by another user \(uid 65534\)/);
  assert.deepEqual(readdirSync(target), []);
});

test('an out directory under a directory everyone can write to without the sticky bit is refused', async () => {
  const cwd = program();
  const open = tempDir();
  chmodSync(open, 0o777);
  assertRefused(await run(path.join(open, 'out'), cwd), /is writable by everyone without the sticky bit/);
  assert.deepEqual(readdirSync(open), []);
});

test('links planted in the out directory are never followed: the agent’s report and span files (Node)', async () => {
  const cwd = program(`
const fs = require('fs'), path = require('path');
const dir = path.join(process.env.TANZHEN_OUT, 'processes');
for (const ext of ['spans', 'json', 'otel']) fs.symlinkSync(path.join(${JSON.stringify('VICTIMS')}, ext), path.join(dir, process.pid + '-0.' + ext));
const { work } = require('./lib'); for (let i = 0; i < 10; i++) work();
`);
  const victims = tempDir();
  const files = ['spans', 'json', 'otel'].map((ext) => victim(victims, ext));
  writeFileSync(path.join(cwd, 'main.js'), readFileSync(path.join(cwd, 'main.js'), 'utf8').replace('VICTIMS', victims));
  const out = path.join(tempDir(), 'out');
  const r = await run(out, cwd);
  assert.equal(r.code, 0, r.stderr);
  for (const file of files) assert.equal(readFileSync(file, 'utf8'), 'secret\n', `${file} was written through a link`);
  // The report replaced its link (rename), so the run still counts every call.
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(fn(summary, 'work').calls, 10);
});

test('links planted in the out directory are never followed: span and report files (Python)', { skip: !python && 'no python3' }, async () => {
  const cwd = program();
  const victims = tempDir();
  const files = ['spans', 'json'].map((ext) => victim(victims, ext));
  writeFileSync(
    path.join(cwd, 'main.py'),
    `import os
d = os.path.join(os.environ['TANZHEN_OUT'], 'processes')
for ext in ('spans', 'json'):
    os.symlink(os.path.join(${JSON.stringify(victims)}, ext), os.path.join(d, '%d-0.%s' % (os.getpid(), ext)))
import lib
for _ in range(10):
    lib.work()
`,
  );
  const out = path.join(tempDir(), 'out');
  const r = await tanzhen(['run', '-q', '--out', out, '-t', 'lib:work', '--', python, 'main.py'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  for (const file of files) assert.equal(readFileSync(file, 'utf8'), 'secret\n', `${file} was written through a link`);
  assert.match(r.stderr, /cannot write spans/);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(fn(summary, 'work').calls, 10);
});

test('links planted at the launcher’s file names are replaced, never followed', async () => {
  const cwd = program();
  const out = path.join(tempDir(), 'out');
  assert.equal((await run(out, cwd)).code, 0);
  const victims = tempDir();
  const names = ['summary.json', 'trace.json', 'report.html', 'run.json'];
  for (const name of names) {
    rmSync(path.join(out, name));
    symlinkSync(victim(victims, name), path.join(out, name));
  }
  const r = await run(out, cwd);
  assert.equal(r.code, 0, r.stderr);
  for (const name of names) {
    assert.equal(readFileSync(path.join(victims, name), 'utf8'), 'secret\n', name);
    assert.ok(lstatSync(path.join(out, name)).isFile(), `${name} is a file again`);
  }
});

test('--out . in a directory of the user’s files is refused; nothing of theirs is deleted or overwritten', async () => {
  const cwd = program();
  writeFileSync(path.join(cwd, 'trace.json'), 'my own trace\n');
  mkdirSync(path.join(cwd, 'processes'));
  writeFileSync(path.join(cwd, 'processes', 'notes.txt'), 'mine\n');
  const before = readdirSync(cwd).sort();
  assertRefused(await run('.', cwd), /^tanzhen: --out \.: not empty and not made by tanzhen/);
  assert.deepEqual(readdirSync(cwd).sort(), before);
  assert.equal(readFileSync(path.join(cwd, 'trace.json'), 'utf8'), 'my own trace\n');
  assert.equal(readFileSync(path.join(cwd, 'processes', 'notes.txt'), 'utf8'), 'mine\n');
});

test('a later run in our own directory removes only the files tanzhen wrote', async () => {
  const cwd = program();
  const out = path.join(tempDir(), 'out');
  const first = await run(out, cwd);
  assert.equal(first.code, 0, first.stderr);
  const firstReports = readdirSync(path.join(out, 'processes'));
  writeFileSync(path.join(out, 'notes.txt'), 'mine\n');
  writeFileSync(path.join(out, 'processes', 'keep.txt'), 'mine too\n');
  const second = await run(out, cwd);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(readFileSync(path.join(out, 'notes.txt'), 'utf8'), 'mine\n');
  assert.equal(readFileSync(path.join(out, 'processes', 'keep.txt'), 'utf8'), 'mine too\n');
  const now = readdirSync(path.join(out, 'processes'));
  for (const name of firstReports) assert.ok(!now.includes(name), `${name} of the first run is gone`);
  assert.equal(fn(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')), 'work').calls, 10);
  // A directory where one of our files belongs is not ours to remove.
  mkdirSync(path.join(out, 'trace.json.d'));
  mkdirSync(path.join(out, 'processes', '1-0.json'));
  assertRefused(await run(out, cwd), /^tanzhen: --out .*: processes\/1-0\.json is a directory tanzhen did not make/);
  assert.ok(existsSync(path.join(out, 'processes', '1-0.json')));
});

test('two runs on one --out: the second is refused while the first runs, whose figures stay exact', async () => {
  const cwd = program(`
const { work } = require('./lib'); for (let i = 0; i < 10; i++) work();
require('child_process').execFileSync(process.execPath, ['-e', "const { work } = require('./lib'); for (let i = 0; i < 10; i++) work()"]);
console.log('ready');
const timer = setInterval(() => { if (require('fs').existsSync('go')) clearInterval(timer) }, 20);
`);
  const out = path.join(tempDir(), 'out');
  let second;
  const first = await tanzhen(['run', '-q', '--out', out, '-t', './lib.js:work', '--', 'node', 'main.js'], {
    cwd,
    onSpawn: (child) => {
      child.stdout.on('data', async () => {
        if (second) return;
        second = run(out, cwd);
        await second;
        writeFileSync(path.join(cwd, 'go'), '');
      });
    },
  });
  assert.equal(first.code, 0, first.stderr);
  assertRefused(await second, /^tanzhen: --out .* is in use by another tanzhen run \(pid \d+\); wait for it to end or use another directory$/m);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(fn(summary, 'work').calls, 20);
  assert.equal(summary.processes.length, 2);
  assert.ok(!existsSync(path.join(out, '.tanzhen.lock')), 'the lock goes with the run');
});

test('a lock left by a run that died is taken over', async () => {
  const cwd = program();
  const out = path.join(tempDir(), 'out');
  assert.equal((await run(out, cwd)).code, 0);
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(path.join(out, '.tanzhen.lock'), `${dead}\n`);
  const r = await run(out, cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(path.join(out, '.tanzhen.lock')));
  // A lock file tanzhen did not write is left alone.
  writeFileSync(path.join(out, '.tanzhen.lock'), 'not a pid');
  assertRefused(await run(out, cwd), /\.tanzhen\.lock is not a lock tanzhen wrote/);
  // Nor is a link planted in its place followed.
  rmSync(path.join(out, '.tanzhen.lock'));
  const file = victim(tempDir());
  symlinkSync(file, path.join(out, '.tanzhen.lock'));
  assertRefused(await run(out, cwd), /\.tanzhen\.lock is not a lock tanzhen wrote/);
  assert.equal(readFileSync(file, 'utf8'), 'secret\n');
});

test('no --out path hangs the launcher: /proc/no-such/dir, a path through a file', { skip: !linux && 'uses /proc' }, async () => {
  const cwd = program();
  const started = Date.now();
  assertRefused(await tanzhen(['run', '--out', '/proc/no-such/dir', '-t', './lib.js:work', '--', 'node', 'main.js'], { cwd, timeout: 20_000 }), /^tanzhen: --out \/proc\/no-such\/dir: cannot create \/proc\/no-such \(ENOENT\)$/m);
  assert.ok(Date.now() - started < 10_000);
  assertRefused(await run('/dev/null/x', cwd), /^tanzhen: --out \/dev\/null\/x: (\/dev\/null is )?not a directory$/m);
  assertRefused(await run('lib.js', cwd), /^tanzhen: --out lib\.js: not a directory$/m);
});
