// A timing wrapper around a function object, for code we cannot rewrite at
// its definition (Node's built-ins). It keeps what callers can observe:
// name, length, own properties and symbols, prototype, [[Prototype]],
// constructibility, `this`, arguments, the returned value and the thrown error.
import { THREW, type Probe } from './probe.js';
import { noteWrapper } from './source-text.js';

type AnyFunction = (...args: any[]) => any;

const SKIP = new Set<PropertyKey>(['prototype', 'arguments', 'caller']);

export function wrapFunction(original: AnyFunction, id: number, probe: Probe): AnyFunction {
  const constructible = Object.prototype.hasOwnProperty.call(original, 'prototype');
  const wrapped = constructible ? constructibleWrapper(original, id, probe) : methodWrapper(original, id, probe);
  for (const key of Reflect.ownKeys(original)) {
    if (SKIP.has(key)) continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(original, key)!;
    Reflect.defineProperty(wrapped, key, descriptor);
  }
  if (constructible) Reflect.defineProperty(wrapped, 'prototype', Reflect.getOwnPropertyDescriptor(original, 'prototype')!);
  Object.setPrototypeOf(wrapped, Object.getPrototypeOf(original));
  noteWrapper(wrapped, original);
  return wrapped;
}

/** A wrapper without a prototype that cannot be `new`ed, like most built-in functions. */
function methodWrapper(original: AnyFunction, id: number, probe: Probe): AnyFunction {
  return {
    wrapped(this: unknown) {
      const slot = probe.o(id);
      let value: unknown;
      try {
        value = original.apply(this, arguments as any);
      } catch (error) {
        probe.e(id, slot, THREW, undefined);
        throw error;
      }
      probe.e(id, slot, 0, value);
      return value;
    },
  }.wrapped;
}

function constructibleWrapper(original: AnyFunction, id: number, probe: Probe): AnyFunction {
  return function wrapped(this: unknown) {
    const slot = probe.o(id);
    let value: unknown;
    try {
      value = new.target === undefined ? original.apply(this, arguments as any) : Reflect.construct(original, arguments, new.target);
    } catch (error) {
      probe.e(id, slot, THREW, undefined);
      throw error;
    }
    // A constructed object is never timed to settlement, even a promise.
    probe.e(id, slot, 0, new.target === undefined ? value : undefined);
    return value;
  };
}
