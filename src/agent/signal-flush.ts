// A process killed by SIGTERM (child.kill(), cluster's worker.kill()),
// SIGINT or SIGHUP with no handler of its own dies without an 'exit' event,
// so it would lose what it recorded since its last flush. While the program
// has no listener for such a signal, ours is there: it flushes, steps aside
// and raises the signal again, so the process dies of it exactly as it would
// have (same wait status). The moment the program adds a listener of its own,
// ours is removed (and comes back when the program's last one goes), so a
// program that handles the signal sees no difference, and libraries that
// count listeners (signal-exit) count only their own. A signal listener does
// not keep the event loop alive. Signals reach the main thread only.
import { isMainThread } from './thread.js';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

export function flushOnSignals(flush: () => void): void {
  if (!isMainThread() || process.platform === 'win32') return;
  const ours = new Map<string, (signal: NodeJS.Signals) => void>();
  let busy = false; // our own add/remove calls, which fire the same events
  const set = (signal: NodeJS.Signals, on: boolean) => {
    const listener = ours.get(signal)!;
    const present = process.listeners(signal).includes(listener);
    if (present === on) return;
    busy = true;
    try {
      if (on) process.on(signal, listener);
      else process.removeListener(signal, listener);
    } finally {
      busy = false;
    }
  };
  let dying = false;
  for (const signal of SIGNALS) {
    ours.set(signal, () => {
      if (dying) return;
      dying = true;
      try {
        flush();
      } catch {
        // Best effort: the process dies of the signal either way.
      }
      set(signal, false); // the last listener gone, the signal's default action is back
      process.kill(process.pid, signal);
      // Still here (cannot happen with the default action): carry on as before.
      dying = false;
      set(signal, true);
    });
  }
  // Before Node's own 'newListener' handler: removing ours closes Node's signal handle, and Node's
  // handler, running next, opens one for the program's listener.
  (process as NodeJS.EventEmitter).prependListener('newListener', (event: string | symbol, listener: unknown) => {
    if (busy || dying || !ours.has(event as string) || listener === ours.get(event as string)) return;
    set(event as NodeJS.Signals, false);
  });
  process.on('removeListener', (event: string | symbol) => {
    if (busy || dying || !ours.has(event as string)) return;
    if (process.listenerCount(event as string) === 0) set(event as NodeJS.Signals, true);
  });
  for (const signal of SIGNALS) if (process.listenerCount(signal) === 0) set(signal, true);
}
