// Python definition-site timing (issue 15), through the real `tanzhen run`, on
// one interpreter: TZ_PYTHON (.ci/run runs this file once per Python, 3.8,
// 3.11, 3.12 and 3.13 from pyenv), else the newest pyenv 3.x or python3.
// Not in `npm test`'s glob: the Node versions need not repeat it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const bin = path.join(root, 'bin/tanzhen.js');
const fixtures = path.join(root, 'test/fixtures/python');
const corpus = path.join(process.env.TANZHEN_CORPUS_SNAPSHOTS ?? path.resolve(root, '../shared/corpus'), 'py-more-itertools');

function newestPyenv() {
  const dir = path.join(process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'), 'versions');
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir)
    .filter((v) => /^3\.\d+\.\d+$/.test(v))
    .sort((a, b) => a.split('.').map(Number)[1] - b.split('.').map(Number)[1])
    .map((v) => path.join(dir, v, 'bin/python'));
  return found.at(-1);
}
const PY = process.env.TZ_PYTHON || newestPyenv() || 'python3';
const [major, minor] = execFileSync(PY, ['-c', 'import sys; print(*sys.version_info[:2])'], { encoding: 'utf8' }).trim().split(' ').map(Number);
const version = `${major}.${minor}`;

function run(args, { cwd = fixtures, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TANZHEN_') && k !== 'PYTHONPATH'));
    const child = spawn(args[0], args.slice(1), { cwd, env: { ...base, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `tanzhen run -q --out DIR -t ... -- PY args`: the result and summary.json. */
async function probed(targets, args, opts) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'tz-pydef-'));
  const r = await run([process.execPath, bin, 'run', '-q', '--out', out, ...targets.flatMap((t) => ['-t', t]), '--', PY, ...args], opts);
  const file = path.join(out, 'summary.json');
  return { ...r, summary: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined };
}

const counts = (summary) => Object.fromEntries(summary.functions.map((f) => [f.name, [f.calls, f.errors]]));

test(`Python ${version}: functions reached through references taken at import are timed; the program sees its own functions`, async () => {
  const [bare, r] = await Promise.all([run([PY, 'defsite.py']), probed(['webapp:*', 'os.path:join'], ['defsite.py'])]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, bare.stdout, 'output, metadata, tracebacks and sys.monitoring events as without the probe');
  for (const line of [
    'routes home hi ann! True',
    'singledispatch thing int int',
    "metadata user user ('hi',) {'punct': '!'} (name, greeting='hi', *, punct='!') The home page.",
    "traceback [('fails', 66, \"raise ValueError('no')\")]",
    'at exit ran',
    'pre-imported True a/b',
  ])
    assert.ok(r.stdout.split('\n').includes(line), `missing ${JSON.stringify(line)} in\n${r.stdout}`);
  if (minor >= 12) assert.ok(r.stdout.includes("monitoring ['helper', 'helper']"));
  const join = r.summary.functions.find((x) => x.name === 'join');
  assert.ok(join.calls >= 1 && join.target === 'os.path:join', 'a module imported before the probe');
  assert.equal(join.probedBy, 'definition', 'its code replaced in place');
  assert.deepEqual(counts({ functions: r.summary.functions.filter((x) => x !== join) }), {
    index: [1, 0], // route table
    user: [1, 0],
    show: [1, 0], // singledispatch
    _show_int: [2, 0],
    worker: [1, 0], // threading.Thread(target=worker)
    helper: [minor >= 12 ? 12 : 10, 0],
    at_exit: [1, 0], // atexit.register
    on_signal: [1, 0], // signal.signal
    decorated: [1, 0], // under a third-party functools.wraps decorator
    depth: [0, 0],
    fails: [1, 1],
    'Shop.__init__': [2, 0],
    'Shop.add': [2, 0],
    'Shop.make': [1, 0],
    'Shop.price': [3, 0],
    fetch: [1, 0],
    numbers: [3, 0],
    relay: [1, 0],
    anumbers: [2, 0],
    start_thread: [1, 0],
  });
  const f = Object.fromEntries(r.summary.functions.map((x) => [x.name, x]));
  assert.ok(f.fetch.totalMs >= 9, 'a coroutine is timed until its result');
  // The consumers sleep 20 ms per item: in the generators' total, not in their self time.
  assert.ok(f.numbers.totalMs >= 55 && f.numbers.selfMs <= f.numbers.totalMs - 50, JSON.stringify(f.numbers));
  assert.ok(f.anumbers.totalMs >= 35 && f.anumbers.selfMs <= f.anumbers.totalMs - 30, JSON.stringify(f.anumbers));
  assert.equal(f.index.line, 13, 'the first decorator line, as co_firstlineno');
  const worker = r.summary.tree.find((n) => n.name === 'start_thread');
  assert.ok(worker, 'start_thread is a root');
  const names = (nodes) => nodes.flatMap((n) => [n.name, ...names(n.children)]);
  const relay = r.summary.tree.find((n) => n.name === 'relay');
  assert.deepEqual(names(relay.children), [], 'a delegation (yield from) counts as suspended: its iterator runs under the consumer');
  assert.ok(r.summary.tree.some((n) => n.name === 'Shop.price' && n.calls === 3), 'Shop.price: three root calls');
  assert.ok(r.summary.calibration && r.summary.calibration.overheadNs > 0, 'calibration stated');
  console.log(`# Python ${version}: calibration ${r.summary.calibration.overheadNs} ns (${r.summary.calibration.method})`);
});

test(`Python ${version}: explicit Class.method and function targets, async generators included`, async () => {
  const targets = ['webapp:Shop.add', 'webapp:Shop.make', 'webapp:Shop.price', 'webapp:index', 'webapp:decorated', 'webapp:anumbers', 'webapp:launch', 'webapp:nope'];
  const r = await probed(targets, ['defsite.py']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(counts(r.summary), { 'Shop.add': [2, 0], 'Shop.make': [1, 0], 'Shop.price': [3, 0], index: [1, 0], decorated: [1, 0], anumbers: [2, 0], launch: [0, 0] });
  const how = Object.fromEntries(r.summary.functions.map((f) => [f.name, f.probedBy]));
  assert.deepEqual(how, { 'Shop.add': 'definition', 'Shop.make': 'definition', 'Shop.price': 'definition', index: 'definition', decorated: 'definition', anumbers: 'definition', launch: 'wrapper' }, 'summary.json says how each is timed');
  assert.deepEqual(r.summary.unmatched.map((u) => u.target), ['webapp:nope']);
});

test(`Python ${version}: the deepest recursion that works bare works probed`, async () => {
  const [bare, r] = await Promise.all([run([PY, 'recursion.py']), probed(['webapp:depth'], ['recursion.py'])]);
  assert.equal(r.code, 0, r.stderr);
  const deepest = (text) => Number(/deepest (\d+) True False/.exec(text)[1]);
  console.log(`# Python ${version}: deepest depth(n) bare ${deepest(bare.stdout)}, probed ${deepest(r.stdout)}`);
  // 3.8 only: one frame less (rewrite.py says why).
  assert.equal(deepest(r.stdout), deepest(bare.stdout) - (minor < 9 ? 1 : 0));
  const depth = r.summary.functions.find((f) => f.name === 'depth');
  assert.ok(depth.calls > 1000, 'every level is a call');
});

test(`Python ${version}: more-itertools' own tests pass probed as bare (a subset: lifecycle, generators, threads)`, { skip: (!existsSync(corpus) && 'no more-itertools snapshot') || (minor < 10 && 'more-itertools needs Python 3.10+') }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tz-mit-'));
  cpSync(corpus, dir, { recursive: true });
  const tests = ['tests.test_more.IsliceExtendedTests', 'tests.test_more.SeekableTest', 'tests.test_more.PeekableTests', 'tests.test_more.SpyTests', 'tests.test_recipes.ConsumeTests', 'tests.test_recipes.BeforeAndAfterTests'];
  const args = ['-m', 'unittest', ...tests];
  const bare = await run([PY, ...args], { cwd: dir });
  const r = await probed(['more_itertools.more:*', 'more_itertools.recipes:*'], args, { cwd: dir });
  const ran = (text) => /Ran (\d+) tests/.exec(text)?.[1];
  assert.equal(bare.code, 0, bare.stderr.slice(-2000));
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.equal(ran(r.stderr), ran(bare.stderr));
  assert.match(r.stderr, /\nOK\n/);
  assert.ok(r.summary.functions.filter((f) => f.calls > 0).length > 20, 'many functions timed');
});

test(`Python ${version}: functools, which reading source imports (through tokenize), is rewritten too; pickling by reference works`, async () => {
  const script = 'import functools, pickle; print(pickle.loads(pickle.dumps(functools._gt_from_lt)) is functools._gt_from_lt, functools.reduce(lambda a, b: a + b, [1, 2, 3]))';
  const [bare, r] = await Promise.all([run([PY, '-c', script]), probed(['functools:*'], ['-c', script])]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, bare.stdout);
  assert.equal(r.stdout, 'True 6\n');
  const how = new Set(r.summary.functions.map((f) => f.probedBy));
  assert.deepEqual([...how], ['definition'], 'every functools function timed where it is defined');
});
