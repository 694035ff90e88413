// What Node preloads (`--require tanzhen/register`, dist/agent/register.cjs):
// it runs the agent (dist/agent/agent.cjs) from V8's code cache, kept in the
// user's cache directory, so a probed process does not compile the agent's
// ~100 KB each time it starts. Node's own module compile cache
// (module.enableCompileCache) would do the same for our file, but once on it
// stays on for every module the program loads afterwards, and the program's
// own enableCompileCache() would find it enabled, in our directory: so the
// agent alone goes through vm.Script's cachedData (docs/startup.md). The
// cache is written at exit of a process that found none (or found it stale),
// holding every function that process compiled.
import path from 'node:path';
import type { Script } from 'node:vm';
import { readCachedBytes, writeCached } from './user-cache.js';

/** Set by scripts/bundle-agent.mjs: a hash of agent.cjs, so a rebuilt agent never meets an old cache. */
declare const AGENT_HASH: string;

const agent = path.join(__dirname, 'agent.cjs');
const cacheName = `agent-${process.version}-${process.arch}-${AGENT_HASH}.v8`;

function run(): void {
  const fs = process.getBuiltinModule('node:fs');
  const vm = process.getBuiltinModule('node:vm');
  const source = fs.readFileSync(agent, 'utf8');
  const cached = readCachedBytes(cacheName);
  // The same wrapper as Node's CommonJS loader (one line: line numbers in stack traces stay the file's).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: agent,
    cachedData: cached,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, require, module, agent, __dirname);
  // After the agent's own exit listeners, so the cache holds what they compile too.
  if (cached === undefined || script.cachedDataRejected) process.once('exit', () => keep(script));
}

function keep(script: Script): void {
  try {
    writeCached(cacheName, script.createCachedData());
  } catch {
    // Best effort: compiled again next time.
  }
}

try {
  // A process with nothing to probe (no targets in its environment) loads nothing of ours.
  if ((process.env.TANZHEN_TRACE ?? '').trim() !== '' || process.env.TANZHEN_TRACE_FILE) run();
} catch (error) {
  // The agent catches its own failures; this is ours (its file unreadable, say). The program runs on.
  try {
    if (process.env.TANZHEN_TRACE || process.env.TANZHEN_TRACE_FILE) process.getBuiltinModule('node:fs').writeSync(2, `tanzhen: warning: probe disabled: ${(error as Error)?.message ?? error}\n`);
  } catch {}
}
