// Prometheus metrics (--metrics-port): the exposition format and its
// histogram, the endpoint (loopback only, aggregated over the run), and a
// real Prometheus (Debian's `prometheus`, installed by .ci/run) scraping a
// probed server. Skipped only where prometheus is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { bin, fixture, node, root, tempDir } from './helpers.mjs';

const { bucketOf } = await import(path.join(root, 'dist/common/histogram.js'));
const { mergeReports, renderMetrics, BUCKETS_SECONDS } = await import(path.join(root, 'dist/exporters/metrics-text.js'));

const SERVER = fixture('metrics');
const hasPrometheus = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;
const linux = process.platform === 'linux';

function report(pid, functions) {
  return { version: 1, pid, threadId: 0, runtime: 'node', runtimeVersion: 'v20', argv: [], startedAt: 0, functions, matched: [], candidates: {}, warnings: [] };
}

function histogramOf(msList) {
  const counts = new Map();
  for (const ms of msList) counts.set(bucketOf(ms * 1e6), (counts.get(bucketOf(ms * 1e6)) ?? 0) + 1);
  return [...counts];
}

function parseText(text) {
  const samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    assert.ok(m, `a sample line: ${line}`);
    samples.set(m[1] + (m[2] ?? ''), Number(m[3]));
  }
  return samples;
}

test('format: processes merged per function, cumulative buckets from the log-linear histogram, both text formats', () => {
  const f = (calls, errors, ms) => ({ target: './a.js:q', name: 'Client.query', file: '/srv/app/a.js', line: 3, calls, errors, totalMs: ms.reduce((a, b) => a + b, 0), selfMs: 0, maxMs: Math.max(...ms), histogram: histogramOf(ms) });
  const reports = [report(1, [f(3, 1, [0.0005, 0.002, 40])]), report(2, [f(2, 0, [0.002, 3000])])];
  const rows = mergeReports(reports, '/srv/app');
  assert.equal(rows.length, 1);

  const text = renderMetrics(rows, false);
  assert.match(text, /^# HELP tanzhen_function_calls_total .+\n# TYPE tanzhen_function_calls_total counter\n/);
  const s = parseText(text);
  const labels = 'function="Client.query",file="a.js"';
  assert.equal(s.get(`tanzhen_function_calls_total{${labels}}`), 5);
  assert.equal(s.get(`tanzhen_function_errors_total{${labels}}`), 1);
  const bucket = (le) => s.get(`tanzhen_function_duration_seconds_bucket{${labels},le="${le}"}`);
  assert.equal(bucket('0.000001'), 1); // 0.5 µs
  assert.equal(bucket('0.0000025'), 3); // + two of 2 µs
  assert.equal(bucket('0.025'), 3);
  assert.equal(bucket('0.05'), 4); // 40 ms
  assert.equal(bucket('2.5'), 4);
  assert.equal(bucket('5.0'), 5); // 3 s
  assert.equal(bucket('10.0'), 5);
  assert.equal(bucket('+Inf'), 5);
  assert.equal(s.get(`tanzhen_function_duration_seconds_count{${labels}}`), 5);
  assert.ok(Math.abs(s.get(`tanzhen_function_duration_seconds_sum{${labels}}`) - 3.0400045) < 1e-9);
  let previous = 0;
  for (const le of BUCKETS_SECONDS) {
    const v = bucket(String(le).includes('.') || String(le).includes('e') ? String(le) : `${le}.0`);
    assert.ok(v >= previous, 'buckets are cumulative');
    previous = v;
  }

  const om = renderMetrics(rows, true);
  assert.match(om, /# TYPE tanzhen_function_calls counter\n/);
  assert.match(om, /\ntanzhen_function_calls_total\{function="Client.query",file="a.js"\} 5\n/);
  assert.match(om, /# UNIT tanzhen_function_duration_seconds seconds\n/);
  assert.ok(om.endsWith('# EOF\n'));
});

test('format: label values are escaped; files outside the run directory stay absolute', () => {
  const fn = { target: 't', name: 'a"b\\c', file: '/elsewhere/x.js', calls: 1, errors: 0, totalMs: 1, selfMs: 1, maxMs: 1, histogram: histogramOf([1]) };
  const text = renderMetrics(mergeReports([report(1, [fn])], '/srv/app'), false);
  assert.match(text, /tanzhen_function_calls_total\{function="a\\"b\\\\c",file="\/elsewhere\/x.js"\} 1\n/);
});

/** The listening TCP sockets of `pid`, as "address:port" (hex, as in /proc/net/tcp). */
function listeningSockets(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const found = [];
  for (const proto of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/net/${proto}`, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[3] === '0A' && inodes.has(cols[9])) found.push(`${proto} ${cols[1]}`);
    }
  }
  return found;
}

/** Starts `tanzhen run --metrics-port 0 … -- node server.js`; resolves once both the server and the endpoint are up. */
function startProbedServer(extra = []) {
  const child = spawn(node, [bin, 'run', '--metrics-port', '0', '--flush-interval', '200', '-t', './server.js:handle', '-t', './server.js:lookup', ...extra, '--', 'node', 'server.js'], {
    cwd: SERVER,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const ready = new Promise((resolve, reject) => {
    const check = () => {
      const app = /^port (\d+)$/m.exec(stdout);
      const metrics = /metrics at (http:\/\/[^\s]+\/metrics)/.exec(stderr);
      if (app && metrics) resolve({ appPort: Number(app[1]), metricsUrl: metrics[1] });
    };
    child.stdout.on('data', (d) => ((stdout += d), check()));
    child.stderr.on('data', (d) => ((stderr += d), check()));
    exited.then((r) => reject(new Error(`tanzhen ended before it was ready: ${r.stderr}`)));
  });
  const stop = async () => {
    const { appPort } = await ready.catch(() => ({}));
    if (appPort) await fetch(`http://127.0.0.1:${appPort}/quit`).catch(() => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  return { child, ready, stop };
}

async function drive(appPort, hello, fail) {
  for (let i = 0; i < hello; i++) assert.equal(await (await fetch(`http://127.0.0.1:${appPort}/hello`)).text(), 'hello hello\n');
  for (let i = 0; i < fail; i++) assert.equal((await fetch(`http://127.0.0.1:${appPort}/fail`)).status, 500);
}

async function until(what, fn, ms = 20_000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last !== undefined) return last;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}: ${last?.message ?? JSON.stringify(last)}`);
}

test('the endpoint: live counters of a probed server, on loopback only, both formats; the program is unaffected', async () => {
  const server = startProbedServer();
  try {
    const { appPort, metricsUrl } = await server.ready;
    assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    if (linux) {
      const sockets = listeningSockets(server.child.pid);
      assert.equal(sockets.length, 1, JSON.stringify(sockets));
      assert.match(sockets[0], /^tcp 0100007F:/); // 127.0.0.1
    }
    await drive(appPort, 7, 2);
    const samples = await until('the counters', async () => {
      const res = await fetch(metricsUrl);
      assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      const s = parseText(await res.text());
      return s.get('tanzhen_function_calls_total{function="handle",file="server.js"}') === 9 ? s : undefined;
    });
    assert.equal(samples.get('tanzhen_function_errors_total{function="handle",file="server.js"}'), 2);
    assert.equal(samples.get('tanzhen_function_calls_total{function="lookup",file="server.js"}'), 7);
    assert.equal(samples.get('tanzhen_function_duration_seconds_count{function="handle",file="server.js"}'), 9);
    assert.equal(samples.get('tanzhen_function_duration_seconds_bucket{function="handle",file="server.js",le="+Inf"}'), 9);

    const om = await fetch(metricsUrl, { headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    assert.match(om.headers.get('content-type'), /^application\/openmetrics-text; version=1\.0\.0/);
    assert.ok((await om.text()).endsWith('# EOF\n'));
    assert.equal((await fetch(metricsUrl.replace('/metrics', '/'))).status, 404);
  } finally {
    const result = await server.stop();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^port \d+\n$/);
  }
});

test('a port already in use: one warning, the program runs', async () => {
  const busy = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => busy.once('listening', r));
  try {
    const { status, stdout, stderr } = spawnSync(node, [bin, 'run', '--metrics-port', String(busy.address().port), '--', 'node', '-e', 'console.log("ran"); process.exitCode = 5'], { encoding: 'utf8' });
    assert.equal(status, 5);
    assert.equal(stdout, 'ran\n');
    assert.match(stderr, /no metrics endpoint on 127\.0\.0\.1:\d+: EADDRINUSE/);
  } finally {
    busy.close();
  }
});

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

test('Prometheus, really running, scrapes the per-function counters of a probed server', { skip: !hasPrometheus && 'prometheus is not installed (.ci/run installs it)', timeout: 60_000 }, async () => {
  const server = startProbedServer();
  let prometheus;
  try {
    const { appPort, metricsUrl } = await server.ready;
    const dir = tempDir('tz-prom-');
    const target = new URL(metricsUrl).host;
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: tanzhen\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const promPort = await freePort();
    const api = `http://127.0.0.1:${promPort}`;
    let promLog = '';
    prometheus = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stdout.on('data', (d) => (promLog += d));
    prometheus.stderr.on('data', (d) => (promLog += d));
    await until('prometheus to start', async () => ((await fetch(`${api}/-/ready`)).ok ? true : undefined)).catch((e) => {
      throw new Error(`${e.message}\n${promLog.slice(-2000)}`);
    });

    await drive(appPort, 20, 3);
    const query = async (q) => {
      const body = await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`)).json();
      assert.equal(body.status, 'success');
      return body.data.result;
    };
    const result = await until('Prometheus to have scraped 23 calls of handle', async () => {
      const r = await query('tanzhen_function_calls_total{function="handle"}');
      return r.length === 1 && r[0].value[1] === '23' ? r : undefined;
    });
    assert.equal(result[0].metric.file, 'server.js');
    assert.equal(result[0].metric.job, 'tanzhen');
    assert.equal((await query('tanzhen_function_errors_total{function="handle"}'))[0].value[1], '3');
    assert.equal((await query('tanzhen_function_calls_total{function="lookup"}'))[0].value[1], '20');
    assert.equal((await query('tanzhen_function_duration_seconds_count{function="handle"}'))[0].value[1], '23');
    // The histogram is usable as one: a quantile comes out, between 0 and 1 s for these tiny calls.
    const p99 = Number((await query('histogram_quantile(0.99, tanzhen_function_duration_seconds_bucket{function="handle"})'))[0].value[1]);
    assert.ok(p99 > 0 && p99 < 1, `p99 ${p99}`);
    const up = await query('up{job="tanzhen"}');
    assert.equal(up[0].value[1], '1');
  } finally {
    prometheus?.kill('SIGTERM');
    if (prometheus) await new Promise((r) => (prometheus.exitCode !== null ? r() : prometheus.once('close', r)));
    const result = await server.stop();
    assert.equal(result.code, 0, result.stderr);
  }
});
