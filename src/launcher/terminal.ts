// Ctrl-C and Ctrl-\ on a terminal signal its whole foreground process group:
// the program, which shares the launcher's group, gets them from the terminal
// itself and must not get them twice. Any other SIGINT/SIGQUIT (`kill -INT`
// on a launcher in the background, or with no terminal) is forwarded like
// every other signal. Linux tells us from /proc whether the terminal could
// have sent it; elsewhere, a terminal on stdin is taken to mean it could.
// (A `kill -INT` aimed at the launcher alone while it runs in a terminal's
// foreground looks exactly like Ctrl-C without the sender's siginfo, which
// Node does not give: that one case is still not forwarded.)
import { readFileSync } from 'node:fs';

interface Stat {
  pgrp: number;
  tty: number;
  tpgid: number;
}

function stat(pid: number | 'self'): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name, which may hold spaces and parentheses: state ppid pgrp session tty_nr tpgid.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pgrp: Number(fields[2]), tty: Number(fields[4]), tpgid: Number(fields[5]) };
  } catch {
    return undefined;
  }
}

/** Whether a terminal key that signalled the launcher signalled the process `childPid` too. */
export function terminalSignalledChild(childPid: number | undefined): boolean {
  const self = stat('self');
  // node:tty loads only here (it pulls in net and streams). Not process.stdin: opening it would change the program's stdin.
  if (!self) return process.getBuiltinModule('node:tty').isatty(0);
  if (self.tty === 0 || self.tpgid !== self.pgrp || childPid === undefined) return false;
  return stat(childPid)?.pgrp === self.pgrp;
}

/** Whether the launcher is in its terminal's foreground (may read keys and set the terminal's modes without being stopped). */
export function inTerminalForeground(): boolean {
  const self = stat('self');
  if (!self) return process.getBuiltinModule('node:tty').isatty(0);
  return self.tty !== 0 && self.tpgid === self.pgrp;
}
