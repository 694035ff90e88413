// Runs one generated program in a child process, bare or under `tanzhen run`:
// node runner.mjs <program>. Every event goes to stdout as it happens, and
// rejections nobody handles are left to Node's default (the process dies),
// so the exit code and stderr are the program's own.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Recorder } from './recorder.mjs';

const file = path.resolve(process.argv[2]);
const recorder = new Recorder({ print: true });
globalThis.__fz = recorder;
try {
  if (file.endsWith('.mjs')) await import(pathToFileURL(file).href);
  else createRequire(import.meta.url)(file);
} catch (error) {
  recorder.push(['load threw', recorder.describe(error)]);
}
await recorder.run();
recorder.push(['end']);
