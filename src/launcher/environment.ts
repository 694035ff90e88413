// The environment a probed command runs in: the preload appended to
// NODE_OPTIONS (the user's own options kept), the Python bootstrap put first
// on PYTHONPATH, and the run's settings.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV } from '../common/types.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/**
 * --require, not --import: any --import makes Node run a CommonJS main module
 * through the ES module loader (another event-loop order, other stacks).
 * Quoted for NODE_OPTIONS, where a path may hold spaces, quotes or backslashes.
 */
export const PRELOAD_OPTION = `--require ${JSON.stringify(path.join(root, 'dist/agent/register.cjs'))}`;
export const PYTHON_BOOTSTRAP = path.join(root, 'python/bootstrap');

export interface RunSettings {
  trace: string[];
  /** Set when the targets are too many for an environment variable: they are in this file instead. */
  targetsFile?: string;
  cwd: string;
  outDir: string;
  runId: string;
  calls: boolean;
  /** Keep individual calls (trace.json, exporters). */
  spans: boolean;
  sample?: string;
  asyncContext?: boolean;
  maxSpans?: number;
  maxNodes?: number;
  flushMs?: number;
}

export function childEnvironment(base: NodeJS.ProcessEnv, settings: RunSettings): NodeJS.ProcessEnv {
  const env = { ...base };
  const nodeOptions = env.NODE_OPTIONS ?? '';
  if (!nodeOptions.includes(PRELOAD_OPTION)) env.NODE_OPTIONS = `${nodeOptions} ${PRELOAD_OPTION}`.trim();
  const pythonPath = env.PYTHONPATH ? env.PYTHONPATH.split(path.delimiter) : [];
  if (!pythonPath.includes(PYTHON_BOOTSTRAP)) env.PYTHONPATH = [PYTHON_BOOTSTRAP, ...pythonPath].join(path.delimiter);
  setOrDelete(env, ENV.trace, settings.targetsFile ? undefined : settings.trace.join('\n'));
  setOrDelete(env, ENV.traceFile, settings.targetsFile);
  env[ENV.cwd] = settings.cwd;
  env[ENV.out] = settings.outDir;
  env[ENV.run] = settings.runId;
  setOrDelete(env, ENV.calls, settings.calls ? '1' : undefined);
  setOrDelete(env, ENV.spans, settings.spans ? '1' : undefined);
  setOrDelete(env, ENV.sample, settings.sample);
  setOrDelete(env, ENV.asyncContext, settings.asyncContext ? '1' : undefined);
  setOrDelete(env, ENV.maxSpans, settings.maxSpans?.toString());
  setOrDelete(env, ENV.maxNodes, settings.maxNodes?.toString());
  setOrDelete(env, ENV.flushMs, settings.flushMs?.toString());
  return env;
}

function setOrDelete(env: NodeJS.ProcessEnv, key: string, value: string | undefined): void {
  if (value === undefined) delete env[key];
  else env[key] = value;
}
