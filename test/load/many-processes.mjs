// 100 probed processes of one run writing their reports at once (a 20 ms
// flush interval, so the writes overlap all the time), while `tanzhen report`
// reads the run directory again and again: nothing lost, nothing torn. Run by
// .ci/run (it starts 100 Node processes), not by npm test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bin, fixture, fn, node, probe } from '../helpers.mjs';

const N = Number(process.env.TZ_PROCESSES ?? 100);

test(`${N} processes of one run write at once: every call counted, every file whole`, { timeout: 300_000 }, async () => {
  let reads = 0;
  let torn = [];
  let poller;
  const r = await probe(['./work.js:tick'], ['node', 'many.js', String(N)], {
    cwd: fixture('faults'),
    env: { LINGER_MS: '400' },
    extra: ['--flush-interval', '20'],
    timeout: 300_000,
    onSpawn: (child) => {
      const out = child.spawnargs[child.spawnargs.indexOf('--out') + 1];
      // A reader racing the writers: `tanzhen report --json` merges whatever is there, and must always parse it.
      poller = setInterval(() => {
        const report = spawnSync(node, [bin, 'report', out, '--json'], { encoding: 'utf8' });
        if (report.status === 2) return; // no report written yet
        reads++;
        try {
          JSON.parse(report.stdout);
        } catch {
          torn.push(report.stdout.slice(0, 200) + report.stderr);
        }
      }, 250);
    },
  });
  clearInterval(poller);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${N} children, 0 failed\n`);
  assert.equal(r.summary.processes.length, N + 1);
  assert.equal(fn(r.summary, 'tick').calls, (N * (N + 1)) / 2 + 1);
  const dir = path.join(r.out, 'processes');
  const files = readdirSync(dir);
  assert.deepEqual(files.filter((f) => f.endsWith('.tmp')), [], 'temporary files left behind');
  const reports = files.filter((f) => f.endsWith('.json'));
  assert.equal(reports.length, N + 1);
  for (const f of reports) JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  assert.deepEqual(torn, []);
  console.log(`${N + 1} process reports, ${reads} concurrent reads of the run directory, none torn`);
});
