// A program that runs a Node older than tanzhen supports (package.json's
// engines) runs unprobed: same output, same exit code, and one warning line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixture, nodeBinary, probe, root } from './helpers.mjs';

const OLD = '20.11.1'; // no process.getBuiltinModule(), which the bundled agent reads built-ins with
const minimum = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
const cwd = fixture('exits');
const warning = `tanzhen: warning: Node.js v${OLD} is not supported (tanzhen needs ${minimum}); this process runs without the probe`;

/** The program's stderr: without the launcher's lines. */
const program = (stderr) => stderr.split('\n').filter((line) => !/^(tanzhen:|unmatched )/.test(line)).join('\n');
/**
 * The bare run has an empty preload: any --import makes Node run the main
 * module through its ES-module loader, which changes the internal frames and
 * the caret of an uncaught error's report — Node's doing, not the probe's.
 */
const EMPTY_PRELOAD = ['--import', 'data:text/javascript,'];

test(`Node ${OLD} under tanzhen run: output and exit code unchanged, one warning`, { timeout: 600_000 }, async () => {
  const old = nodeBinary(OLD);
  for (const [mode, code] of [['exit', 7], ['throw', 1]]) {
    const bare = spawnSync(old, [...EMPTY_PRELOAD, 'main.js', mode], { cwd, encoding: 'utf8' });
    assert.equal(bare.status, code, bare.stderr);
    const r = await probe(['./work.js:tick'], [old, 'main.js', mode], { cwd });
    assert.equal(r.code, code, r.stderr);
    assert.equal(r.stdout, bare.stdout);
    assert.equal(program(r.stderr), program(bare.stderr));
    assert.deepEqual(r.stderr.split('\n').filter((line) => line.startsWith('tanzhen: warning')), [warning]);
    assert.doesNotMatch(r.stderr, /getBuiltinModule/);
  }
});

test(`Node ${OLD} with the preload alone: one warning (targets in TANZHEN_TRACE or a file), none without targets`, { timeout: 600_000 }, () => {
  const old = nodeBinary(OLD);
  const preload = ['--import', pathToFileURL(path.join(root, 'dist/agent/register.js')).href];
  const run = (env) => spawnSync(old, [...preload, 'main.js', 'exit'], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  const probed = run({ TANZHEN_TRACE: './work.js:tick' });
  assert.equal(probed.status, 7);
  assert.equal(probed.stderr, warning + '\n');
  const fromFile = run({ TANZHEN_TRACE: '', TANZHEN_TRACE_FILE: path.join(cwd, 'targets.txt') }); // many targets come in a file
  assert.equal(fromFile.stderr, warning + '\n');
  const idle = run({ TANZHEN_TRACE: '' });
  assert.equal(idle.status, 7);
  assert.equal(idle.stderr, '');
});
