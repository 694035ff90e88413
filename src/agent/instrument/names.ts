// Matching a target's dotted name against the functions a module defines.
import type { FoundFunction } from './collect.js';

/** The name a function is reported under: Client.query, sleep, default. */
export function qualifiedName(fn: FoundFunction): string {
  return [...fn.container, fn.name].join('.');
}

/** A target name's parts: `Client.prototype.query` → container ['Client'], last 'query', instance only. */
export function splitName(target: string[]): { container: string[]; last: string; instanceOnly: boolean } {
  const last = target[target.length - 1];
  const container = target.slice(0, -1);
  const instanceOnly = container[container.length - 1] === 'prototype';
  return { container: instanceOnly ? container.slice(0, -1) : container, last, instanceOnly };
}

export function nameMatches(target: string[], fn: FoundFunction): boolean {
  const { container, last, instanceOnly } = splitName(target);
  if (last === '*') {
    // `*` alone: every named function, but not compiler helpers (__awaiter, esbuild's __name);
    // `Client.*`: every method of Client.
    if (container.length === 0 && !instanceOnly) return !(fn.container.length === 0 && fn.name.startsWith('__'));
    return sameContainer(container, fn.container) && !(instanceOnly && fn.isStatic);
  }
  if (target.length === 1 && last === 'default' && fn.isDefault) return true;
  if (fn.name !== last || !sameContainer(container, fn.container)) return false;
  return !(instanceOnly && fn.isStatic);
}

function sameContainer(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
