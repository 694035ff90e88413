// Our output never changes the program's fate: with stderr's reader gone
// (`tanzhen run … 2>&1 | head -1`), the launcher's table and the --calls
// lines fail with EPIPE; that is swallowed, the program finishes its work and
// the exit code is the program's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bin, fixture, node, tanzhen } from './helpers.mjs';

const cwd = fixture('signals');
const closeStderr = (child) => child.stderr.destroy();
const busy = "const w = require('./work'); for (let i = 0; i < 20000; i++) w.tick(); console.log('done'); process.exitCode = 3";

test('stderr closed: the launcher’s table fails with EPIPE, the exit code stays the program’s', async () => {
  const r = await tanzhen(['run', '-t', './work.js:tick', '--', 'node', '-e', busy], { cwd, onSpawn: closeStderr });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'done\n');
});

test('--calls with stderr closed: the program is not killed by EPIPE, finishes its work, keeps its exit code', async () => {
  const r = await tanzhen(['run', '--calls', '-t', './work.js:tick', '--', 'node', '-e', busy], { cwd, onSpawn: closeStderr });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'done\n');
});

test('as a shell sees it: `tanzhen run --calls … 2>&1 | head -1` prints the first line, status is the program’s', { skip: process.platform === 'win32' }, () => {
  const script = `"${node}" "${bin}" run --calls -t ./work.js:tick -- "${node}" -e "${busy}" 2>&1 | head -1; echo "status \${PIPESTATUS[0]}"`;
  const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8' });
  assert.equal(r.stdout, 'tanzhen: → tick\nstatus 3\n', r.stderr);
});

const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
test('Python, --calls with stderr closed: the program finishes, keeps its exit code', { skip: !python && 'no python3' }, async () => {
  const r = await tanzhen(['run', '--calls', '-t', 'work:tick', '--', python, '-c', 'import work, sys\nfor i in range(20000): work.tick(i)\nprint("done"); sys.exit(3)'], { cwd, onSpawn: closeStderr });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'done\n');
});
