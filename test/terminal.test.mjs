// SIGINT and a real terminal (a pseudo-terminal, test/fixtures/signals/pty-run.py):
// Ctrl-C reaches the program once (from the terminal, not again from the
// launcher); a SIGINT sent with kill to a launcher running as a background job
// of the terminal is forwarded, so the program's handler runs and its exit
// code (7) passes through, as with plain node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bin, fixture, node } from './helpers.mjs';

const cwd = fixture('signals');
const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
const skip = process.platform !== 'linux' ? 'Linux /proc' : !python && 'no python3 for the pty';

function onTerminal(mode, command) {
  const r = spawnSync(python, ['pty-run.py', mode, ...command], { cwd, encoding: 'utf8', timeout: 60_000 });
  return r.stdout + r.stderr;
}

for (const mode of ['ctrl-c', 'kill']) {
  test(`SIGINT on a terminal (${mode}): the program gets it exactly once and exits 7, as with plain node`, { skip }, () => {
    const plain = onTerminal(mode, [node, 'sigint.js']);
    assert.match(plain, /^ready\n(\^C)?sigint 1\nstatus 7\n$/);
    const probed = onTerminal(mode, [node, bin, 'run', '-q', '-t', './work.js:tick', '--', node, 'sigint.js']);
    assert.equal(probed, plain);
  });
}
