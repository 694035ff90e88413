// The launcher ends the way the program ended: killed by the program's
// signal. For a signal whose default action dumps core (SIGABRT, SIGSEGV…),
// that would make the launcher dump its own core — tens of MB of Node, which
// with core_pattern `core` replaces the program's own core file in the same
// directory. So first, RLIMIT_CORE = 1 byte for the launcher (Node has no
// setrlimit; util-linux's prlimit sets it from outside): smaller than any core
// file, and the value the kernel also reads as "no core" for a `|helper`
// core_pattern. Without prlimit, a relative core_pattern writes into the
// current directory, and /proc takes no file. Either way the launcher still
// dies of the signal: the shell sees the same signal and status (128+n).
import { spawnSync } from 'node:child_process';

const DUMPS_CORE = new Set<string>(['SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGSYS', 'SIGXCPU', 'SIGXFSZ']);

export function noOwnCore(signal: string): void {
  if (!DUMPS_CORE.has(signal) || process.platform === 'win32') return;
  try {
    spawnSync('prlimit', [`--pid=${process.pid}`, '--core=1:'], { stdio: 'ignore', timeout: 2000 });
  } catch {
    // Not installed: the directory change below still covers the usual pattern.
  }
  try {
    process.chdir('/proc');
  } catch {
    // Nothing else to try; we are about to end.
  }
}
