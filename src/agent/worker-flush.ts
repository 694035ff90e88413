// A worker thread stopped from outside — worker.terminate(), or the process
// exiting while the worker still runs — gets no 'exit' event of its own, so
// whatever it recorded since its last periodic flush would be lost. Before
// either happens, the thread that owns the worker asks it to flush.
//
// Only workers that loaded the probe are asked (each marks itself in a shared
// table its owner handed down through environment data; an eval worker never
// does), so stopping any other worker costs what it costs without the probe.
// A worker must take up the request within ANSWER_MS, or it is busy in code
// that never yields and is stopped as before, losing what it recorded since
// its last flush; one that took it up gets FLUSH_MS to finish. terminate()
// waits for that without blocking the event loop (the worker is stopped when
// it is done); at process exit nothing can run later, so the wait is
// Atomics.wait.
import { subscribe } from 'node:diagnostics_channel';
import { BroadcastChannel, getEnvironmentData, isMainThread, setEnvironmentData, threadId, Worker } from 'node:worker_threads';

const CHANNEL = 'tanzhen.flush';
const PROBED_KEY = 'tanzhen.probedWorkers';
const SLOTS = 4096;
const ANSWER_MS = 10;
const FLUSH_MS = 1000;

interface FlushRequest {
  tanzhenFlush: number[];
  /** Int32Array [taken up, done], counted over the workers asked. */
  state: SharedArrayBuffer;
}

/** The workers this thread created that may still run. */
const workers = new Set<Worker>();
/** threadId % SLOTS → threadId, for each worker of this thread that loaded the probe. */
const probed = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
let channel: BroadcastChannel | undefined;

export function flushWorkersOnStop(flush: () => void): void {
  channel = new BroadcastChannel(CHANNEL);
  if (!isMainThread) {
    const owner = getEnvironmentData(PROBED_KEY);
    if (owner instanceof SharedArrayBuffer) Atomics.store(new Int32Array(owner), threadId % SLOTS, threadId);
    channel.onmessage = (event: unknown) => {
      const request = (event as { data?: FlushRequest }).data;
      if (!request || !Array.isArray(request.tanzhenFlush) || !request.tanzhenFlush.includes(threadId)) return;
      const state = new Int32Array(request.state);
      Atomics.add(state, 0, 1);
      // Ours first, then the workers this worker owns.
      flushWorkersNow(request.tanzhenFlush);
      flush();
      Atomics.add(state, 1, 1);
      Atomics.notify(state, 1);
    };
  }
  channel.unref();
  // Workers created from now on inherit this table (environment data is copied at construction; a SharedArrayBuffer is shared).
  setEnvironmentData(PROBED_KEY, probed.buffer as SharedArrayBuffer);

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
      const args = arguments as unknown as unknown[];
      let state: Int32Array | undefined;
      try {
        if (this instanceof Worker && isProbed(this.threadId)) state = ask([this.threadId]);
      } catch {
        // The flush is best effort; terminate() itself must behave as ever.
      }
      if (!state) return original.apply(this, args);
      return new Promise<number>((resolve, reject) => {
        whenFlushed(state, 1, () => {
          try {
            resolve(original.apply(this, args));
          } catch (error) {
            reject(error);
          }
        });
      });
    },
  }.terminate;
  Object.defineProperty(terminate, 'length', { value: original.length });
  Object.defineProperty(proto, 'terminate', { ...descriptor, value: terminate });
}

/** Flushes the live, probed workers this thread created (except those in `skip`, already being flushed), waiting for them. */
export function flushWorkersNow(skip: number[] = []): void {
  const ids: number[] = [];
  for (const w of workers) {
    if (w.threadId < 0) workers.delete(w);
    else if (!skip.includes(w.threadId) && isProbed(w.threadId)) ids.push(w.threadId);
  }
  if (ids.length === 0) return;
  const state = ask(ids);
  if (!state) return;
  waitSync(state, 0, ids.length, ANSWER_MS);
  const taken = Atomics.load(state, 0);
  if (taken > 0) waitSync(state, 1, taken, FLUSH_MS);
}

function isProbed(id: number): boolean {
  return id >= 0 && Atomics.load(probed, id % SLOTS) === id;
}

function ask(ids: number[]): Int32Array | undefined {
  if (!channel) return undefined;
  const state = new SharedArrayBuffer(8);
  channel.postMessage({ tanzhenFlush: ids, state } satisfies FlushRequest);
  return new Int32Array(state);
}

/** Blocks until state[index] reaches `count`, or `ms` pass. */
function waitSync(state: Int32Array, index: number, count: number, ms: number): void {
  const deadline = performance.now() + ms;
  for (let seen = Atomics.load(state, index); seen < count; seen = Atomics.load(state, index)) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    Atomics.wait(state, index, seen, left);
  }
}

/** Calls `then` once `count` workers have flushed, or none took up the request within ANSWER_MS, or FLUSH_MS passed; never blocks. */
function whenFlushed(state: Int32Array, count: number, then: () => void): void {
  const started = performance.now();
  const check = () => {
    const taken = Atomics.load(state, 0);
    const elapsed = performance.now() - started;
    if (Atomics.load(state, 1) >= count || (taken === 0 && elapsed >= ANSWER_MS) || elapsed >= FLUSH_MS) then();
    else setTimeout(check, 1);
  };
  check();
}
