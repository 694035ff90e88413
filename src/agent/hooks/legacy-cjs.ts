// Node 20: CommonJS modules pass through Module.prototype._compile with
// their source, whichever loader (ours, tsx's) read and transformed it.
import Module from 'node:module';
import { instrumentSource } from '../instrument/index.js';
import type { TargetSet } from '../targets.js';

export function installCjsHook(targets: TargetSet): void {
  const proto = (Module as any).prototype;
  const compile = proto._compile as (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
  proto._compile = function _compile(this: unknown, content: string, filename: string, format?: unknown) {
    if (typeof content === 'string' && typeof filename === 'string') {
      const matching = targets.forFile(filename);
      if (matching.length > 0) {
        // require(esm) passes its module through here too, with format 'module'.
        const code = instrumentSource(content, filename, format === 'module' ? 'module' : 'commonjs', matching);
        if (code !== undefined) arguments[0] = code;
      }
    }
    return compile.apply(this, arguments as any);
  };
}
