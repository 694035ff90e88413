// The launcher's input (issue 11, items 4, 10, 11, 13): targets without a
// size limit, configs with a byte order mark, option values that are options,
// a forgotten `run`, metrics served beyond this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fn, probe, tanzhen, tempDir } from './helpers.mjs';

const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;
const BOM = '\uFEFF';

function program() {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'lib.js'), 'exports.work = function work() { return 1 };\n');
  writeFileSync(path.join(dir, 'lib.py'), 'def work():\n    return 1\n');
  writeFileSync(path.join(dir, 'main.js'), "require('./lib').work(); console.log('ran');\n");
  writeFileSync(path.join(dir, 'main.py'), "import lib\nlib.work()\nprint('ran')\n");
  return dir;
}

/** `count` distinct targets of ~`length` characters each on module `module`, plus `module:work`. */
function manyTargets(module, count, length) {
  const pad = 'x'.repeat(length);
  return [`${module}:work`, ...Array.from({ length: count - 1 }, (_, i) => `${module}:missing_${i}_${pad}`)];
}

function assertOneLine(r, pattern) {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(r.stdout, '', 'the program did not run');
}

test('5000 -t targets reach the program (more than one environment variable holds), with and without --out', async () => {
  const cwd = program();
  const targets = manyTargets('./lib.js', 5000, 40);
  const r = await probe(targets, ['node', 'main.js'], { cwd, extra: ['-q'] });
  assert.equal(r.code, 0, r.stderr.slice(0, 2000));
  assert.equal(r.stdout, 'ran\n');
  assert.equal(fn(r.summary, 'work').calls, 1);
  // Without --out the list goes into the private temporary run directory, which is removed.
  const tmp = tempDir();
  const bare = await tanzhen(['run', '-q', ...targets.flatMap((t) => ['-t', t]), '--', 'node', 'main.js'], { cwd, env: { TMPDIR: tmp } });
  assert.equal(bare.code, 0, bare.stderr.slice(0, 2000));
  assert.equal(bare.stdout, 'ran\n');
  assert.deepEqual(readdirSync(tmp), []);
});

test('a config with 1000 long targets reaches a Python program too', { skip: !python && 'no python3' }, async () => {
  const cwd = program();
  writeFileSync(path.join(cwd, 'tanzhen.config.json'), JSON.stringify({ trace: manyTargets('lib', 1000, 200) }));
  const r = await probe([], [python, 'main.py'], { cwd, extra: ['-q'] });
  assert.equal(r.code, 0, r.stderr.slice(0, 2000));
  assert.equal(r.stdout, 'ran\n');
  assert.equal(fn(r.summary, 'work').calls, 1);
});

test('an environment variable too long to start the program: one line, exit 2, before it starts', { skip: process.platform !== 'linux' && 'Linux limit' }, async () => {
  const cwd = program();
  const tmp = tempDir();
  // Fits for the launcher; the bootstrap directory put in front of it makes it too long for exec.
  const r = await tanzhen(['run', '-q', '-t', './lib.js:work', '--', 'node', 'main.js'], { cwd, env: { TMPDIR: tmp, PYTHONPATH: `/${'p'.repeat(131048)}` } });
  assertOneLine(r, /^tanzhen: the environment variable PYTHONPATH is too long to start a program with \(\d+ bytes; Linux takes at most 131072 per variable\)\n$/);
  assert.deepEqual(readdirSync(tmp), [], 'no temporary directory left behind');
});

test('a package.json or config file with a UTF-8 byte order mark is read like Node and npm read it', async () => {
  const cwd = program();
  // No "tanzhen" key: it only has to be read without error.
  writeFileSync(path.join(cwd, 'package.json'), `${BOM}{ "name": "bom", "type": "commonjs" }\n`);
  const plain = await probe(['./lib.js:work'], ['node', 'main.js'], { cwd, extra: ['-q'] });
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(fn(plain.summary, 'work').calls, 1);

  writeFileSync(path.join(cwd, 'package.json'), `${BOM}{ "name": "bom", "tanzhen": { "trace": ["./lib.js:work"] } }\n`);
  const fromPackage = await probe([], ['node', 'main.js'], { cwd, extra: ['-q'] });
  assert.equal(fromPackage.code, 0, fromPackage.stderr);
  assert.equal(fn(fromPackage.summary, 'work').calls, 1);

  writeFileSync(path.join(cwd, 'tanzhen.config.json'), `${BOM}{ "trace": ["./lib.js:work"] }\n`);
  const fromConfig = await probe([], ['node', 'main.js'], { cwd, extra: ['-q'] });
  assert.equal(fromConfig.code, 0, fromConfig.stderr);
  assert.equal(fn(fromConfig.summary, 'work').calls, 1);

  writeFileSync(path.join(cwd, 'named.json'), `${BOM}{ "trace": ["./lib.js:work"] }\n`);
  const named = await probe([], ['node', 'main.js'], { cwd, extra: ['-q', '-c', 'named.json'] });
  assert.equal(named.code, 0, named.stderr);
  assert.equal(fn(named.summary, 'work').calls, 1);
});

test('a config that is not a regular file is refused at once (/dev/zero would never end)', { skip: process.platform !== 'linux' && 'uses /dev/zero' }, async () => {
  const r = await tanzhen(['run', '-c', '/dev/zero', '--', 'node', '-e', '0'], { timeout: 20_000 });
  assertOneLine(r, /^tanzhen: config \/dev\/zero is not a regular file\n$/);
});

test('an option value that looks like an option is an error with the usage hint; nothing is created', async () => {
  const cwd = program();
  const r = await tanzhen(['run', '--out', '-t', './lib.js:work', '--', 'node', 'main.js'], { cwd });
  assertOneLine(r, /^tanzhen: option --out needs a value, not the option -t\nusage: see tanzhen run --help\n$/);
  assert.ok(!existsSync(path.join(cwd, '-t')), 'no directory named -t');
  for (const args of [['-t', '--calls'], ['-c', '-q'], ['--metrics-host', '--quiet', '--metrics-port', '0']]) {
    const other = await tanzhen(['run', ...args, '--', 'node', 'main.js'], { cwd });
    assertOneLine(other, new RegExp(`^tanzhen: option ${args[0]} needs a value, not the option ${args[1]}\\n`));
  }
  // The --name=value form takes any value; a negative number gets the number's own message.
  const negative = await tanzhen(['run', '--max-spans', '-1', '--', 'node', 'main.js'], { cwd });
  assertOneLine(negative, /^tanzhen: --max-spans takes a whole number ≥ 0, not "-1"\n$/);
});

test('`tanzhen -t …` (run forgotten) says what was meant', async () => {
  const cwd = program();
  const r = await tanzhen(['-t', './lib.js:work', '--', 'node', 'main.js'], { cwd });
  assertOneLine(r, /^tanzhen: unknown command "-t"; did you mean: tanzhen run -t \.\/lib\.js:work -- node main\.js\n$/);
  // Not for words that would not run either.
  const bogus = await tanzhen(['--bogus'], { cwd });
  assertOneLine(bogus, /^tanzhen: unknown command "--bogus"\nusage: /);
});

test('--metrics-host beyond loopback warns in one line that per-function data is served to the network', async () => {
  const cwd = program();
  const warning = /^tanzhen: warning: --metrics-host (\S+) serves the names and timings of the probed functions to the network/m;
  for (const host of ['0.0.0.0', '::']) {
    const r = await tanzhen(['run', '-q', '--metrics-port', '0', '--metrics-host', host, '-t', './lib.js:work', '--', 'node', 'main.js'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.match(new RegExp(warning, 'gm'))?.length, 1, r.stderr);
    assert.equal(warning.exec(r.stderr)[1], host);
  }
  for (const host of ['127.0.0.1', 'localhost', '::1']) {
    const r = await tanzhen(['run', '-q', '--metrics-port', '0', '--metrics-host', host, '-t', './lib.js:work', '--', 'node', 'main.js'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, warning);
  }
});
