// --async-context (opt-in): calls nest across timers, event emitters and bare
// promise callbacks too. Without it, nesting follows synchronous code and the
// await/yield of instrumented functions, at no cost to code that never
// awaits; a callback that runs after the call that scheduled it starts a new
// root. With it, every call also enters an AsyncLocalStorage context, which
// the callbacks it schedules carry: that costs an `enterWith` per call
// (~40 ns on Node 20, ~0.5 µs on Node 24+, where each one allocates a frame),
// hence opt-in.
import { AsyncLocalStorage } from 'node:async_hooks';

/** What a later callback needs of the call that scheduled it, even once that call has ended. */
export interface CallContext {
  slot: number;
  gen: number;
  node: number;
  span: number;
  /** The context to restore when this call ends or steps aside. */
  outer: CallContext | undefined;
}

let storage: AsyncLocalStorage<CallContext> | undefined;

export function enableAsyncContext(): void {
  storage = new AsyncLocalStorage<CallContext>();
}

/** The call whose context this code runs in, if any. */
export function asyncParent(): CallContext | undefined {
  return storage?.getStore();
}

/** Enters a call's context (a new one, or `existing` when the call resumes). */
export function enterCall(slot: number, gen: number, node: number, span: number, existing?: CallContext): CallContext | undefined {
  if (!storage) return undefined;
  const context = existing ?? { slot, gen, node, span, outer: storage.getStore() };
  storage.enterWith(context);
  return context;
}

/** Leaves a call's context: back to the one it was entered from. */
export function leaveCall(context: CallContext | undefined): void {
  if (!storage || !context) return;
  // enterWith(undefined) rather than disable(): on Node 20 disabling and re-enabling toggles async hooks.
  storage.enterWith(context.outer as CallContext);
}
