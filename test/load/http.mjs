// Load: a node:http server whose handler is probed takes sustained load from
// wrk on loopback (TZ_LOAD_SECONDS, default 30 s), bare and then under the
// probe. Under the probe, the call count equals the requests the server
// served, no request fails, the server's memory stays bounded, and the p99
// latency is reported against the bare run. Run by .ci/run, not npm test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bin, fixture, node, tempDir } from '../helpers.mjs';

const cwd = fixture('load');
const seconds = Number(process.env.TZ_LOAD_SECONDS ?? 30);
const connections = 16;
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

/** Starts the server (through `prefix`, e.g. the launcher); resolves once it listens. */
function startServer(prefix) {
  const argv = [...prefix, node, 'server.js'];
  const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /listening (\d+) (\d+)/.exec(stdout);
      if (m) resolve({ port: Number(m[1]), pid: Number(m[2]) });
    });
    exited.then(() => reject(new Error(`server ended before listening: ${stderr}`)));
  });
  return { child, listening, exited };
}

function wrk(port) {
  return new Promise((resolve) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/items`]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => resolve(out));
  });
}

const UNITS = { us: 1e-3, ms: 1, s: 1000 };
function parseWrk(out) {
  const latency = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(out);
    return m ? Number(m[1]) * UNITS[m[2]] : NaN;
  };
  return {
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: latency(50),
    p90: latency(90),
    p99: latency(99),
    errors: /Socket errors:.*|Non-2xx or 3xx responses:.*/g.exec(out)?.[0] ?? '',
  };
}

/** Peak resident memory of a process, in MB. */
function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function underLoad(prefix) {
  const server = startServer(prefix);
  const { port, pid } = await server.listening;
  const load = parseWrk(await wrk(port));
  const rssMb = peakRss(pid);
  server.child.kill('SIGTERM');
  const end = await server.exited;
  const served = Number(/served (\d+)/.exec(end.stdout)?.[1]);
  return { ...load, served, rssMb, end };
}

test(`a probed node:http server under ${seconds} s of wrk load: every request counted, p99 reported`, { skip: !hasWrk && 'wrk is not installed (apt-get install wrk)', timeout: (seconds * 2 + 60) * 1000 }, async () => {
  const bare = await underLoad([]);
  assert.equal(bare.end.code, 0, bare.end.stderr);
  assert.equal(bare.errors, '', 'the bare server failed requests');

  const out = tempDir('tz-load-');
  const probed = await underLoad([node, bin, 'run', '-q', '--out', out, '-t', './handler.js:handle', '-t', './handler.js:render', '-t', 'http:createServer', '--']);
  assert.equal(probed.end.code, 0, probed.end.stderr);
  assert.equal(probed.errors, '', 'the probed server failed requests');
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  const calls = Object.fromEntries(summary.functions.map((f) => [f.name, f]));

  // Exact: every request the server served is one handle() call and one render() call.
  assert.ok(probed.served > 1000, `only ${probed.served} requests served`);
  assert.equal(calls.handle.calls, probed.served);
  assert.equal(calls.render.calls, probed.served);
  assert.equal(calls.handle.errors, 0);
  assert.equal(calls.createServer.calls, 1);
  // wrk counts the responses it read; at most one request per connection was still in flight at its end.
  assert.ok(probed.served >= probed.requests && probed.served - probed.requests <= connections, `${probed.served} served, ${probed.requests} completed`);

  // Memory stays bounded: the recorder's arrays and the span buffer are capped, whatever the number of calls.
  assert.ok(probed.rssMb < bare.rssMb + 100, `peak RSS ${probed.rssMb.toFixed(0)} MB probed vs ${bare.rssMb.toFixed(0)} MB bare`);
  // Latency: a loose sanity bound only (this machine is shared); the figures are what matter.
  assert.ok(probed.p99 < Math.max(bare.p99 * 5, bare.p99 + 50), `p99 ${probed.p99} ms probed vs ${bare.p99} ms bare`);

  const row = (name, r) => `| ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.rssMb.toFixed(0)} |`;
  const table = [
    `node ${process.version}, wrk -t1 -c${connections} -d${seconds}s on 127.0.0.1, ${new Date().toISOString().slice(0, 10)}`,
    '| server | requests | req/s | p50 ms | p90 ms | p99 ms | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('bare', bare),
    row('probed (handle, render, http:createServer)', probed),
    `handle() calls counted: ${calls.handle.calls} = requests served: ${probed.served}; probe's own p99 of handle(): ${calls.handle.p99Ms.toFixed(3)} ms`,
  ].join('\n');
  console.log(table);
  if (process.env.TZ_LOAD_RESULT) writeFileSync(process.env.TZ_LOAD_RESULT, table + '\n');
});
