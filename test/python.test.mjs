// The Python probe (python/bootstrap): driven directly with the environment
// the launcher sets up (PYTHONPATH, TANZHEN_RUN, TANZHEN_TRACE, TANZHEN_OUT),
// on Python 3.8, 3.12 and 3.13 from pyenv and the system python3 (a missing
// one is skipped), and through the real `tanzhen run` once it is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const bootstrap = path.join(root, 'python/bootstrap');
const fixtures = path.join(root, 'test/fixtures/python');
const hello = path.join(root, 'examples/python-hello');
const cli = path.join(root, 'dist/launcher/cli.js');
const bin = path.join(root, 'bin/tanzhen.js');

// ---------------------------------------------------------------- interpreters

function pyenvRoot() {
  try {
    return execFileSync('pyenv', ['root'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv');
  }
}

function pyenvPython(minor) {
  const dir = path.join(pyenvRoot(), 'versions');
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir)
    .filter((v) => v.startsWith(`${minor}.`) && /^\d+\.\d+\.\d+$/.test(v))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]))
    .map((v) => path.join(dir, v, 'bin/python'))
    .filter((p) => existsSync(p));
  return found.at(-1);
}

const PYTHONS = [
  ['3.8', pyenvPython('3.8')],
  ['3.12', pyenvPython('3.12')],
  ['3.13', pyenvPython('3.13')],
  ['system', ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p))],
];
const available = PYTHONS.filter(([, p]) => p);
// The interpreter for single-version tests: the newest one at hand.
const PY = pyenvPython('3.13') ?? pyenvPython('3.12') ?? available[0]?.[1] ?? 'python3';

// ---------------------------------------------------------------- helpers

function tempDir() {
  return mkdtempSync(path.join(os.tmpdir(), 'tz-py-'));
}

/** The environment of a probed process, as the launcher builds it (minus inherited TANZHEN_*). */
function probeEnv({ trace = [], out, run = 'test', pythonPath = [], extra = {} } = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TANZHEN_') && k !== 'PYTHONPATH'));
  env.PYTHONPATH = [bootstrap, ...pythonPath].join(path.delimiter);
  env.PYTHONDONTWRITEBYTECODE = '1';
  if (run) env.TANZHEN_RUN = run;
  env.TANZHEN_TRACE = trace.join(';');
  if (out) env.TANZHEN_OUT = out;
  return { ...env, ...extra };
}

/** Runs python directly under the probe; resolves with code, stdout, stderr and the process reports. */
function runPython(python, args, { cwd = fixtures, trace = [], run = 'test', pythonPath = [], extra = {}, input } = {}) {
  const out = tempDir();
  const env = probeEnv({ trace, out, run, pythonPath, extra });
  return new Promise((resolve, reject) => {
    const child = execFile(python, args, { cwd, env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? error.code : 0, stdout, stderr, out, reports: reports(out) });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

function reports(out) {
  const dir = path.join(out, 'processes');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
}

const byName = (report) => Object.fromEntries(report.functions.map((f) => [f.name, f]));
const nesting = path.join(fixtures, 'nesting');

/** A report's call tree as nested {name: {calls, totalMs, selfMs, children}}; same-named functions of two files would merge. */
function treeOf(report) {
  const nodes = report.tree.map((n) => ({ name: report.functions[n.fn].name, calls: n.calls, totalMs: n.totalMs, selfMs: n.selfMs, children: {} }));
  const roots = {};
  report.tree.forEach((n, i) => {
    assert.ok(n.parent < i, 'parents come before their children');
    (n.parent < 0 ? roots : nodes[n.parent].children)[nodes[i].name] = nodes[i];
  });
  return roots;
}

/** The shape of a tree: {name: [calls, shape of children]}, leaves as bare counts. */
function shapeOf(tree) {
  return Object.fromEntries(
    Object.values(tree).map((n) => [n.name, Object.keys(n.children).length ? [n.calls, shapeOf(n.children)] : n.calls]),
  );
}

/** The records of a .spans file: [id, parentId, fn, start, duration, flags] each. */
function spansOf(out, report) {
  const bytes = readFileSync(path.join(out, 'processes', report.spans.file));
  const records = [];
  for (let at = 0; at < bytes.length; at += 48) records.push([0, 8, 16, 24, 32, 40].map((k) => bytes.readDoubleLE(at + k)));
  return records;
}
const histogramCount = (f) => f.histogram.reduce((sum, [, count]) => sum + count, 0);

/** `tanzhen run` (the real launcher); only when it has been built. */
function tanzhen(args, { cwd, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TANZHEN_')));
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...base, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const launcherBuilt = existsSync(cli);

// ---------------------------------------------------------------- the seed

test('the seed example, unchanged, prints what it prints and hello.sleep is timed, on every Python', async () => {
  assert.ok(available.length > 0, 'no Python interpreter found');
  await Promise.all(
    available.map(async ([label, python]) => {
      const r = await runPython(python, ['test.py', 'arg1', 'arg2'], { cwd: path.join(fixtures, 'seed'), trace: ['hello:sleep'] });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assert.equal(r.stdout, "['test.py', 'arg1', 'arg2']\n3\n", label);
      assert.equal(r.stderr, '', label);
      assert.equal(r.reports.length, 1, label);
      const [report] = r.reports;
      assert.equal(report.runtime, 'python');
      assert.equal(report.version, 1);
      assert.equal(report.threadId, 0);
      assert.match(report.runtimeVersion, /^3\.\d+\.\d+/);
      if (label !== 'system') assert.ok(report.runtimeVersion.startsWith(label + '.'), `${label} ran ${report.runtimeVersion}`);
      assert.deepEqual(report.argv.slice(1), ['test.py', 'arg1', 'arg2']);
      assert.deepEqual(report.matched, ['hello:sleep']);
      const sleep = byName(report).sleep;
      assert.equal(sleep.target, 'hello:sleep');
      assert.equal(sleep.file, path.join(fixtures, 'seed/hello.py'));
      assert.equal(sleep.line, 4);
      assert.equal(sleep.calls, 1);
      assert.equal(sleep.errors, 0);
      assert.ok(sleep.totalMs >= 3000 && sleep.totalMs < 4000, `${label}: ${sleep.totalMs} ms`);
      assert.equal(sleep.maxMs, sleep.totalMs);
      assert.equal(histogramCount(sleep), 1);
    }),
  );
});

test('examples/python-hello runs on every Python with the report in private files', async () => {
  await Promise.all(
    available.map(async ([label, python]) => {
      const r = await runPython(python, ['test.py', 'arg1', 'arg2'], { cwd: hello, trace: ['hello:sleep'], extra: { HELLO_SLEEP: '0.05' } });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assert.equal(r.stdout, "['test.py', 'arg1', 'arg2']\n0.05\n", label);
      const sleep = byName(r.reports[0]).sleep;
      assert.equal(sleep.calls, 1, label);
      assert.ok(sleep.totalMs >= 50, `${label}: ${sleep.totalMs}`);
      const dir = path.join(r.out, 'processes');
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      for (const f of readdirSync(dir)) assert.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
      assert.deepEqual(readdirSync(dir), [`${r.reports[0].pid}-0.json`], 'no temporary file left');
    }),
  );
});

// ---------------------------------------------------------------- behaviour

const FEATURE_TARGETS = ['shop:*', 'os.path:join', 'shop:Cart.nope', 'shop:chekout', './shop.js:checkout', 'fs:readFileSync', 'node:fs:readFileSync'];

test('classes, static and class methods, async, generators, internal calls, errors, resources, reload — output unchanged', async () => {
  await Promise.all(
    available.map(async ([label, python]) => {
      const opts = { trace: FEATURE_TARGETS, pythonPath: [path.join(fixtures, 'usersite')] };
      const [bare, r] = await Promise.all([runPython(python, ['features.py'], { ...opts, run: '' }), runPython(python, ['features.py'], opts)]);
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assert.equal(r.stderr, '', label);
      assert.equal(bare.reports.length, 0, 'nothing without TANZHEN_RUN');
      assert.equal(r.stdout, bare.stdout, `${label}: the program prints the same with and without the probe`);
      const lines = r.stdout.split('\n');
      for (const expected of [
        'user sitecustomize ran',
        "prices ['3', '5', '8']",
        "resources ['3', '5', '8']",
        'self kept True',
        'total 16',
        'static 1 0',
        'classmethod Cart',
        'descriptors staticmethod classmethod',
        'metadata checkout Pays. shop Cart.add',
        'signature (amount) (*prices)',
        'async 42 True',
        'generator [0, 1, 2] True',
        "error kept OutOfStock ('empty cart',) <module>",
        'same error object True',
        'loader SourceFileLoader SourceFileLoader',
        'reloaded 2 1 charge wrapped twice: False',
        'user sitecustomize True',
      ])
        assert.ok(lines.includes(expected), `${label}: missing ${JSON.stringify(expected)} in\n${r.stdout}`);

      assert.equal(r.reports.length, 1);
      const [report] = r.reports;
      const f = byName(report);
      const calls = (name) => [f[name]?.calls, f[name]?.errors];
      assert.deepEqual(calls('Cart.__init__'), [3, 0], label);
      assert.deepEqual(calls('Cart.add'), [3, 0]);
      assert.deepEqual(calls('Cart.total'), [2, 0]);
      assert.deepEqual(calls('Cart.fee'), [4, 0], 'static method, called directly, on an instance and internally');
      assert.deepEqual(calls('Cart.of'), [2, 0], 'class method');
      assert.deepEqual(calls('checkout'), [2, 1], 'one error, re-raised');
      assert.deepEqual(calls('charge'), [3, 0], 'internal call, and calls of the old and new function after importlib.reload, on one record');
      assert.deepEqual(calls('refuse'), [1, 1]);
      assert.deepEqual(calls('fetch'), [1, 0]);
      assert.ok(f.fetch.totalMs >= 9, `async timed until awaited: ${f.fetch.totalMs}`);
      assert.deepEqual(calls('stock'), [1, 0], 'a generator counts once, when it ends');
      assert.deepEqual(calls('discount'), [1, 0]);
      assert.equal(f.join.target, 'os.path:join');
      assert.ok(f.join.calls >= 1, 'os.path was imported before the probe');
      assert.ok(f.join.file.endsWith('posixpath.py'), f.join.file);
      assert.equal(f.checkout.file, path.join(fixtures, 'shop/__init__.py'));
      assert.equal(report.functions.filter((x) => x.name === 'charge').length, 1, 'reload adds no second record');
      for (const fn of report.functions) assert.equal(histogramCount(fn), fn.calls, fn.name);
      assert.deepEqual(report.matched.sort(), ['os.path:join', 'shop:*']);
      assert.deepEqual(Object.keys(report.candidates).sort(), ['shop:Cart.nope', 'shop:chekout']);
      assert.ok(report.candidates['shop:chekout'].includes('checkout'));
      assert.ok(report.candidates['shop:Cart.nope'].includes('Cart.total'));
      assert.deepEqual(report.warnings, []);
    }),
  );
});

test('explicit Class.method, staticmethod and classmethod targets stay descriptors of their kind', async () => {
  const script = [
    'import shop, inspect',
    "print(type(shop.Cart.__dict__['fee']).__name__, type(shop.Cart.__dict__['of']).__name__, type(shop.Cart.__dict__['add']).__name__)",
    'c = shop.Cart.of(1, 2, 3)',
    'print(c.total(), shop.Cart.fee(0), c.fee(9), inspect.iscoroutinefunction(shop.fetch))',
  ].join('\n');
  const r = await runPython(PY, ['-c', script], { trace: ['shop:Cart.fee', 'shop:Cart.of', 'shop:Cart.add', 'shop:Cart.total', 'shop:fetch'] });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'staticmethod classmethod function\n6 1 0 True\n');
  const f = byName(r.reports[0]);
  assert.deepEqual(
    Object.fromEntries(Object.entries(f).map(([k, v]) => [k, [v.target, v.calls]])),
    { 'Cart.fee': ['shop:Cart.fee', 3], 'Cart.of': ['shop:Cart.of', 1], 'Cart.add': ['shop:Cart.add', 3], 'Cart.total': ['shop:Cart.total', 1], fetch: ['shop:fetch', 0] },
  );
});

test('a generator wrapper keeps no reference to the items it hands out or the values sent in', async () => {
  const script = [
    'import sys, weakref',
    `sys.path.insert(0, ${JSON.stringify(path.join(fixtures, 'lifetime'))})`,
    'import lifemod',
    'g = lifemod.gen()',
    'out = weakref.ref(next(g))',
    'sent = lifemod.Item()',
    'back = weakref.ref(sent)',
    'g.send(sent)',
    'del sent',
    'print(out() is None, back() is None)',
  ].join('\n');
  for (const trace of [[], ['lifemod:gen']]) {
    const r = await runPython(PY, ['-c', script], { trace });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'True True\n', `traced ${trace}`);
  }
});

test('a package imported from a zip file (zipimport; load_module only before 3.10) is probed, its resources readable', async () => {
  const dir = tempDir();
  const zip = path.join(dir, 'shop.zip');
  execFileSync(PY, ['-m', 'zipfile', '-c', zip, path.join(fixtures, 'shop')]);
  const script = 'import shop; print(shop.PRICES, type(shop.__loader__).__name__, shop.checkout(shop.Cart.of(1, 2, 3)))';
  await Promise.all(
    available.map(async ([label, python]) => {
      const r = await runPython(python, ['-c', script], { cwd: dir, trace: ['shop:checkout', 'shop:Cart.*'], pythonPath: [zip] });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assert.equal(r.stdout, "['3', '5', '8'] zipimporter 6\n", label);
      const f = byName(r.reports[0]);
      assert.equal(f.checkout?.calls, 1, label);
      assert.equal(f['Cart.add']?.calls, 3, label);
      assert.equal(f.checkout.file, path.join(zip, 'shop/__init__.py'));
    }),
  );
});

test('TANZHEN_CALLS=1 prints one line per call on stderr, nested calls indented, errors marked', async () => {
  const r = await runPython(PY, ['calls.py'], { trace: ['work:*'], extra: { TANZHEN_CALLS: '1' } });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 6, r.stderr);
  assert.equal(lines[0], 'tanzhen: → task');
  assert.equal(lines[1], 'tanzhen:   → inner');
  assert.match(lines[2], /^tanzhen: {3}← inner \d+(\.\d+)? (ns|µs|ms)$/);
  assert.match(lines[3], /^tanzhen: ← task \d/);
  assert.equal(lines[4], 'tanzhen: → boom');
  assert.match(lines[5], /^tanzhen: ✗ boom \d+(\.\d+)? (ns|µs|ms) \(threw\)$/);
  assert.deepEqual(Object.fromEntries(r.reports[0].functions.map((f) => [f.name, [f.calls, f.errors]])), { task: [1, 0], inner: [1, 0], boom: [1, 1] });
});

// ---------------------------------------------------------------- nesting, self time, spans

test('self time: a parent that sleeps 10 ms and calls a 20 ms child twice; generators and errors nest too', async () => {
  await Promise.all(
    available.map(async ([label, python]) => {
      const r = await runPython(python, ['run_timed.py'], { cwd: nesting, trace: ['timed:*'] });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assert.equal(r.stdout, '13\ncaught\n');
      const [report] = r.reports;
      const f = byName(report);
      // (Upper bounds only as loose as a busy machine's oversleeping needs: self - 10 ms cannot exceed total - 50 ms.)
      assert.ok(f.parent.totalMs >= 50, `${label}: parent total ${f.parent.totalMs}`);
      assert.ok(f.parent.selfMs >= 9.5 && f.parent.selfMs - 10 <= f.parent.totalMs - 50 + 0.5, `${label}: parent self ${f.parent.selfMs} of ${f.parent.totalMs}`);
      assert.ok(Math.abs(f.parent.selfMs - (f.parent.totalMs - f.child.totalMs)) < 1e-6, label);
      assert.ok(f.child.totalMs >= 40 && f.child.selfMs === f.child.totalMs, `${label}: ${JSON.stringify(f.child)}`);
      assert.ok(f.consume.selfMs <= f.consume.totalMs);
      const tree = treeOf(report);
      assert.deepEqual(shapeOf(tree), {
        parent: [1, { child: 2 }],
        consume: [1, { numbers: [1, { leaf: 3 }], leaf: 1 }],
        boom: [1, { leaf: 1 }],
      }, label);
      assert.equal(tree.parent.children.child.totalMs, f.child.totalMs);
      for (const fn of report.functions) {
        const nodes = report.tree.filter((n) => report.functions[n.fn] === fn);
        assert.equal(nodes.reduce((sum, n) => sum + n.calls, 0), fn.calls, `${label}: ${fn.name} calls = the sum of its nodes`);
      }
      assert.equal(report.spans, undefined, 'no spans without TANZHEN_SPANS=1');
      assert.deepEqual(readdirSync(path.join(r.out, 'processes')), [`${report.pid}-0.json`]);
    }),
  );
});

test('two interleaved asyncio task trees stay apart; to_thread calls nest under their task, threads start their own', async () => {
  await Promise.all(
    available.map(async ([label, python]) => {
      const r = await runPython(python, ['run_tasks.py'], { cwd: nesting, trace: ['tasks:*'] });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      const [report] = r.reports;
      const tree = treeOf(report);
      assert.deepEqual(shapeOf(tree), {
        main: [1, {
          request_a: [2, { step_a: [4, { leaf: 8, wait: 4 }] }],
          request_b: [1, { step_b: [3, { wait: 3, leaf: 3 }], wait: 1 }],
          offload: [1, { blocking: [1, { leaf: 1 }] }],
        }],
        threads: 1,
        worker: [3, { threaded_leaf: [6000, { leaf: 6000 }] }],
      }, label);
      const a = tree.main.children.request_a;
      assert.ok(a.totalMs >= 24 && a.children.step_a.children.wait.totalMs >= 24, `${label}: ${a.totalMs}`);
      assert.ok(a.selfMs < Math.max(5, a.totalMs / 4), `${label}: request_a's awaits are its children's time, not its own: ${a.selfMs} of ${a.totalMs}`);
      assert.equal(tree.main.selfMs, 0, 'three concurrent children outlast their parent: clamped');
    }),
  );
});

test('threads: every call counted, rewritten or wrapped, with reports taken every millisecond (3.8/3.9 switch threads mid-update)', async () => {
  const pythons = [...available, ['3.9', pyenvPython('3.9')], ['3.10', pyenvPython('3.10')]].filter(([, p]) => p);
  await Promise.all(
    pythons.map(async ([label, python]) => {
      for (const spans of ['0', '1']) {
        const r = await runPython(python, ['run.py'], {
          cwd: path.join(fixtures, 'threads'),
          trace: ['counting:leaf', 'counting:gen', 'counting:made', 'math:sqrt'],
          extra: { TANZHEN_FLUSH_MS: '1', TANZHEN_SPANS: spans },
        });
        assert.equal(r.code, 0, `${label}: ${r.stderr}`);
        assert.equal(r.stderr, '', label);
        const f = byName(r.reports[0]);
        const got = Object.fromEntries(['leaf', 'gen', 'made', 'sqrt'].map((n) => [n, [f[n].calls, f[n].probedBy]]));
        assert.deepEqual(got, {
          leaf: [80000, 'definition'],
          gen: [4, 'definition'],
          made: [80000, 'wrapper'],
          sqrt: [80000, 'wrapper'],
        }, `${label}, spans ${spans}`);
        const tree = r.reports[0].tree;
        const node = (name) => tree.filter((n) => r.reports[0].functions[n.fn].name === name).reduce((s, n) => s + n.calls, 0);
        assert.deepEqual([node('leaf'), node('made'), node('sqrt')], [80000, 80000, 80000], `${label}: the tree counts them too`);
      }
    }),
  );
});

test('TANZHEN_SPANS=1: one span per call, nested by parent id, errors flagged; TANZHEN_MAX_SPANS caps them', async () => {
  await Promise.all(
    available.map(async ([label, python]) => {
      const before = Date.now();
      const r = await runPython(python, ['both.py'], { cwd: nesting, trace: ['tasks:*', 'timed:*'], extra: { TANZHEN_SPANS: '1' } });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      const [report] = r.reports;
      const calls = report.functions.reduce((sum, f) => sum + f.calls, 0);
      assert.equal(calls, 12048);
      assert.deepEqual(report.spans, { file: `${report.pid}-0.spans`, written: calls, dropped: 0 }, label);
      const spans = spansOf(r.out, report);
      assert.equal(spans.length, calls, label);
      const byId = new Map(spans.map((s) => [s[0], s]));
      assert.equal(byId.size, calls, 'ids are unique');
      const name = (s) => report.functions[s[2]].name;
      const parentName = (s) => (s[1] === 0 ? null : name(byId.get(s[1])));
      const count = (fn, parent) => spans.filter((s) => name(s) === fn && parentName(s) === parent).length;
      assert.equal(count('child', 'parent'), 2);
      assert.equal(count('step_a', 'request_a'), 4);
      assert.equal(count('step_b', 'request_b'), 3);
      assert.equal(count('blocking', 'offload'), 1);
      assert.equal(count('leaf', 'numbers'), 3);
      assert.equal(count('main', null), 1);
      assert.deepEqual(spans.filter((s) => s[5] === 1).map(name), ['boom'], 'only boom threw');
      for (const s of spans) {
        const start = report.timeOrigin + s[3];
        assert.ok(start >= before - 1000 && start + s[4] <= Date.now() + 1000, `${label}: ${name(s)} at ${start}`);
        const parent = byId.get(s[1]);
        if (parent) assert.ok(s[3] >= parent[3] - 1e-3 && s[3] + s[4] <= parent[3] + parent[4] + 1e-3, `${label}: ${name(s)} inside ${name(parent)}`);
      }

      const capped = await runPython(python, ['both.py'], { cwd: nesting, trace: ['tasks:*', 'timed:*'], extra: { TANZHEN_SPANS: '1', TANZHEN_MAX_SPANS: '100' } });
      const [small] = capped.reports;
      assert.deepEqual(small.spans, { file: `${small.pid}-0.spans`, written: 100, dropped: calls - 100 }, label);
      assert.equal(statSync(path.join(capped.out, 'processes', small.spans.file)).size, 100 * 48);
    }),
  );
});

// ---------------------------------------------------------------- bootstrap

test('without TANZHEN_RUN the bootstrap does nothing, but the user’s sitecustomize still runs', async () => {
  const r = await runPython(PY, ['quiet.py'], { run: '', trace: ['work:task'], pythonPath: [path.join(fixtures, 'usersite')] });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'user sitecustomize ran\nprobe loaded False\nhooks []\nwrapped False\nuser sitecustomize True\n');
  assert.equal(r.stderr, '');
  assert.deepEqual(r.reports, []);
  assert.equal(existsSync(path.join(r.out, 'processes')), false);
});

test('a user sitecustomize that fails is reported by site.py as it would be without tanzhen', async () => {
  const dir = tempDir();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(dir, 'sitecustomize.py'), "raise RuntimeError('broken site')\n");
  const env = { ...probeEnv({ trace: ['work:task'], pythonPath: [dir], out: tempDir() }) };
  const noProbe = execFileSync(PY, ['-c', 'print("ran")'], { env: { ...env, PYTHONPATH: dir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const r = await runPython(PY, ['-c', 'import work; print("ran", work.task(1))'], { trace: ['work:task'], pythonPath: [dir] });
  assert.equal(noProbe, 'ran\n');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'ran 4\n');
  assert.match(r.stderr, /Error in sitecustomize; set PYTHONVERBOSE for traceback:\nRuntimeError: broken site/);
  assert.equal(byName(r.reports[0]).task.calls, 1, 'the probe is installed before the user’s sitecustomize runs');
});

test('Node-only targets are ignored silently; bare names are Python modules; a module never imported is not matched', async () => {
  const r = await runPython(PY, ['-c', 'import work; work.task(1)'], {
    trace: ['./work.js:task', '../x.js:f', '/abs/x.js:f', 'node:fs:readFileSync', 'fs:readFileSync', 'os:getcwd', '@scope/pkg:f', 'express/lib/router:route', 'never_imported:f', 'work:task'],
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const [report] = r.reports;
  assert.deepEqual(report.matched.sort(), ['os:getcwd', 'work:task']);
  assert.deepEqual(report.candidates, {});
  assert.deepEqual(report.functions.map((f) => f.target).sort(), ['os:getcwd', 'work:task']);
});

test('a Python that tanzhen does not support is left alone, with one warning', async (t) => {
  const old = pyenvPython('2.7') ?? pyenvPython('3.6');
  if (!old) return t.skip('no Python 2.7 or 3.6 under pyenv');
  const r = await runPython(old, ['-c', 'import sys; sys.stdout.write("ok\\n")'], { trace: ['work:task'] });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ok\n');
  assert.match(r.stderr, /^tanzhen: warning: Python \d\.\d+ is not supported/);
});

// ---------------------------------------------------------------- reports

test('forked children (multiprocessing and os.fork) report their own calls; fork() gets no multi-thread warning', async () => {
  await Promise.all(
    available.map(async ([label, python]) => {
      const r = await runPython(python, ['forks.py'], { trace: ['work:*'], extra: { TANZHEN_SPANS: '1' } });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assert.equal(r.stdout, 'exit codes [0, 0]\n');
      assert.equal(r.stderr, '', label);
      const counts = r.reports.map((rep) => byName(rep).task?.calls ?? 0).sort();
      assert.deepEqual(counts, [1, 1, 1, 1], `${label}: parent and three children, each with its own call`);
      assert.equal(new Set(r.reports.map((rep) => rep.pid)).size, 4);
      for (const rep of r.reports) {
        assert.deepEqual(shapeOf(treeOf(rep)), { task: [1, { inner: 1 }] }, `${label}: the parent's calls are not counted again in a child`);
        assert.deepEqual(rep.spans, { file: `${rep.pid}-0.spans`, written: 2, dropped: 0 });
        assert.equal(spansOf(r.out, rep).length, 2);
      }
    }),
  );
});

test('the report is flushed periodically while the process runs, also after a fork', async () => {
  const out = tempDir();
  const env = probeEnv({ trace: ['work:task'], out, extra: { TANZHEN_FLUSH_MS: '50' } });
  const child = spawn(PY, ['slow.py', '3'], { cwd: fixtures, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('close', resolve));
  await new Promise((resolve) => child.stdout.once('data', resolve));
  let seen;
  for (let i = 0; i < 40 && !seen; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = reports(out).find((rep) => rep.pid === child.pid && byName(rep).task?.calls === 1);
  }
  child.kill('SIGKILL');
  await exited;
  assert.ok(seen, `no periodic report while running (stderr: ${stderr})`);
});

test('os._exit() still writes the report (multiprocessing children end that way)', async () => {
  const r = await runPython(PY, ['-c', 'import os, work; work.task(1); os._exit(3)'], { trace: ['work:task'], extra: { TANZHEN_FLUSH_MS: '0' } });
  assert.equal(r.code, 3);
  assert.equal(byName(r.reports[0]).task.calls, 1);
});

test('a process with no Python target still reports itself, at exit', async () => {
  const r = await runPython(PY, ['-c', 'print(1)'], { trace: ['./app.js:main'] });
  assert.equal(r.stdout, '1\n');
  assert.equal(r.reports.length, 1);
  assert.deepEqual(r.reports[0].functions, []);
  assert.equal(r.reports[0].runtime, 'python');
});

test('the histogram layout is bucket for bucket the one of src/common/histogram.ts', async (t) => {
  const values = [];
  for (let ns = 0; ns < 300; ns++) values.push(ns);
  for (let e = 6; e <= 52; e++) for (const d of [-1, 0, 1, 12345]) values.push(2 ** e + d);
  let seed = 42;
  for (let i = 0; i < 3000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    values.push(Math.floor(2 ** ((seed / 2 ** 31) * 46)));
  }
  const r = await runPython(PY, ['buckets.py'], { run: '', input: JSON.stringify(values) });
  assert.equal(r.code, 0, r.stderr);
  const [python, inlined] = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(inlined, python, 'the wrappers’ table lookup agrees with bucket_of()');
  const histogram = path.join(root, 'dist/common/histogram.js');
  if (!existsSync(histogram)) return t.skip('dist/common/histogram.js not built');
  const { bucketOf, BUCKETS } = await import(pathToFileURL(histogram).href);
  assert.equal(BUCKETS, 2496);
  const mismatches = values.map((ns, i) => [ns, python[i], bucketOf(ns)]).filter(([, p, n]) => p !== n);
  assert.deepEqual(mismatches.slice(0, 10), []);
});

// ---------------------------------------------------------------- through the launcher

test('through `tanzhen run`: the seed example, python as a command', { skip: !launcherBuilt && 'launcher not built' }, async () => {
  await Promise.all(
    available.map(async ([label, python]) => {
      const out = tempDir();
      const r = await tanzhen(['run', '-t', 'hello:sleep', '-t', 'hello:slep', '--out', out, '--', python, 'test.py', 'arg1', 'arg2'], { cwd: hello, env: { HELLO_SLEEP: '0.05' } });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assert.equal(r.stdout, "['test.py', 'arg1', 'arg2']\n0.05\n", label);
      const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
      assert.deepEqual(summary.processes.map((p) => p.runtime), ['python']);
      const sleep = summary.functions.find((f) => f.name === 'sleep');
      assert.equal(sleep.target, 'hello:sleep');
      assert.equal(sleep.calls, 1);
      assert.ok(sleep.p50Ms >= 45 && sleep.p50Ms <= sleep.maxMs, JSON.stringify(sleep));
      assert.deepEqual(summary.unmatched.map((u) => u.target), ['hello:slep']);
      assert.match(summary.unmatched[0].message, /sleep/);
    }),
  );
});

test('through `tanzhen run`: a Node program spawning a Python child gives one summary with both runtimes', { skip: !launcherBuilt && 'launcher not built' }, async () => {
  const out = tempDir();
  const r = await tanzhen(['run', '-t', './main.mjs:double', '-t', 'worker:square', '--out', out, '--', process.execPath, 'main.mjs'], {
    cwd: path.join(fixtures, 'mixed'),
    env: { PYTHON: PY },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'node 6\npython 16\n');
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.processes.map((p) => p.runtime).sort(), ['node', 'python']);
  const calls = Object.fromEntries(summary.functions.map((f) => [f.name, f.calls]));
  assert.deepEqual(calls, { double: 2, square: 1 });
  assert.deepEqual(summary.unmatched, []);
  assert.deepEqual(summary.tree.map((n) => [n.name, n.calls]).sort(), [['double', 2], ['square', 1]], 'both runtimes in the tree');
});

test('through `tanzhen run --out`: summary.json’s tree and selfMs, and trace.json, include the Python process', { skip: !launcherBuilt && 'launcher not built' }, async (t) => {
  const out = tempDir();
  const r = await tanzhen(['run', '-q', '--out', out, '-t', 'timed:*', '-t', 'tasks:*', '--', PY, 'both.py'], { cwd: nesting });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'done\n13\ncaught\n');
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  const parent = summary.functions.find((f) => f.name === 'parent');
  assert.ok(parent.selfMs >= 9.5 && parent.selfMs <= parent.totalMs - 40, JSON.stringify(parent));
  const node = (nodes, name) => nodes.find((n) => n.name === name);
  const main = node(summary.tree, 'main');
  assert.ok(main, JSON.stringify(summary.tree.map((n) => n.name)));
  assert.equal(node(node(main.children, 'request_a').children, 'step_a').calls, 4);
  assert.equal(node(node(summary.tree, 'parent').children, 'child').calls, 2);
  assert.equal(summary.droppedSpans, 0);
  const [report] = reports(out);
  assert.equal(report.spans.written, 12048, 'tanzhen run --out keeps spans');
  if (!existsSync(path.join(root, 'dist/report/chrome-trace.js'))) return t.skip('trace.json not built yet');
  const trace = JSON.parse(readFileSync(path.join(out, 'trace.json'), 'utf8'));
  const events = trace.traceEvents.filter((e) => e.ph === 'X' && e.pid === report.pid);
  assert.equal(events.length, 12048);
  assert.ok(events.every((e) => e.cat === 'python'));
  const [parentEvent] = events.filter((e) => e.name === 'parent');
  const inside = (e, outer) => e.tid === outer.tid && e.ts >= outer.ts && e.ts + e.dur <= outer.ts + outer.dur;
  assert.equal(events.filter((e) => e.name === 'child' && inside(e, parentEvent)).length, 2);
  assert.ok(trace.traceEvents.some((e) => e.ph === 'M' && e.pid === report.pid && e.name === 'process_name' && /python.* both\.py/.test(e.args.name)));
});

test('through `tanzhen run --otlp`: the Python process’s calls are exported as spans, nested', { skip: !launcherBuilt && 'launcher not built' }, async () => {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      for (const rs of JSON.parse(body).resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) received.push(...(ss.spans ?? []));
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/v1/traces`;
    const r = await tanzhen(['run', '-q', `--otlp=${url}`, '-t', 'timed:*', '--', PY, 'run_timed.py'], { cwd: nesting, env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(received.map((s) => s.name).sort(), ['boom', 'child', 'child', 'consume', 'leaf', 'leaf', 'leaf', 'leaf', 'leaf', 'numbers', 'parent']);
    const parent = received.find((s) => s.name === 'parent');
    const children = received.filter((s) => s.name === 'child');
    assert.ok(children.every((c) => c.parentSpanId === parent.spanId && c.traceId === parent.traceId), JSON.stringify(received.slice(0, 3)));
  } finally {
    server.close();
  }
});

test('through `tanzhen run`: a shell script that starts Python is probed too', { skip: !launcherBuilt && 'launcher not built' }, async () => {
  const out = tempDir();
  const r = await tanzhen(['run', '-q', '-t', 'hello:sleep', '--out', out, '--', 'sh', '-c', '"$PY" test.py arg1 arg2 && "$PY" test.py again'], {
    cwd: hello,
    env: { HELLO_SLEEP: '0.01', PY },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "['test.py', 'arg1', 'arg2']\n0.01\n['test.py', 'again']\n0.01\n");
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.processes.map((p) => p.runtime), ['python', 'python']);
  assert.equal(summary.functions.find((f) => f.name === 'sleep').calls, 2);
});
