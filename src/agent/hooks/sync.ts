// Node ≥ 22.15: one synchronous, in-thread load hook sees require(), import,
// dynamic import() and require(esm) alike.
import module from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instrumentSource } from '../instrument/index.js';
import { planModule } from '../instrument/bundle-map.js';
import type { TargetSet } from '../targets.js';

type LoadResult = { format?: string | null; source?: string | ArrayBuffer | ArrayBufferView | null; shortCircuit?: boolean };
type NextLoad = (url: string, context?: unknown) => LoadResult;
interface HooksHandle {
  deregister(): void;
}
type RegisterHooks = (hooks: { load: (url: string, context: unknown, next: NextLoad) => LoadResult }) => HooksHandle;

const FORMATS = new Set(['module', 'commonjs', 'module-typescript', 'commonjs-typescript', 'unknown']);

export function installSyncHooks(targets: TargetSet): void {
  const registerHooks = (module as any).registerHooks as RegisterHooks;
  const hooks = {
    load(url: string, context: unknown, nextLoad: NextLoad): LoadResult {
      const result = nextLoad(url, context);
      if (!url.startsWith('file:')) return result;
      // require() of a .js file in a package without "type" leaves the format undecided: CommonJS unless its syntax says otherwise.
      const format = result.format ?? 'unknown';
      if (!FORMATS.has(format)) return result;
      const filename = fileURLToPath(url);
      // A missing source (Node reads it later) has no map comment to look at: only a target naming the file counts.
      const plan = planModule(targets, filename, result.source as string | Uint8Array | null | undefined);
      if (plan === undefined) return result;
      const text = sourceText(result.source, filename);
      const code = instrumentSource(text, filename, format.startsWith('module') ? 'module' : format === 'unknown' ? 'unknown' : 'commonjs', plan.targets, plan);
      return code === undefined ? result : { ...result, source: code };
    },
  };
  let handle = registerHooks(hooks);

  // Hooks registered later run first. A TS loader (tsx) registering after us
  // would answer for .ts files without asking us, so whenever someone else
  // registers, we re-register to stay outermost and see the final JavaScript.
  const patched = {
    registerHooks(this: unknown, ...args: Parameters<RegisterHooks>): HooksHandle {
      const theirs = registerHooks.apply(this, args);
      handle.deregister();
      handle = registerHooks(hooks);
      return theirs;
    },
  }.registerHooks;
  Object.defineProperty(patched, 'length', { value: registerHooks.length });
  (module as any).registerHooks = patched;
  module.syncBuiltinESMExports();
}

function sourceText(source: LoadResult['source'], filename: string): string {
  if (typeof source === 'string') return source;
  if (source == null) return readFileSync(filename, 'utf8');
  const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
