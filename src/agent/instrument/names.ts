// Matching a target's dotted name against the functions a module defines.
import type { FoundFunction } from './collect.js';

/** The name a function is reported under: Client.query, sleep, default. */
export function qualifiedName(fn: FoundFunction): string {
  return [...fn.container, fn.name].join('.');
}

export function nameMatches(target: string[], fn: FoundFunction): boolean {
  const last = target[target.length - 1];
  let container = target.slice(0, -1);
  let instanceOnly = false;
  if (container[container.length - 1] === 'prototype') {
    container = container.slice(0, -1);
    instanceOnly = true;
  }
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
