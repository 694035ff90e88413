// Which thread the probe runs in, without loading node:worker_threads on the
// main thread: that module pulls in Node's streams and costs a probed
// process 3-8 ms at start (docs/startup.md). A worker thread has loaded
// Node's worker internals before any preload runs, so there the module is
// cheap and asked directly; a thread where they are not loaded yet is the
// main thread. Where that list is missing, the module is asked.
type WorkerThreads = typeof import('node:worker_threads');

let loaded: WorkerThreads | undefined;

export function workerThreads(): WorkerThreads {
  return (loaded ??= process.getBuiltinModule('node:worker_threads'));
}

const list = (process as unknown as { moduleLoadList?: unknown }).moduleLoadList;
const main = Array.isArray(list) && !list.includes('NativeModule internal/worker/io') ? true : workerThreads().isMainThread;

export function isMainThread(): boolean {
  return main;
}

export function threadId(): number {
  return main ? 0 : workerThreads().threadId;
}
