// The one entry every hook path uses to instrument a module's source.
import type { Target } from '../../common/types.js';
import { noteUnprobed, warn } from '../runtime/state.js';
import { MARKER, rewrite, RewriteError, type ModuleFormat } from './rewrite.js';
import { cacheKey, readRewrite, writeRewrite } from './rewrite-cache.js';
import { moduleKey, noteOriginalSource } from '../runtime/source-text.js';
import type { ModulePlan } from './bundle-map.js';

/** Instrumented source, or undefined to leave the module exactly as it was. Never throws. */
export function instrumentSource(source: string, filename: string, format: ModuleFormat, targets: Target[], plan?: ModulePlan): string | undefined {
  try {
    // A map file beside the module is read by the rewrite too (bundle-map.ts): it is part of the key.
    const entry = source.includes(MARKER) ? null : cacheKey(source, filename, format, targets, plan?.mapText);
    const cached = entry === null ? undefined : readRewrite(entry);
    if (cached !== undefined) {
      // What rewrite() would have noted: Function.prototype.toString's original text.
      noteOriginalSource(moduleKey(filename, source.length), source);
      return cached;
    }
    const result = rewrite(source, filename, format, targets, plan);
    if (result !== undefined && entry !== null) writeRewrite(entry, result.code);
    // undefined: unparseable, or instrumented already (the marker), which is no news.
    if (result === undefined && !source.includes(MARKER)) {
      warn(`could not parse ${filename}; its functions are not probed`);
      noteUnprobed(targets.map((t) => t.spec), 'could not be parsed');
    }
    return result?.code;
  } catch (error) {
    const reason = error instanceof RewriteError ? error.message : `${(error as Error).message}; left unprobed`;
    warn(`could not instrument ${filename}: ${reason}`);
    noteUnprobed(targets.map((t) => t.spec), 'could not be instrumented');
    return undefined;
  }
}
