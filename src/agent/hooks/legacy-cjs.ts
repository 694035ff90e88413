// Node 20: CommonJS modules pass through Module.prototype._compile with
// their source, whichever loader (ours, tsx's) read and transformed it.
// On Node 20, _compile becomes an accessor: a module that is no target gets
// Node's own function, so its load-time stack has no frame of ours; only a
// target's gets the wrapper that instruments its source. Newer V8s name a
// frame by finding its function in a data property, so there an accessor
// would rename Node's frame (`Module.<anonymous>`): the wrapper stays a plain
// property and adds one `Module._compile` frame to load-time stacks.
import Module from 'node:module';
import { instrumentSource } from '../instrument/index.js';
import { mayCarryMap, planModule } from '../instrument/bundle-map.js';
import type { TargetSet } from '../targets.js';

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;

export function installCjsHook(targets: TargetSet): void {
  const proto = (Module as any).prototype;
  // Node's own function. A later hook (pirates, a TS loader, source-map-support) that assigns its own
  // _compile wraps whatever it read before: ours, which goes on calling Node's.
  const compile = proto._compile as Compile;
  const wrapper = function _compile(this: unknown, content: string, filename: string, format?: unknown) {
    if (typeof content === 'string' && typeof filename === 'string') {
      const plan = planModule(targets, filename, content);
      if (plan !== undefined) {
        // require(esm) passes its module through here too, with format 'module'.
        const code = instrumentSource(content, filename, format === 'module' ? 'module' : 'commonjs', plan.targets, plan);
        if (code !== undefined) arguments[0] = code;
      }
    }
    return compile.apply(this, arguments as any);
  };
  if (!process.versions.node.startsWith('20.')) {
    proto._compile = wrapper;
    return;
  }
  // Behaves as the data property it replaces: once something assigns _compile, that is what reads give.
  let assigned: Compile | undefined;
  Object.defineProperty(proto, '_compile', {
    configurable: true,
    enumerable: true,
    get(this: { filename?: unknown }) {
      if (assigned !== undefined) return assigned;
      // Module.prototype.load sets filename before the extension handler reads _compile.
      const filename = this?.filename;
      // A file that may end with a source map comment gets the wrapper too: its map may name a target (bundle-map.ts).
      return typeof filename === 'string' && targets.forFile(filename).length === 0 && !mayCarryMap(filename) ? compile : wrapper;
    },
    set(value: Compile) {
      assigned = value;
    },
  });
}
