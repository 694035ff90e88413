// Runs in Node 20's module hooks thread (module.register): instruments ES
// modules there. Functions register themselves with the main thread's probe
// when their module evaluates, so no state has to cross threads.
import { fileURLToPath } from 'node:url';
import { parseTarget } from '../../common/target.js';
import type { Target } from '../../common/types.js';
import { instrumentSource } from '../instrument/index.js';
import { planModule } from '../instrument/bundle-map.js';
import { TargetSet } from '../targets.js';
import type { LoaderData } from './legacy-esm.js';

let targets = new TargetSet([]);

export function initialize(data: LoaderData): void {
  const parsed: Target[] = [];
  for (const spec of data.trace) {
    try {
      parsed.push(parseTarget(spec, data.cwd));
    } catch {
      // The main thread already warned about it.
    }
  }
  targets = new TargetSet(parsed);
  targets.prepare();
}

type LoadResult = { format?: string | null; source?: string | ArrayBuffer | ArrayBufferView | null };

export async function load(url: string, context: unknown, nextLoad: (url: string, context: unknown) => Promise<LoadResult>): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || result.source == null || !url.startsWith('file:')) return result;
  const filename = fileURLToPath(url);
  const plan = planModule(targets, filename, result.source as string | Uint8Array);
  if (plan === undefined) return result;
  const text = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
  const code = instrumentSource(text, filename, 'module', plan.targets, plan);
  return code === undefined ? result : { ...result, source: code };
}
