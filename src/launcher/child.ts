// Runs the user's command as a shell would: argv, stdio and environment
// passed through, signals forwarded, 127 for a command not found and 126
// for one that cannot be executed.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command never started. */
  spawnError?: { code: 126 | 127; message: string };
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];
/** Keys the terminal sends to the whole foreground process group: the child has it already. */
const FROM_TERMINAL = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT']);

export function runChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: 'inherit', env });
    } catch (error) {
      // E2BIG (all arguments and variables together too large) throws here, not as an 'error' event. A shell says 126 too.
      resolve({ code: null, signal: null, spawnError: { code: 126, message: `cannot execute ${command}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` } });
      return;
    }
    const handlers = new Map<NodeJS.Signals, () => void>();
    const fromTerminal = process.stdin.isTTY === true;
    for (const signal of FORWARDED) {
      const handler = () => {
        if (fromTerminal && FROM_TERMINAL.has(signal)) return;
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      handlers.set(signal, handler);
      process.on(signal, handler);
    }
    const done = (result: ChildResult) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(result);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // a later error of a running child; 'exit' decides
      const notFound = error.code === 'ENOENT';
      done({
        code: null,
        signal: null,
        spawnError: notFound
          ? { code: 127, message: `command not found: ${command}` }
          : { code: 126, message: `cannot execute ${command}: ${error.code === 'EACCES' ? 'permission denied' : error.message}` },
      });
    });
    child.on('exit', (code, signal) => done({ code, signal }));
  });
}

/** Ends the launcher the way the child ended: same exit code, or death by the same signal. */
export function exitLike(result: ChildResult): void {
  if (result.signal) {
    process.removeAllListeners(result.signal);
    process.kill(process.pid, result.signal);
    // Some signals (SIGTERM with no default action left, say) may not end us: fall back to the shell's convention.
    setTimeout(() => process.exit(128 + (constants.signals[result.signal!] ?? 0)), 100).unref();
    return;
  }
  process.exitCode = result.spawnError?.code ?? result.code ?? 1;
}
