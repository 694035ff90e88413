// A worker thread stopped from outside — worker.terminate(), or the process
// exiting while the worker still runs — gets no 'exit' event of its own, so
// whatever it recorded since its last periodic flush would be lost. Before
// either happens, the thread that owns the worker asks it to flush, and waits
// for the answer (Atomics.wait: the owner's event loop is not run, so the
// program sees no reordering, only the time the flush takes). A worker busy
// in a loop that never yields cannot answer: after WAIT_MS (1 s) it is stopped
// anyway, and loses what it recorded since its last flush, as before.
import { subscribe } from 'node:diagnostics_channel';
import { BroadcastChannel, isMainThread, threadId, Worker } from 'node:worker_threads';

const CHANNEL = 'tanzhen.flush';
const WAIT_MS = 1000;

interface FlushRequest {
  tanzhenFlush: number[];
  done: SharedArrayBuffer;
}

/** The workers this thread created that may still run. */
const workers = new Set<Worker>();
let channel: BroadcastChannel | undefined;

export function flushWorkersOnStop(flush: () => void): void {
  channel = new BroadcastChannel(CHANNEL);
  if (!isMainThread) {
    channel.onmessage = (event: unknown) => {
      const request = (event as { data?: FlushRequest }).data;
      if (!request || !Array.isArray(request.tanzhenFlush) || !request.tanzhenFlush.includes(threadId)) return;
      // Ours first, then the workers this worker owns.
      flushChildren(request.tanzhenFlush);
      flush();
      const done = new Int32Array(request.done);
      Atomics.add(done, 0, 1);
      Atomics.notify(done, 0);
    };
  }
  channel.unref();

  subscribe('worker_threads', (message) => {
    const worker = (message as { worker?: Worker }).worker;
    if (!(worker instanceof Worker)) return;
    for (const w of workers) if (w.threadId < 0) workers.delete(w);
    workers.add(worker);
  });

  const proto = Worker.prototype as any;
  const original = proto.terminate as (this: Worker, ...args: unknown[]) => Promise<number>;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'terminate');
  if (typeof original !== 'function' || !descriptor || !descriptor.configurable) return;
  const terminate = {
    terminate(this: Worker) {
      try {
        if (this instanceof Worker && this.threadId >= 0) flushWorkers([this.threadId]);
      } catch {
        // The flush is best effort; terminate() itself must behave as ever.
      }
      return original.apply(this, arguments as unknown as unknown[]);
    },
  }.terminate;
  Object.defineProperty(terminate, 'length', { value: original.length });
  Object.defineProperty(proto, 'terminate', { ...descriptor, value: terminate });

  // At exit, live workers are stopped by Node without an 'exit' of their own.
  process.on('exit', () => flushChildren([]));
}

/** Flushes the live workers this thread created (except those in `skip`, already being flushed). */
function flushChildren(skip: number[]): void {
  const ids: number[] = [];
  for (const w of workers) {
    if (w.threadId < 0) workers.delete(w);
    else if (!skip.includes(w.threadId)) ids.push(w.threadId);
  }
  if (ids.length > 0) flushWorkers(ids);
}

/** Asks workers `ids` to write their reports; returns when all have, or after WAIT_MS. */
function flushWorkers(ids: number[]): void {
  if (!channel) return;
  const done = new SharedArrayBuffer(4);
  const view = new Int32Array(done);
  channel.postMessage({ tanzhenFlush: ids, done } satisfies FlushRequest);
  const deadline = performance.now() + WAIT_MS;
  for (let seen = 0; seen < ids.length; seen = Atomics.load(view, 0)) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    Atomics.wait(view, 0, seen, left);
  }
}
