// Child of the load survey: loads each file named in the JSON list argv[2]
// (from index argv[3] on), `require` for CommonJS and `import()` for ES
// modules, each in a try/catch, and reports on fd 3 — stdout and stderr belong
// to the files loaded (CLIs print their help). A line "start I" goes out
// before file I and "ok I" or "fail I <message>" after it, so when a file ends
// the process (process.exit, a crash) or hangs, the parent knows which one.
import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [list, from] = [JSON.parse(readFileSync(process.argv[2], 'utf8')), Number(process.argv[3] ?? 0)];
// The files loaded see no arguments: some (test fixtures, CLIs) write to process.argv[2].
process.argv.length = 2;
const require = createRequire(import.meta.url);
const PENDING_MS = 5_000;

const say = (line) => writeSync(3, `${line}\n`);

for (let i = from; i < list.length; i++) {
  const { file, esm } = list[i];
  say(`start ${i}`);
  try {
    if (esm) await settles(import(pathToFileURL(file).href));
    else require(file);
    say(`ok ${i}`);
  } catch (error) {
    say(`fail ${i} ${describe(error)}`);
  }
}
say('done');
process.exit(0);

/** An import whose top-level await never settles is reported, not waited for. */
function settles(promise) {
  let timer;
  const pending = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${PENDING_MS} ms`)), PENDING_MS);
  });
  return Promise.race([promise, pending]).finally(() => clearTimeout(timer));
}

function describe(error) {
  const name = error?.constructor?.name ?? typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return `${name}: ${message}`.split('\n')[0].slice(0, 300);
}
