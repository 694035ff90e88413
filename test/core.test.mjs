// The program aborts and dumps core: the core file in its directory is the
// program's, not the launcher's (which re-raises the program's signal to end
// the same way), and the shell still sees death by SIGABRT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bin, node, tanzhen, tempDir } from './helpers.mjs';

const pattern = (() => {
  try {
    return readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim();
  } catch {
    return '';
  }
})();
const skip = process.platform !== 'linux' ? 'Linux only' : !pattern || pattern.startsWith('|') || pattern.startsWith('/') ? `core_pattern ${pattern} does not write into the working directory` : false;

test('the program dumps core: its own core file is kept, the launcher dumps none and dies of SIGABRT', { skip }, () => {
  const cwd = tempDir();
  // The marker exists only in the program's memory, built at run time.
  const program = "globalThis.mark = ['MARK', 'ER', 42].join('_'); process.abort()";
  const script = `ulimit -c unlimited || exit 99; "${node}" "${bin}" run -q -- "${node}" -e "${program}" 2>/dev/null; echo "status $?"`;
  const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8' });
  if (r.stdout.includes('status 99')) return; // hard limit below unlimited: nothing to test
  assert.match(r.stdout, /status 134\n$/, r.stderr);
  const cores = readdirSync(cwd).filter((f) => f.startsWith('core'));
  assert.equal(cores.length, 1, `core files: ${cores}`);
  assert.ok(readFileSync(path.join(cwd, cores[0])).includes('MARK_ER_42'), 'the core file is the program’s');
});

test('as a parent sees it: the launcher is killed by SIGABRT', async () => {
  const r = await tanzhen(['run', '-q', '--', 'node', '-e', 'process.abort()'], { cwd: tempDir() });
  assert.equal(r.signal, 'SIGABRT', r.stderr);
});
