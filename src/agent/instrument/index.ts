// The one entry every hook path uses to instrument a module's source.
import type { Target } from '../../common/types.js';
import { warn } from '../runtime/state.js';
import { MARKER, rewrite, RewriteError, type ModuleFormat } from './rewrite.js';

/** Instrumented source, or undefined to leave the module exactly as it was. Never throws. */
export function instrumentSource(source: string, filename: string, format: ModuleFormat, targets: Target[]): string | undefined {
  try {
    const result = rewrite(source, filename, format, targets);
    // undefined: unparseable, or instrumented already (the marker), which is no news.
    if (result === undefined && !source.includes(MARKER)) {
      warn(`could not parse ${filename}; its functions are not probed`);
    }
    return result?.code;
  } catch (error) {
    const reason = error instanceof RewriteError ? error.message : `${(error as Error).message}; left unprobed`;
    warn(`could not instrument ${filename}: ${reason}`);
    return undefined;
  }
}
