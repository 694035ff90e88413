// The bench code keeps working: `node bench/run.mjs --smoke` (tiny sizes, this
// Node only, no thresholds) runs every section end to end. Nothing here
// depends on timing: only that each figure was produced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

test('bench --smoke runs every section and writes its results', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tz-bench-'));
  try {
    const out = join(dir, 'results.json');
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('TANZHEN_') || k === 'NODE_OPTIONS') delete env[k];
    const r = spawnSync(process.execPath, ['bench/run.mjs', '--smoke', '--out', out], { cwd: ROOT, env, encoding: 'utf8', timeout: 170_000 });
    assert.equal(r.status, 0, `bench --smoke failed:\n${r.stderr}\n${r.stdout}`);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    const major = process.versions.node.split('.')[0];
    const finite = (x, what) => assert.ok(Number.isFinite(x) && x >= 0, `${what}: ${x}`);

    assert.equal(res.mode, 'smoke');
    assert.deepEqual(res.targets, []);

    const pc = res.percall[major];
    for (const kind of ['sync', 'async']) for (const v of ['bare', 'hand', 'probe', 'otel']) finite(pc[kind][v], `percall ${kind} ${v}`);
    finite(pc.sync.clock2, 'clock2');
    assert.ok(Number.isFinite(pc.derived.sync.probePerClock2));

    for (const kind of ['cjs', 'esm']) {
      const v = res.load[major][kind].variants;
      for (const name of ['bare', 'tanzhen', kind === 'cjs' ? 'require-in-the-middle' : 'import-in-the-middle']) finite(v[name].loadMs, `load ${kind} ${name}`);
    }
    // The same trees built by tsc with source maps: each map read, none naming the target.
    for (const kind of ['cjs-maps', 'esm-maps']) {
      const v = res.load[major][kind].variants;
      for (const name of ['bare', 'tanzhen', 'tanzhen (CommonJS target)']) finite(v[name].cpuRatio, `load ${kind} ${name}`);
    }

    const roles = Object.values(res.startup[major].variants).map((v) => v.role);
    for (const role of ['bare', 'preload', 'launcher']) assert.ok(roles.includes(role), `start-up ${role}`);
    for (const v of Object.values(res.startup[major].variants)) finite(v.wallMs, 'start-up wall');

    const mem = res.memory[major];
    assert.ok(mem.probe.calls > 0);
    assert.ok(Number.isFinite(mem.probe.rssGrowthMB));

    assert.match(r.stdout, /a\. Per call/);
    assert.match(r.stdout, /d\. Memory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
