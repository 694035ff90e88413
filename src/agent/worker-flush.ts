// A worker thread stopped from outside — worker.terminate(), or the process
// exiting while the worker still runs — gets no 'exit' event of its own, so
// whatever it recorded since its last periodic flush would be lost. Before
// either happens, the thread that owns the worker asks it to flush.
//
// Only workers that loaded the probe are asked (each marks itself in a shared
// table its owner handed down through environment data; an eval worker never
// does), so stopping any other worker costs what it costs without the probe.
// A worker waiting in its event loop will take up the request; one that
// spends ANSWER_MS running code (CPU time: waiting for a CPU on a loaded
// machine does not count) or blocked elsewhere without taking it up is busy
// in code that never yields, and is stopped as before, losing what it
// recorded since its last flush. A flush taken up gets up to FLUSH_MS. terminate()
// waits for that without blocking the event loop (the worker is stopped when
// it is done); at process exit nothing can run later, so the wait is
// Atomics.wait.
//
// The main thread sets all this up when it creates its first worker (the
// diagnostics channel below), not at start: Node's worker machinery costs a
// process 3-8 ms to load (docs/startup.md). That first worker was built
// before the table was handed down, so it says hello on the channel instead,
// and the owner reads pending hellos synchronously before it decides
// whether a worker is probed. A worker sets up at once (the machinery is
// loaded there already), so the workers it creates get the table.
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync, readlinkSync } from 'node:fs';
import type { BroadcastChannel, Worker } from 'node:worker_threads';
import { isMainThread, threadId, workerThreads } from './thread.js';

const CHANNEL = 'tanzhen.flush';
const PROBED_KEY = 'tanzhen.probedWorkers';
const SLOTS = 4096;
// A Node 22/24 worker can run ~15 ms of CPU after its main script before it is back in its event loop,
// more on a loaded machine. At process exit nothing else is waiting, so a worker gets longer there.
const ANSWER_MS = 100;
const EXIT_ANSWER_MS = 300;
const FLUSH_MS = 1000;

interface FlushRequest {
  tanzhenFlush: number[];
  /** Int32Array [taken up, done], counted over the workers asked. */
  state: SharedArrayBuffer;
}

/** A probed worker that got no table: its threadId and OS thread id. */
interface Hello {
  tanzhenProbed: [number, number];
}

/** The owner's question to workers created before it had a table (a hello sent before its channel existed is lost). */
interface Query {
  tanzhenWhoIsProbed: true;
}

/** The workers this thread created that may still run. */
const workers = new Set<Worker>();
/** Slot threadId % SLOTS → [threadId, OS thread id], for each worker of this thread that loaded the probe. */
const probed = new Int32Array(new SharedArrayBuffer(SLOTS * 8));
let channel: BroadcastChannel | undefined;
/** Whether some worker of ours was created before the table was handed down (it says hello instead). */
let hellosPending = false;

export function flushWorkersOnStop(flush: () => void): void {
  let ready = false;
  subscribe('worker_threads', (message) => {
    const worker = (message as { worker?: Worker }).worker;
    if (!ready) {
      ready = true;
      setUp(flush);
      hellosPending = true;
      channel?.postMessage({ tanzhenWhoIsProbed: true } satisfies Query);
    }
    if (!(worker instanceof workerThreads().Worker)) return;
    for (const w of workers) if (w.threadId < 0) workers.delete(w);
    workers.add(worker);
  });
  if (!isMainThread()) {
    ready = true;
    setUp(flush);
  }
}

function setUp(flush: () => void): void {
  const { BroadcastChannel, getEnvironmentData, setEnvironmentData, Worker } = workerThreads();
  const own = channel = new BroadcastChannel(CHANNEL);
  let hello: Hello | undefined;
  if (!isMainThread()) {
    const owner = getEnvironmentData(PROBED_KEY);
    if (owner instanceof SharedArrayBuffer) {
      const table = new Int32Array(owner);
      Atomics.store(table, (threadId() % SLOTS) * 2 + 1, osThreadId());
      Atomics.store(table, (threadId() % SLOTS) * 2, threadId());
    } else {
      hello = { tanzhenProbed: [threadId(), osThreadId()] };
      own.postMessage(hello);
    }
  }
  own.onmessage = (event: unknown) => {
    const data = (event as { data?: unknown }).data;
    if (noteHello(data)) return;
    if (hello && (data as Query | undefined)?.tanzhenWhoIsProbed === true) {
      own.postMessage(hello);
      return;
    }
    const request = data as FlushRequest | undefined;
    if (isMainThread() || !request || !Array.isArray(request.tanzhenFlush) || !request.tanzhenFlush.includes(threadId())) return;
    const state = new Int32Array(request.state);
    Atomics.add(state, 0, 1);
    // Ours first, then the workers this worker owns.
    flushWorkersNow(request.tanzhenFlush);
    flush();
    Atomics.add(state, 1, 1);
    Atomics.notify(state, 1);
  };
  own.unref();
  // Workers created from now on inherit this table (environment data is copied at construction; a SharedArrayBuffer is shared).
  setEnvironmentData(PROBED_KEY, probed.buffer as SharedArrayBuffer);

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
        whenFlushed(state, this.threadId, () => {
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

/** A hello from one of our workers: it goes in the table. */
function noteHello(data: unknown): boolean {
  const ids = (data as Hello | undefined)?.tanzhenProbed;
  if (!Array.isArray(ids)) return false;
  const [id, tid] = ids;
  if (typeof id !== 'number' || typeof tid !== 'number') return true;
  for (const w of workers) {
    if (w.threadId !== id) continue;
    Atomics.store(probed, (id % SLOTS) * 2 + 1, tid);
    Atomics.store(probed, (id % SLOTS) * 2, id);
  }
  return true;
}

/** Hellos the event loop has not delivered yet (a worker stopped right after it started). */
function readHellos(): void {
  if (!hellosPending || !channel) return;
  try {
    const { receiveMessageOnPort } = workerThreads();
    for (let m = receiveMessageOnPort(channel as never); m; m = receiveMessageOnPort(channel as never)) noteHello(m.message);
  } catch {
    // Best effort: such a worker is then stopped as without the probe.
  }
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
  const watches = ids.map((id) => new Watch(id, EXIT_ANSWER_MS));
  const deadline = performance.now() + FLUSH_MS;
  // Until every worker took up the request, or is known to be busy.
  while (Atomics.load(state, 0) < watches.filter((w) => !w.busy).length && performance.now() < deadline) {
    waitSync(state, 0, ids.length, 1);
    for (const w of watches) w.update();
  }
  const taken = Atomics.load(state, 0);
  if (taken > 0) waitSync(state, 1, taken, deadline - performance.now());
}

function isProbed(id: number): boolean {
  if (id >= 0 && Atomics.load(probed, (id % SLOTS) * 2) !== id) readHellos();
  return id >= 0 && Atomics.load(probed, (id % SLOTS) * 2) === id;
}

function osThreadId(): number {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop()) || 0;
  } catch {
    return 0;
  }
}

/**
 * Whether a worker that has not taken up a request yet is busy: it spent ANSWER_MS running code
 * (CPU time, from /proc: time spent waiting for a CPU on a loaded machine does not count) or
 * blocked outside its event loop. A worker waiting in its event loop (epoll) will answer.
 * Without /proc, ANSWER_MS of wall-clock time.
 */
class Watch {
  busy = false;
  private readonly tid: number;
  private readonly started = performance.now();
  private last: { cpuNs: number; at: number } | undefined;
  private spentNs = 0;

  constructor(
    id: number,
    private readonly answerMs = ANSWER_MS,
  ) {
    this.tid = Atomics.load(probed, (id % SLOTS) * 2 + 1);
    this.last = this.sample();
  }

  update(): void {
    if (this.busy) return;
    const now = this.sample();
    if (!now || !this.last) {
      this.busy = performance.now() - this.started >= this.answerMs;
      return;
    }
    const state = this.state();
    if (state === 'idle') this.spentNs = 0;
    else this.spentNs += state === 'running' ? now.cpuNs - this.last.cpuNs : (now.at - this.last.at) * 1e6;
    this.last = now;
    this.busy = this.spentNs >= this.answerMs * 1e6;
  }

  private sample(): { cpuNs: number; at: number } | undefined {
    if (this.tid <= 0) return undefined;
    try {
      return { cpuNs: Number(readFileSync(`/proc/self/task/${this.tid}/schedstat`, 'utf8').split(' ')[0]), at: performance.now() };
    } catch {
      return undefined;
    }
  }

  private state(): 'idle' | 'running' | 'blocked' {
    try {
      const stat = readFileSync(`/proc/self/task/${this.tid}/stat`, 'utf8');
      if (stat[stat.lastIndexOf(')') + 2] === 'R') return 'running';
      return readFileSync(`/proc/self/task/${this.tid}/wchan`, 'utf8').includes('epoll') ? 'idle' : 'blocked';
    } catch {
      return 'blocked';
    }
  }
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

/** Calls `then` once worker `id` has flushed, or is busy (see Watch), or FLUSH_MS passed; never blocks. */
function whenFlushed(state: Int32Array, id: number, then: () => void): void {
  const started = performance.now();
  const watch = new Watch(id);
  const check = () => {
    if (Atomics.load(state, 0) === 0) watch.update();
    if (Atomics.load(state, 1) >= 1 || (Atomics.load(state, 0) === 0 && watch.busy) || performance.now() - started >= FLUSH_MS) then();
    else setTimeout(check, 1);
  };
  check();
}
