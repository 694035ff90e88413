// Built-in modules have no source to rewrite: their exports are patched in
// place, then mirrored to ESM named imports with syncBuiltinESMExports().
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { Target } from '../../common/types.js';
import { registerFunction, type Probe } from './probe.js';
import { noteModule, warn } from './state.js';
import { wrapFunction } from './wrap.js';
import { splitName } from '../instrument/names.js';

const require = createRequire(import.meta.url);

export function patchBuiltins(targets: Target[], probe: Probe): void {
  if (targets.length === 0) return;
  for (const target of targets) {
    if (target.module.kind !== 'builtin') continue;
    try {
      patchTarget(target, target.module.name, require(`node:${target.module.name}`), probe);
    } catch (error) {
      warn(`${target.spec}: ${(error as Error).message}; not probed`);
    }
  }
  syncBuiltinESMExports();
}

function patchTarget(target: Target, moduleName: string, exports: any, probe: Probe): void {
  const file = `node:${moduleName}`;
  const { container: path, last, instanceOnly } = splitName(target.name);
  const container = path.reduce((object, key) => (object == null ? undefined : object[key]), exports);
  if (container == null) return missing(target, exports, path);

  // Where the function can live: the container itself (exports, or a class's statics) and a class's prototype.
  const holders: Array<{ object: any; prefix: string[] }> = [];
  if (!instanceOnly) holders.push({ object: container, prefix: path });
  if (path.length > 0 && typeof container === 'function' && container.prototype) holders.push({ object: container.prototype, prefix: path });

  let found = 0;
  // With `*`, read-only functions make one warning for the module, not one each.
  const readOnly: string[] = [];
  for (const { object, prefix } of holders) {
    const keys = last === '*' ? Object.getOwnPropertyNames(object).filter((k) => k !== 'constructor') : [last];
    for (const key of keys) {
      const descriptor = Object.getOwnPropertyDescriptor(object, key);
      if (!descriptor) continue;
      if (last === '*' && typeof descriptor.value !== 'function') continue;
      if (patchProperty(target, object, key, descriptor, [...prefix, key].join('.'), file, probe, last === '*' ? readOnly : undefined)) found++;
    }
  }
  if (readOnly.length > 0) warn(`${target.spec}: ${readOnly.length === 1 ? `${readOnly[0]} is` : `${readOnly.length} functions are`} read-only (frozen or non-configurable)${readOnly.length === 1 ? '' : `: ${readOnly.join(', ')}`}; not probed`);
  if (found > 0) noteModule([target.spec], {});
  else missing(target, exports, path);
}

function patchProperty(target: Target, object: any, key: string, d: PropertyDescriptor, name: string, file: string, probe: Probe, readOnly?: string[]): boolean {
  if (d.get || d.set) {
    warn(`${target.spec}: ${name} is a getter/setter property, not a function; not probed`);
    return false;
  }
  if (typeof d.value !== 'function') {
    warn(`${target.spec}: ${name} is not a function (it is ${describe(d.value)}); not probed`);
    return false;
  }
  if (!d.writable && !d.configurable) {
    if (readOnly) return (readOnly.push(name), false);
    warn(`${target.spec}: ${name} is read-only (frozen or non-configurable); not probed`);
    return false;
  }
  const id = registerFunction({ target: target.spec, name, file });
  Object.defineProperty(object, key, { ...d, value: wrapFunction(d.value, id, probe) });
  return true;
}

function missing(target: Target, exports: any, path: string[]): void {
  const holder = path.reduce((o, k) => (o == null ? undefined : o[k]), exports);
  // "Did you mean" offers only what could be probed: functions held in plain, replaceable properties.
  const probeable = (k: string) => {
    const d = Object.getOwnPropertyDescriptor(holder, k);
    return !!d && typeof d.value === 'function' && (d.writable || d.configurable);
  };
  const names = holder == null ? Object.keys(exports) : Object.getOwnPropertyNames(holder).filter(probeable).map((k) => [...path, k].join('.'));
  noteModule([], { [target.spec]: names });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`;
}
