// A timing wrapper around a function object, for code we cannot rewrite at
// its definition (Node's built-ins). It keeps what callers can observe:
// name, length, own properties and symbols, prototype, [[Prototype]],
// constructibility, `this`, arguments, the returned value and the thrown error.
import type { Probe } from './probe.js';

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
  return wrapped;
}

/** A wrapper without a prototype that cannot be `new`ed, like most built-in functions. */
function methodWrapper(original: AnyFunction, id: number, probe: Probe): AnyFunction {
  return {
    wrapped(this: unknown) {
      const slot = probe.s(id);
      let value: unknown;
      try {
        value = original.apply(this, arguments as any);
      } catch (error) {
        probe.x(id, slot);
        throw error;
      }
      return slot === 0 ? value : probe.r(slot, value);
    },
  }.wrapped;
}

function constructibleWrapper(original: AnyFunction, id: number, probe: Probe): AnyFunction {
  return function wrapped(this: unknown) {
    const slot = probe.s(id);
    let value: unknown;
    try {
      value = new.target === undefined ? original.apply(this, arguments as any) : Reflect.construct(original, arguments, new.target);
    } catch (error) {
      probe.x(id, slot);
      throw error;
    }
    if (slot === 0) return value;
    if (new.target === undefined) return probe.r(slot, value);
    probe.d(slot);
    return value;
  };
}
