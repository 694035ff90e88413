// The preload itself must not show: `tanzhen run` loads the agent with
// --require, so a CommonJS main program keeps the CommonJS path (event-loop
// order, load-time stacks), and ES module mains, beforeExit and the user's
// own preloads behave as without the probe. Each case runs bare and probed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { major, node, probe, root, tempDir } from './helpers.mjs';

const ORDER = `Promise.resolve().then(() => console.log('promise'))
process.nextTick(() => console.log('tick'))
setImmediate(() => console.log('immediate'))
setTimeout(() => console.log('timeout'), 0)
// The timer is due before the loop starts: timers run before immediates, on any machine.
for (const end = Date.now() + 3; Date.now() < end;);
`;

function program(files) {
  const dir = tempDir('tz-preload-');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function bare(args, cwd, env = {}) {
  const r = spawnSync(node, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Bare and probed runs print the same, and the probe saw the program. */
async function same(targets, args, cwd) {
  const expected = bare(args, cwd);
  const probed = await probe(targets, ['node', ...args], { cwd });
  assert.equal(probed.stdout, expected.stdout);
  assert.equal(probed.code, expected.code);
  assert.equal(probed.summary?.processes.length, 1, probed.stderr);
  return { expected, probed };
}

test('a CommonJS main keeps its event-loop order (nextTick before promises, timers before immediates)', async () => {
  const cwd = program({ 'order.cjs': ORDER, 'lib.cjs': 'exports.f = () => 1\n' });
  const { expected } = await same(['fs:readFileSync'], ['order.cjs'], cwd);
  assert.equal(expected.stdout, 'tick\npromise\ntimeout\nimmediate\n');
  await same(['./order.cjs:*'], ['order.cjs'], cwd);
  // A target that can be an ES module installs the ES module hooks too.
  await same(['./*.mjs:*'], ['order.cjs'], cwd);
});

test('an ES module main keeps its event-loop order', async () => {
  const cwd = program({ 'order.mjs': `${ORDER}export function f() { return 1 }\nf()\n` });
  const { probed } = await same(['./order.mjs:f'], ['order.mjs'], cwd);
  assert.equal(probed.summary.functions.find((f) => f.name === 'f')?.calls, 1);
});

test("a CommonJS main's load-time stack is the one Node gives it", async () => {
  const main = `console.log(new Error('here').stack.split('\\n').slice(1).join('\\n'))\nconsole.log(require('./lib.cjs').f())\n`;
  const cwd = program({ 'stack.cjs': main, 'lib.cjs': 'exports.f = () => 1\n' });
  const { expected } = await same(['fs:readFileSync'], ['stack.cjs'], cwd);
  // With a CommonJS target, on Node 20 only the target's own load runs through our _compile
  // wrapper; on newer Nodes every load does (src/agent/hooks/legacy-cjs.ts says why).
  const probed = await probe(['./lib.cjs:f'], ['node', 'stack.cjs'], { cwd });
  assert.equal(probed.summary.functions.find((f) => f.name === 'f')?.calls, 1);
  if (major === 20) assert.equal(probed.stdout, expected.stdout);
  else {
    // Known limit on Node >= 22: our frame, and Node's own _compile frame loses its name.
    // The agent runs from dist/agent/agent.cjs (loaded by the preload, register.cjs).
    const lines = probed.stdout.split('\n').filter((line) => !/dist[\\/]agent[\\/](?:agent|register)\.cjs/.test(line));
    const renamed = lines.join('\n').replace('Module.<anonymous> (node:internal/modules/cjs/loader', 'Module._compile (node:internal/modules/cjs/loader');
    assert.equal(renamed, expected.stdout);
    assert.equal(probed.stdout.split('\n').length, lines.length + 1);
  }
  assert.match(expected.stdout, /executeUserEntryPoint|Module\._load/);
  assert.doesNotMatch(expected.stdout, /ModuleJob|EntryPointWithESMLoader/);
});

test('beforeExit fires once, after the ES module main has run', async () => {
  const cwd = program({
    'be.cjs': "process.on('beforeExit', () => console.log('beforeExit'))\n",
    'bm.mjs': "console.log('main top level')\nexport function f() { return 1 }\nf()\n",
  });
  const { expected } = await same(['./bm.mjs:*'], ['-r', './be.cjs', 'bm.mjs'], cwd);
  assert.equal(expected.stdout, 'main top level\nbeforeExit\n');
});

test("the user's --require preload runs once, never again in Node 20's hooks thread", async () => {
  const cwd = program({
    'pre.cjs': "console.log('preload', require('node:worker_threads').isMainThread)\n",
    'e3.mjs': 'export function f() { return 1 }\nconsole.log(f())\n',
  });
  const args = ['-r', './pre.cjs', 'e3.mjs'];
  assert.equal(bare(args, cwd).stdout, 'preload true\n1\n');
  const probed = await probe(['./e3.mjs:*'], ['node', ...args], { cwd });
  // Node 20's module.register() starts a hooks thread that would run every --require preload again.
  assert.equal(probed.stdout, 'preload true\n1\n');
  // The agent itself never starts in that thread: one process, one call, no warning.
  assert.equal(probed.summary.processes.length, 1);
  assert.equal(probed.summary.functions.find((f) => f.name === 'f')?.calls, 1);
  assert.doesNotMatch(probed.stderr, /tanzhen: .*(warn|fail|disabled)/i);
  // Documented limit: a preload in NODE_OPTIONS comes before ours, so Node 20's hooks thread still runs it.
  const viaEnv = await probe(['./e3.mjs:*'], ['node', 'e3.mjs'], { cwd, env: { NODE_OPTIONS: '-r ./pre.cjs' } });
  // (The first line is the launcher's own: it is a Node process under the same NODE_OPTIONS.)
  assert.equal(viaEnv.stdout, major === 20 ? 'preload true\npreload true\npreload false\n1\n' : 'preload true\npreload true\n1\n');
});

for (const flag of ['--require', '--import']) {
  test(`node ${flag} tanzhen/register works without the launcher`, () => {
    const cwd = program({ 'hello.cjs': 'function hello() { return 1 }\nhello()\nconsole.log("ok")\n' });
    // Resolved as a self-reference from the package root, as an installed package would be.
    const r = bare([flag, 'tanzhen/register', path.join(cwd, 'hello.cjs')], root, { TANZHEN_TRACE: `${path.join(cwd, 'hello.cjs')}:hello` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ok\n');
    assert.match(r.stderr, /hello\b.*\s1\s/);
  });
}
