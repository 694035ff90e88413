// Preloaded (node -r child.cjs prog) into a generated program run as the
// main module, bare or under `tanzhen run`: the program is Node's entry point
// exactly as a user's would be. Every event goes to stdout as it happens; the
// queued steps start once the main module and all it started have finished
// (the first 'beforeExit', whatever the module format), and rejections
// nobody handles are left to Node's default (the process dies), so the exit
// code and stderr are the program's own.
'use strict';
const { Recorder } = require('./recorder.cjs');

const recorder = new Recorder({ print: true });
globalThis.__fz = recorder;
let started = false;
process.on('beforeExit', async () => {
  if (started) return;
  started = true;
  await recorder.run();
  recorder.push(['end']);
});
