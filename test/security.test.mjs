// What the probe must never do: listen, leak what it watches, evaluate
// configuration it was not explicitly asked to run, or write outside its out
// directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { bin, fn, node, probe, root, tanzhen, tempDir } from './helpers.mjs';

const linux = process.platform === 'linux';
const register = path.join(root, 'dist/agent/register.js');

/** Socket inodes of process `pid`. */
function socketInodes(pid) {
  const inodes = new Set();
  const dir = `/proc/${pid}/fd`;
  for (const fd of readdirSync(dir)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(path.join(dir, fd)));
      if (m) inodes.add(m[1]);
    } catch {}
  }
  return inodes;
}

/** The listening (or bound UDP) sockets among `inodes`, as "proto local-address" strings. */
function listeningSockets(inodes) {
  const found = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const file = `/proc/net/${proto}`;
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, , state, , , , , , inode] = cols.slice(1);
      const listening = proto.startsWith('udp') || state === '0A';
      if (listening && inodes.has(inode)) found.push(`${proto} ${local}`);
    }
  }
  for (const line of readFileSync('/proc/net/unix', 'utf8').trim().split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const flags = parseInt(cols[3], 16);
    if (flags & 0x10000 && inodes.has(cols[6])) found.push(`unix ${cols[7] ?? '(anonymous)'}`);
  }
  return found;
}

/** Runs a long-lived probed program, reads the listening sockets of every pid it prints, then stops it. */
async function socketsOf(program, targets) {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'lib.js'), 'exports.work = function work(n) { return n * 2 };\n');
  writeFileSync(path.join(dir, 'main.js'), program);
  writeFileSync(path.join(dir, 'worker.js'), "require('./lib').work(2); setInterval(() => {}, 1000);\n");
  let seen;
  const r = await probe(targets, ['node', 'main.js'], {
    cwd: dir,
    onSpawn: (child) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (!out.includes('ready\n') || seen) return;
        const pids = out.match(/^pid \d+$/gm).map((l) => l.slice(4));
        pids.push(String(child.pid));
        seen = Object.fromEntries(pids.map((pid) => [pid, listeningSockets(socketInodes(pid))]));
        child.kill('SIGTERM');
      });
    },
  });
  assert.equal(r.code, 0, r.stderr);
  return { seen, summary: r.summary };
}

const LONG_LIVED = `
const { work } = require('./lib');
const { Worker } = require('worker_threads');
const { spawn } = require('child_process');
work(1);
const w = new Worker('./worker.js');
const c = spawn(process.execPath, ['-e', "require('./lib').work(3); console.log('pid ' + process.pid); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
c.stdout.on('data', (d) => {
  process.stdout.write(d);
  setTimeout(() => console.log('pid ' + process.pid + '\\nready'), 200);
});
process.on('SIGTERM', () => { c.kill(); w.terminate(); process.exitCode = 0; });
`;

test('nothing listens: no probed process, worker or the launcher opens a listening socket', { skip: !linux && 'reads /proc' }, async () => {
  const { seen, summary } = await socketsOf(LONG_LIVED, ['./lib.js:work', 'fs:readFileSync', 'http:createServer', 'net:*']);
  assert.equal(Object.keys(seen).length, 3, 'launcher, program, child');
  for (const [pid, sockets] of Object.entries(seen)) assert.deepEqual(sockets, [], `pid ${pid} listens`);
  assert.ok(fn(summary, 'work').calls >= 1);
});

test('the socket check itself sees a program’s own server (positive control)', { skip: !linux && 'reads /proc' }, async () => {
  const program = `
    const http = require('http');
    const s = http.createServer(() => {}).listen(0, '127.0.0.1', () => console.log('pid ' + process.pid + '\\nready'));
    process.on('SIGTERM', () => s.close());
  `;
  const { seen } = await socketsOf(program, ['./lib.js:work', 'http:createServer']);
  const listening = Object.values(seen).flat();
  assert.equal(listening.length, 1, JSON.stringify(seen));
  assert.match(listening[0], /^tcp 0100007F:/);
});

test('--metrics-port listens on loopback only, in the launcher; the probed program still listens on nothing', { skip: !linux && 'reads /proc' }, async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'lib.js'), 'exports.work = function work(n) { return n * 2 };\n');
  writeFileSync(path.join(dir, 'main.js'), "require('./lib').work(1); console.log('pid ' + process.pid + '\\nready'); process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);\n");
  let seen;
  const r = await tanzhen(['run', '-q', '--metrics-port', '0', '-t', './lib.js:work', '--', 'node', 'main.js'], {
    cwd: dir,
    onSpawn: (child) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (!out.includes('ready\n') || seen) return;
        const program = /^pid (\d+)$/m.exec(out)[1];
        seen = { launcher: listeningSockets(socketInodes(child.pid)), program: listeningSockets(socketInodes(program)) };
        child.kill('SIGTERM');
      });
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(seen.program, []);
  assert.equal(seen.launcher.length, 1, JSON.stringify(seen));
  assert.match(seen.launcher[0], /^tcp 0100007F:/, 'bound to 127.0.0.1');
});

test('arguments, return values and thrown values are never recorded or printed', async () => {
  const dir = tempDir();
  writeFileSync(
    path.join(dir, 'lib.js'),
    `exports.login = function login(user, password) { return { token: 'RETURNED-' + password } };
exports.fail = function fail(secret) { throw new Error('THROWN-' + secret) };
exports.later = async function later(secret) { return 'RESOLVED-' + secret };\n`,
  );
  writeFileSync(
    path.join(dir, 'main.js'),
    `const l = require('./lib');
l.login('ada', 'hunter2-ARGUMENT');
try { l.fail('hunter2-ARGUMENT') } catch {}
l.later('hunter2-ARGUMENT').then(() => console.log('done'));\n`,
  );
  const r = await probe(['./lib.js:*', 'crypto:createHash'], ['node', 'main.js'], { cwd: dir, extra: ['--calls'] });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'done\n');
  assert.equal(fn(r.summary, 'fail').errors, 1);
  const everything = [r.stderr, ...allFiles(r.out).map((f) => readFileSync(f, 'utf8'))].join('\n');
  for (const secret of ['hunter2', 'RETURNED', 'THROWN', 'RESOLVED']) assert.ok(!everything.includes(secret), `${secret} leaked`);
});

test('the out directory and everything in it is private: nested --out paths, worker reports', async () => {
  const parent = tempDir();
  const out = path.join(parent, 'a', 'b', 'out');
  const dir = tempDir();
  writeFileSync(path.join(dir, 'lib.js'), 'exports.work = function work() { return 1 };\n');
  writeFileSync(path.join(dir, 'worker.js'), "require('./lib').work();\n");
  writeFileSync(path.join(dir, 'main.js'), "require('./lib').work(); new (require('worker_threads').Worker)('./worker.js');\n");
  const r = await tanzhen(['run', '-q', '--out', out, '-t', './lib.js:work', '--', 'node', 'main.js'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const check = (target) => {
    const mode = statSync(target).mode & 0o777;
    if (statSync(target).isDirectory()) assert.equal(mode, 0o700, `${target} is ${mode.toString(8)}`);
    else assert.equal(mode, 0o600, `${target} is ${mode.toString(8)}`);
  };
  for (const d of [path.join(parent, 'a'), path.join(parent, 'a', 'b'), out, path.join(out, 'processes')]) check(d);
  const files = allFiles(out);
  assert.ok(files.length >= 4, files.join());
  files.forEach(check);
});

test('under umask 000 the modes are the same', { skip: !linux && 'uses sh' }, async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'lib.js'), 'exports.work = function work() { return 1 };\n');
  const out = path.join(dir, 'out');
  const r = spawnSync('sh', ['-c', `umask 000 && exec "${node}" "${bin}" run -q -o out -t ./lib.js:work -- "${node}" -e "require('./lib').work()"`], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(statSync(out).mode & 0o777, 0o700);
  assert.equal(statSync(path.join(out, 'processes')).mode & 0o777, 0o700);
  for (const f of allFiles(out)) assert.equal(statSync(f).mode & 0o777, 0o600, f);
});

test('TANZHEN_TRACE is data: JavaScript in it is an invalid target for the launcher, a warning for the agent, and never runs', async () => {
  const dir = tempDir();
  const marker = path.join(dir, 'pwned');
  const payloads = [
    `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`,
    `./x.js:f;require('fs').writeFileSync(${JSON.stringify(marker)},'x')//:g`,
    `\${require('fs').writeFileSync(${JSON.stringify(marker)},'x')}:f`,
    `fs:readFileSync')+require('fs').writeFileSync(${JSON.stringify(marker)},'x')+('`,
    `./a.js:constructor.constructor('require("fs").writeFileSync(${JSON.stringify(marker)},"x")')()`,
    `__proto__:polluted`,
    `./a.js:__proto__.polluted`,
  ];
  writeFileSync(path.join(dir, 'a.js'), 'exports.f = function f() { return ({}).polluted === undefined ? "clean" : "polluted" };\n');
  writeFileSync(path.join(dir, 'main.js'), "console.log(require('./a').f(), ({}).polluted === undefined);\n");
  for (const payload of payloads) {
    const viaLauncher = await tanzhen(['run', '-q', '--', 'node', 'main.js'], { cwd: dir, env: { TANZHEN_TRACE: payload } });
    assert.ok(viaLauncher.code === 2 || viaLauncher.code === 0, `${payload}: ${viaLauncher.code} ${viaLauncher.stderr}`);
    if (viaLauncher.code === 2) assert.match(viaLauncher.stderr, /^tanzhen: (invalid target|target .*: no such file)/);
    else assert.equal(viaLauncher.stdout, 'clean true\n');
    assert.doesNotMatch(viaLauncher.stderr, /\n\s+at /);
    // The preload alone, reading the environment.
    const bare = spawnSync(node, ['--import', register, 'main.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, TANZHEN_TRACE: payload, TANZHEN_RUN: '' } });
    assert.equal(bare.status, 0, `${payload}: ${bare.stderr}`);
    assert.equal(bare.stdout, 'clean true\n');
    assert.doesNotMatch(bare.stderr, /\n\s+at /);
    assert.ok(!existsSync(marker), `${payload} was evaluated`);
  }
});

test('other TANZHEN_* variables are data too', async () => {
  const dir = tempDir();
  const marker = path.join(dir, 'pwned');
  writeFileSync(path.join(dir, 'a.js'), 'exports.f = function f() { return 1 };\n');
  const code = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`;
  const r = spawnSync(node, ['--import', register, '-e', "require('./a').f(); console.log('ran')"], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, TANZHEN_TRACE: './a.js:f', TANZHEN_CALLS: code, TANZHEN_CWD: code, TANZHEN_FLUSH_MS: code, TANZHEN_RUN: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ran\n');
  assert.ok(!existsSync(marker));
});

test('a JS config file runs only when named with -c; never from the working directory or package.json', async () => {
  const dir = tempDir();
  const marker = path.join(dir, 'config-ran');
  const js = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = { trace: ['./a.js:f'] };\n`;
  writeFileSync(path.join(dir, 'a.js'), 'exports.f = function f() { return 1 };\n');
  writeFileSync(path.join(dir, 'main.js'), "require('./a').f();\n");
  for (const name of ['tanzhen.config.js', 'tanzhen.config.cjs', 'tanzhen.config.mjs', 'tanzhen.config.ts', '.tanzhenrc.js']) {
    writeFileSync(path.join(dir, name), name.endsWith('.mjs') ? `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker)}, 'x'); export default { trace: ['./a.js:f'] };\n` : js);
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'commonjs', tanzhen: { trace: [], out: 'out' } }));
  const implicit = await probe([], ['node', 'main.js'], { cwd: dir });
  assert.equal(implicit.code, 0, implicit.stderr);
  assert.ok(!existsSync(marker), 'a config file ran without -c');
  assert.deepEqual(implicit.summary.functions, []);

  // A JSON file holding JavaScript is invalid JSON, not code.
  writeFileSync(path.join(dir, 'evil.json'), js);
  const asJson = await tanzhen(['run', '-c', 'evil.json', '--', 'node', 'main.js'], { cwd: dir });
  assert.equal(asJson.code, 2);
  assert.match(asJson.stderr, /^tanzhen: evil\.json:1:1: invalid JSON/);
  assert.ok(!existsSync(marker));

  // Named explicitly, it runs (that is what -c is for).
  const explicit = await probe([], ['node', 'main.js'], { cwd: dir, extra: ['-c', 'tanzhen.config.cjs'] });
  assert.equal(explicit.code, 0, explicit.stderr);
  assert.ok(existsSync(marker));
  assert.equal(fn(explicit.summary, 'f').calls, 1);
});

const WRITES = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/;
const strace = spawnSync('strace', ['-V']).status === 0;

/** Every path the command tree opened for writing, created, renamed, removed or chmod-ed (strace -y: fds print as N</path>). */
function writtenPaths(logFile, cwd) {
  const paths = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const call = /^\d+\s+(\w+)\((.*)\)\s+=\s+(-?\d+)/.exec(line);
    if (!call) continue;
    const [, name, args, result] = call;
    if (Number(result) < 0) continue;
    if ((name === 'openat' || name === 'open') && !WRITES.test(args)) continue;
    // Relative names of the *at calls resolve against the directory fd before them.
    let base = cwd;
    for (const [, fdPath, atCwd, string] of args.matchAll(/\d+<((?:[^>\\]|\\.)*)>|(AT_FDCWD)|"((?:[^"\\]|\\.)*)"/g)) {
      if (fdPath !== undefined) base = fdPath;
      else if (atCwd) base = cwd;
      else if (string !== undefined) paths.push(path.resolve(base, string));
    }
  }
  return paths;
}

test('nothing is written outside the out directory (strace of the whole process tree)', { skip: (!strace || !linux) && 'needs strace' }, async () => {
  const dir = tempDir();
  const home = tempDir();
  const tmp = tempDir();
  writeFileSync(path.join(dir, 'lib.js'), 'exports.work = function work() { return 1 };\n');
  writeFileSync(path.join(dir, 'lib.mjs'), 'export function esm() { return 2 }\n');
  writeFileSync(path.join(dir, 'worker.js'), "require('./lib').work();\n");
  writeFileSync(
    path.join(dir, 'main.js'),
    `const { work } = require('./lib'); work();
require('child_process').execFileSync(process.execPath, ['-e', "require('./lib').work()"]);
new (require('worker_threads').Worker)('./worker.js');
import('./lib.mjs').then((m) => m.esm());
require('fs').readFileSync(__filename);\n`,
  );
  const log = path.join(tmp, 'strace.log');
  const straced = (extra) =>
    new Promise((resolve) => {
      const child = spawn(
        'strace',
        ['-f', '-qq', '-y', '-o', log, '-e', 'trace=openat,open,creat,rename,renameat,renameat2,mkdir,mkdirat,unlink,unlinkat,rmdir,truncate,symlink,symlinkat,link,linkat,chmod,fchmodat', node, bin, 'run', '-q', ...extra, '-t', './lib.js:work', '-t', './lib.mjs:esm', '-t', 'fs:readFileSync', '--', 'node', 'main.js'],
        { cwd: dir, env: { ...process.env, HOME: home, TMPDIR: tmp, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  // The user cache directory (HOME/.cache/tanzhen: instrumented sources in rewrite/, the compiled agent and the
  // calibration, the launcher's compile cache in compile/) is the one place besides the out directory.
  const cache = path.join(home, '.cache', 'tanzhen');
  const inCache = (p) => [path.dirname(cache), cache].includes(p) || p.startsWith(cache + path.sep);
  const allowedSpecial = (p) => p.startsWith('/dev/') || p.startsWith('/proc/self/') || p === log || inCache(p);

  const out = path.join(dir, 'out');
  const withOut = await straced(['--out', out]);
  assert.equal(withOut.code, 0, withOut.stderr);
  const outside = writtenPaths(log, dir).filter((p) => !allowedSpecial(p) && !p.startsWith(out + path.sep) && p !== out);
  assert.deepEqual(outside, []);
  assert.ok(writtenPaths(log, dir).some((p) => p.startsWith(path.join(out, 'processes'))), 'strace saw the reports being written');

  // Without --out the launcher keeps its data in one private directory under TMPDIR, and removes it.
  const withoutOut = await straced([]);
  assert.equal(withoutOut.code, 0, withoutOut.stderr);
  const written = writtenPaths(log, dir).filter((p) => !allowedSpecial(p));
  const runDirs = new Set(written.map((p) => path.relative(tmp, p).split(path.sep)[0]));
  assert.equal(runDirs.size, 1, JSON.stringify(written));
  assert.match([...runDirs][0], /^tanzhen-/);
  assert.deepEqual(readdirSync(tmp).filter((f) => f !== 'strace.log'), [], 'the temporary run directory is removed');
  assert.deepEqual(readdirSync(home), ['.cache']);
  assert.deepEqual(readdirSync(path.join(home, '.cache')), ['tanzhen']);
  for (const entry of [cache, path.join(cache, 'rewrite')]) assert.equal(statSync(entry).mode & 0o777, 0o700, entry);
  for (const name of readdirSync(path.join(cache, 'rewrite'))) assert.equal(statSync(path.join(cache, 'rewrite', name)).mode & 0o777, 0o600, name);
  for (const name of readdirSync(cache)) {
    const mode = statSync(path.join(cache, name)).mode & 0o777;
    if (name === 'rewrite' || name === 'compile') assert.equal(mode, 0o700, name);
    else assert.ok(/^(?:agent-.*\.v8|calibration-.*\.json)$/.test(name) && mode === 0o600, `${name} ${mode.toString(8)}`);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['lib.js', 'lib.mjs', 'main.js', 'out', 'worker.js'].sort());
});

function allFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...allFiles(full));
    else files.push(full);
  }
  return files;
}
