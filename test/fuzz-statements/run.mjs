// Running a generated program BARE and PROBED. In this process: the program
// is written twice, once as is and once through the real rewriter (a `*`
// target) with the real probe installed, and loaded by Node's own loaders.
// In a child: `node -r child.cjs prog`, bare and under the real `tanzhen run`.
// First, as the preload does before any program code runs (the recorder captures Function.prototype.toString).
import './install-source-text.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rewrite, RewriteError } from '../../dist/agent/instrument/rewrite.js';
import { parseTarget } from '../../dist/common/target.js';
import { makeProbe, PROBE_KEY } from '../../dist/agent/runtime/probe.js';
import { callFunction as callFunctionOf, currentSlot, endCall, startCall, unwind } from '../../dist/agent/runtime/calls.js';
import { functionInfo } from '../../dist/agent/runtime/recorder.js';
import { tanzhen, tempDir, node } from '../helpers.mjs';
import { Recorder, settle } from './recorder.cjs';

const require = createRequire(import.meta.url);
const preload = fileURLToPath(new URL('child.cjs', import.meta.url));
const root = tempDir('tz-fuzz-statements-');

// The real probe, with its bookkeeping watched: a call must end exactly once, and between two steps of a
// program no call may be left current (else every later call nests under it, without bound). A breach
// is logged as an event of the probed run, so it shows in the diff like any other difference.
const open = new Set();
const checkedProbe = makeProbe(
  (id) => {
    const slot = startCall(id);
    if (slot !== 0 && open.has(slot)) current?.push(['PROBE: slot reused while its call is open', functionInfo(id).name]);
    if (slot !== 0) open.add(slot);
    return slot;
  },
  (slot, failed) => {
    if (!open.has(slot)) return void current?.push(['PROBE: call ended twice (or never started)']);
    // Forgotten only once ended: an end that overflows the stack is retried by the probe, as with endCall itself.
    endCall(slot, failed);
    open.delete(slot);
  },
);
Object.defineProperty(globalThis, PROBE_KEY, { value: checkedProbe, configurable: true });

function leftOpen(recorder) {
  if (currentSlot() === 0) return;
  recorder.push(['PROBE: a call is still current between steps', functionInfo(callFunctionOf(currentSlot())).name]);
  // Start the next program clean, so one leak does not show up in every later one.
  for (let i = 0; i < 1e6 && currentSlot() !== 0; i++) unwind(currentSlot());
}

let current;
const onUnhandled = (reason) => current?.push(['unhandled rejection', current.describe(reason)]);
const onHandledLate = () => current?.push(['rejection handled late']);

/**
 * While a program runs, its unhandled rejections are ours to record (they are one of its outputs), not the
 * test runner's to report: the runner's listeners step aside, and come back afterwards.
 */
async function owningRejections(run) {
  const others = process.rawListeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onUnhandled);
  process.on('rejectionHandled', onHandledLate);
  try {
    return await run();
  } finally {
    process.off('unhandledRejection', onUnhandled);
    process.off('rejectionHandled', onHandledLate);
    for (const listener of others) process.on('unhandledRejection', listener);
  }
}

export const stats = { programs: 0, refused: 0 };
let serial = 0;

const extension = (format) => (format === 'module' ? '.mjs' : '.cjs');

/** Writes the program and its instrumented copy; `probed` is undefined when the rewriter refused it. */
export function prepare({ source, format }) {
  const dir = path.join(root, String(serial++));
  mkdirSync(path.join(dir, 'plain'), { recursive: true });
  mkdirSync(path.join(dir, 'probed'));
  const name = `prog${extension(format)}`;
  const plainFile = path.join(dir, 'plain', name);
  const probedFile = path.join(dir, 'probed', name);
  writeFileSync(plainFile, source);
  let result;
  let netError;
  try {
    result = rewrite(source, probedFile, format, [parseTarget(`./${name}:*`, path.dirname(probedFile))]);
  } catch (error) {
    // The re-parse net caught output of ours that does not parse: the program runs unprobed, but that is a rewriter bug.
    if (!(error instanceof RewriteError)) throw error;
    netError = error.message;
  }
  stats.programs++;
  if (!result) stats.refused++;
  // Refused: the real loader hands Node the original, so that is what runs.
  writeFileSync(probedFile, result ? result.code : source);
  return { plainFile, probedFile, code: result?.code, matched: result?.matched ?? [], netError };
}

async function runHere(file, probed) {
  const recorder = new Recorder({ afterStep: probed ? leftOpen : undefined });
  current = recorder;
  globalThis.__fz = recorder;
  try {
    try {
      if (file.endsWith('.mjs')) await import(pathToFileURL(file).href);
      else require(file);
    } catch (error) {
      recorder.push(['load threw', recorder.describe(error)]);
    }
    await recorder.run();
    await settle();
  } finally {
    current = undefined;
    delete globalThis.__fz;
  }
  return recorder.events;
}

/** The events of the bare and the probed run, in this process. */
export async function runBoth(program) {
  const prepared = prepare(program);
  const bare = await owningRejections(() => runHere(prepared.plainFile, false));
  const probed = await owningRejections(() => runHere(prepared.probedFile, true));
  return { bare, probed, ...prepared };
}

/** Exit code, stdout and the program's part of stderr, bare and under the real `tanzhen run`. */
export async function runChildren(program) {
  const dir = tempDir('tz-fuzz-child-');
  const name = `prog${extension(program.format)}`;
  writeFileSync(path.join(dir, name), program.source);
  const bare = await tanzhenFree(dir, name);
  const out = path.join(dir, 'out');
  const probed = await tanzhen(['run', '-q', '--out', out, '-t', `./${name}:*`, '--', 'node', '-r', preload, name], { cwd: dir });
  return { bare: observable(bare, dir), probed: observable(probed, dir), warnings: probed.stderr.split('\n').filter((l) => l.startsWith('tanzhen:') && !/^tanzhen: (warning: )?unmatched /.test(l)) };
}

async function tanzhenFree(cwd, name) {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['-r', preload, name], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Stderr without tanzhen's own lines, and stack frames only where they point into the program. Columns, and
 * the source line Node quotes above a crash, differ in rewritten files without source maps: a documented
 * difference (docs/transparency.md), compared only with TZ_FUZZ_DOCUMENTED=1.
 */
function observable({ code, signal, stdout, stderr }, dir) {
  const exact = process.env.TZ_FUZZ_DOCUMENTED === '1';
  const lines = stderr
    .split('\n')
    .filter((l) => !l.startsWith('tanzhen:') && !l.startsWith('unmatched '))
    .filter((l) => !/^\s+at /.test(l) || l.includes(dir))
    .filter((l, i, all) => exact || !(/prog\.[cm]js:\d+$/.test(all[i - 1] ?? '') || /^\s*\^+\s*$/.test(l)))
    .map((l) => (exact ? l : l.replace(/(prog\.[cm]js:\d+):\d+/g, '$1')));
  return { code, signal, stdout, stderr: lines.join('\n') };
}
