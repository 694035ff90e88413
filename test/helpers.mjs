// Runs the real `tanzhen run` on fixture programs, with the Node that runs
// the tests (so the CI matrix exercises every Node), and reads summary.json.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
export const bin = path.join(root, 'bin/tanzhen.js');
export const fixtures = path.join(root, 'test/fixtures');
export const node = process.execPath;
export const [major, minor] = process.versions.node.split('.').map(Number);

export function tempDir(prefix = 'tz-test-') {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * tanzhen run [options] -- command..., in `cwd`. Resolves with exit code,
 * signal, stdout, stderr and the parsed summary.json (if written).
 */
export function tanzhen(args, { cwd = root, env = {}, input, onSpawn, timeout = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      // The program's own children too: one left alive holds our pipes open, and the test file would wait on it for ever.
      for (const pid of descendants(child.pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      child.kill('SIGKILL');
      reject(new Error(`tanzhen ${args.join(' ')} timed out\n${stderr}`));
    }, timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
    onSpawn?.(child);
  });
}

/** Every process below `pid` (from ps), deepest last. */
function descendants(pid) {
  let table;
  try {
    table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const children = new Map();
  for (const line of table.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const out = [];
  for (const queue = [pid]; queue.length > 0; ) for (const c of children.get(queue.shift()) ?? []) out.push(c), queue.push(c);
  return out;
}

/** Runs `command` under the probe with `targets`, writing to a fresh out dir; adds `summary`. */
export async function probe(targets, command, options = {}) {
  const out = tempDir();
  const args = ['run', '--out', out, ...targets.flatMap((t) => ['-t', t]), ...(options.extra ?? []), '--', ...command];
  const result = await tanzhen(args, options);
  const file = path.join(out, 'summary.json');
  const summary = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  return { ...result, out, summary };
}

/** The summary row of function `name` (optionally in a file ending with `file`). */
export function fn(summary, name, file) {
  const row = summary?.functions.find((f) => f.name === name && (!file || f.file.endsWith(file)));
  if (!row) throw new Error(`no function ${name} in summary: ${JSON.stringify(summary?.functions.map((f) => f.name))}`);
  return row;
}

export function calls(summary) {
  return Object.fromEntries(summary.functions.map((f) => [f.name, f.calls]));
}

export const fixture = (name) => path.join(fixtures, name);

/**
 * A Node.js binary of `version` from the npm registry (node-<os>-<arch>),
 * cached where .ci/run caches the others. Throws when it cannot be had: a
 * test that needs it fails rather than skips.
 */
export function nodeBinary(version) {
  const dir = path.join(process.env.TANZHEN_NODE_CACHE || path.join(os.homedir(), '.cache/tanzhen-node'), version);
  const bin = path.join(dir, 'package/bin/node');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', `node-${process.platform}-${process.arch}@${version}`, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  const archive = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (!archive) throw new Error(`npm pack gave no archive for Node ${version} in ${dir}`);
  execFileSync('tar', ['xzf', archive], { cwd: dir });
  rmSync(path.join(dir, archive));
  return bin;
}
