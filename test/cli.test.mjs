// The launcher's user-facing paths: help, version, report, config sources,
// and every mistake a user can make, each a one-line message and exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bin, fixture, fn, node, probe, root, tanzhen, tempDir } from './helpers.mjs';

const hello = path.join(fixture('..'), '../examples/hello');

/** One line on stderr, no stack trace, exit 2, the program never ran. */
function assertUsageError(r, pattern) {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stdout, '', 'the program did not run');
}

test('--help and --version', async () => {
  const help = await tanzhen(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /tanzhen run \[options\]/);
  const version = await tanzhen(['--version']);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('the seed’s example: argv and output untouched, sleep timed', async () => {
  const r = await probe(['./hello.js:sleep'], ['node', 'test.js', 'arg1', 'arg2'], { cwd: hello, env: { SLEEP_SECONDS: '0.05' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "[ 'test.js', 'arg1', 'arg2' ]\n0.05\n");
  const sleep = fn(r.summary, 'sleep');
  assert.equal(sleep.calls, 1);
  assert.ok(sleep.totalMs >= 49 && sleep.totalMs < 1000, String(sleep.totalMs));
  assert.deepEqual(r.summary.command, ['node', 'test.js', 'arg1', 'arg2']);
  assert.equal(r.summary.processes[0].runtime, 'node');
  assert.match(r.stderr, /sleep \(hello\.js:3\)\s+1\s+0\s+\d/);
});

test('stdin passes through to the program', async () => {
  const r = await tanzhen(['run', '-q', '--', 'node', '-e', 'process.stdin.pipe(process.stdout)'], { input: 'hello stdin' });
  assert.equal(r.stdout, 'hello stdin');
});

test('unmatched targets are listed with the nearest names', async () => {
  const r = await probe(['./hello.js:slep', './hello.js:sleep'], ['node', 'test.js'], { cwd: hello, env: { SLEEP_SECONDS: '0' } });
  assert.equal(r.code, 0);
  assert.deepEqual(r.summary.unmatched, [{ target: './hello.js:slep', message: 'no function slep in ./hello.js; did you mean sleep?' }]);
  assert.match(r.stderr, /did you mean sleep\?/);
});

test('targets from TANZHEN_TRACE, tanzhen.config.json, package.json and -c', async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'lib.js'), 'exports.a = function a() { return 1 };\nexports.b = function b() { return 2 };\nexports.c = () => 3;\nexports.d = () => 4;\n');
  writeFileSync(path.join(dir, 'main.js'), "const l = require('./lib'); l.a(); l.b(); l.c(); l.d();\n");
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'commonjs', tanzhen: { trace: ['./lib.js:c'] } }));
  const fromPackage = await probe([], ['node', 'main.js'], { cwd: dir, env: { TANZHEN_TRACE: './lib.js:a;./lib.js:b' } });
  assert.deepEqual(Object.keys(Object.fromEntries(fromPackage.summary.functions.map((f) => [f.name, 1]))).sort(), ['a', 'b', 'c']);
  writeFileSync(path.join(dir, 'tanzhen.config.json'), JSON.stringify({ trace: ['./lib.js:d'] }));
  const fromConfig = await probe([], ['node', 'main.js'], { cwd: dir });
  assert.deepEqual(fromConfig.summary.functions.map((f) => f.name), ['d']);
  writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ trace: './lib.js:a' }));
  const explicit = await probe([], ['node', 'main.js'], { cwd: dir, extra: ['-c', 'other.json'] });
  assert.deepEqual(explicit.summary.functions.map((f) => f.name), ['a']);
});

test('report DIR prints the table again; --json prints summary.json', async () => {
  const r = await probe(['./hello.js:sleep'], ['node', 'test.js'], { cwd: hello, env: { SLEEP_SECONDS: '0' } });
  const table = await tanzhen(['report', r.out]);
  assert.equal(table.code, 0);
  assert.match(table.stderr, /sleep \(/);
  const json = await tanzhen(['report', r.out, '--json']);
  assert.deepEqual(JSON.parse(json.stdout).functions[0].calls, 1);
  const missing = await tanzhen(['report', tempDir()]);
  assertUsageError(missing, /holds no tanzhen results/);
  // A reader that stops early (`| head -c 1`) on output larger than a pipe holds: no EPIPE stack trace, exit 0.
  const deep = await probe(['./depth.js:rec'], ['node', 'depth.js'], { cwd: fixture('shapes') });
  for (const flag of ['--tree', '--json']) {
    const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" report "${deep.out}" ${flag} | head -c 1 >/dev/null; echo "status \${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    assert.equal(piped.stdout, 'status 0\n', piped.stderr);
    assert.equal(piped.stderr, '');
  }
});

test('the out directory is private: 0700, files 0600', async () => {
  const r = await probe(['./hello.js:sleep'], ['node', 'test.js'], { cwd: hello, env: { SLEEP_SECONDS: '0' } });
  assert.equal(statSync(r.out).mode & 0o777, 0o700);
  assert.equal(statSync(path.join(r.out, 'summary.json')).mode & 0o777, 0o600);
});

test('an unwritable --out warns, and the program’s result is unchanged', { skip: process.getuid?.() === 0 && 'root can write anywhere' }, async () => {
  const dir = tempDir();
  chmodSync(dir, 0o500);
  const r = await tanzhen(['run', '--out', path.join(dir, 'x'), '-t', './hello.js:sleep', '--', 'node', 'test.js'], { cwd: hello, env: { SLEEP_SECONDS: '0' } });
  assert.equal(r.code, 0);
  assert.match(r.stderr, /warning: cannot use/);
});

test('bad input: one line, exit 2, nothing run', async () => {
  assertUsageError(await tanzhen(['run', '-t', 'nocolon', '--', 'node', '-e', 'console.log(1)']), /invalid target "nocolon": expected <module>:<name>/);
  assertUsageError(await tanzhen(['run', '-t', './x.js:', '--', 'node', '-e', 'console.log(1)']), /function name after ":" is empty/);
  assertUsageError(await tanzhen(['run', '-t', './x.js:a..b', '--', 'node', '-e', 'console.log(1)']), /"" is not a valid name/);
  assertUsageError(await tanzhen(['run', '-t', 'node:nosuch:f', '--', 'node', '-e', 'console.log(1)']), /node:nosuch is not a Node.js built-in/);
  assertUsageError(await tanzhen(['run', '-t', './missing.js:f', '--', 'node', '-e', 'console.log(1)']), /target \.\/missing\.js:f: no such file missing\.js/);
  assertUsageError(await tanzhen(['run', '--bogus', '--', 'node', '-e', 'console.log(1)']), /unknown option --bogus\nusage: see tanzhen run --help/);
  assertUsageError(await tanzhen(['run']), /no command to run/);
  assertUsageError(await tanzhen(['frobnicate']), /unknown command "frobnicate"/);
  assertUsageError(await tanzhen(['run', '-t']), /option -t needs a value/);
});

test('a config file with invalid JSON names file, line and column', async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'tanzhen.config.json'), '{\n  "trace": [\n    "./a.js:f",\n  ]\n}\n');
  assertUsageError(await tanzhen(['run', '--', 'node', '-e', 'console.log(1)'], { cwd: dir }), /^tanzhen: tanzhen\.config\.json:4:3: invalid JSON: value expected\n$/);
  writeFileSync(path.join(dir, 'bad.json'), '{ "trace": 5 }');
  assertUsageError(await tanzhen(['run', '-c', 'bad.json', '--', 'node', '-e', '1'], { cwd: dir }), /bad\.json: "trace" must be a list/);
  writeFileSync(path.join(dir, 'keys.json'), '{ "tracee": [] }');
  assertUsageError(await tanzhen(['run', '-c', 'keys.json', '--', 'node', '-e', '1'], { cwd: dir }), /unknown key "tracee"/);
  assertUsageError(await tanzhen(['run', '-c', 'nope.json', '--', 'node', '-e', '1'], { cwd: dir }), /config file not found: nope\.json/);
});

test('a command that does not exist exits 127; one that cannot be executed 126', async () => {
  const missing = await tanzhen(['run', '--', 'no-such-command-xyz']);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /(^|\n)tanzhen: command not found: no-such-command-xyz\n/);
  const dir = tempDir();
  const script = path.join(dir, 'script.sh');
  writeFileSync(script, '#!/bin/sh\necho hi\n');
  chmodSync(script, 0o644);
  const denied = await tanzhen(['run', '--', script]);
  assert.equal(denied.code, 126);
  assert.match(denied.stderr, /cannot execute .*permission denied/);
});

test('a target file with a syntax error is left alone: the program’s own SyntaxError', async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'broken.js'), 'function f( {\n');
  writeFileSync(path.join(dir, 'package.json'), '{"type":"commonjs"}');
  const bare = await tanzhen(['run', '-q', '--', 'node', 'broken.js'], { cwd: dir });
  const r = await probe(['./broken.js:f'], ['node', 'broken.js'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.code, bare.code);
  assert.match(r.stderr, /SyntaxError/);
  assert.ok(r.stderr.includes(bare.stderr.split('\n').slice(0, 4).join('\n')), 'same error text');
});

test('built-in targets that are not functions warn once and the program runs', async () => {
  const r = await probe(['fs:constants', 'os:EOL'], ['node', '-e', 'console.log("ran")']);
  assert.equal(r.stdout, 'ran\n');
  assert.equal(r.code, 0);
  assert.match(r.stderr, /warning: fs:constants: constants is not a function \(it is an object\); not probed/);
  assert.match(r.stderr, /warning: os:EOL: EOL is not a function \(it is a string\)/);
});

test('tanzhen report DIR on results the preload wrote alone (no run.json, no summary.json)', async () => {
  const cwd = fixture('scale');
  const out = tempDir();
  const r = spawnSync(node, ['--require', path.join(root, 'dist/agent/register.cjs'), 'paths.js', '10'], {
    cwd,
    env: { ...process.env, TANZHEN_TRACE: './paths.js:route', TANZHEN_OUT: out, TANZHEN_CWD: cwd },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const report = await tanzhen(['report', out]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stderr, /^route \(\S*paths\.js:16\)\s+10\s+0\s/m);
});
