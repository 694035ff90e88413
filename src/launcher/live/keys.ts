// The keyboard under `run --live`: the terminal goes to non-canonical mode
// without echo, so `q` arrives at once and is not printed; its signal keys
// stay on (ISIG), so Ctrl-C, Ctrl-\ and Ctrl-Z still signal the whole
// foreground group, the program included, exactly as without the view.
// Node's setRawMode would turn those off, hence stty. The keys are read from
// /dev/tty on a descriptor of our own (never the program's stdin), and only
// when the launcher is in the terminal's foreground (a background job that
// reads or sets modes is stopped by the terminal).
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { inTerminalForeground } from '../terminal.js';

export interface Keys {
  /** Gives the terminal back its modes (before a stop, Ctrl-Z). */
  release(): void;
  /** Takes the keyboard again (after SIGCONT). */
  retake(): void;
  /** Gives the terminal back and stops reading, for good. */
  stop(): void;
}

const KEY_MODES = ['-icanon', '-echo', 'min', '1', 'time', '0'];

export function readKeys(onQuit: () => void): Keys | undefined {
  if (process.platform === 'win32' || !inTerminalForeground()) return undefined;
  let control: number;
  try {
    control = openSync('/dev/tty', constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
  const saved = stty(control, ['-g']);
  if (!saved || stty(control, KEY_MODES) === undefined) {
    closeSync(control);
    return undefined;
  }
  let input: ReadStream;
  try {
    input = new ReadStream(openSync('/dev/tty', constants.O_RDONLY | constants.O_NOCTTY));
  } catch {
    stty(control, [saved]);
    closeSync(control);
    return undefined;
  }
  input.on('data', (data: Buffer) => {
    if (data.includes(0x71) || data.includes(0x51)) onQuit(); // q, Q
  });
  input.on('error', () => {}); // the terminal went away (SIGHUP follows)
  input.unref(); // the program's end, not the keyboard, ends the launcher
  let stopped = false;
  return {
    release: () => {
      if (!stopped) stty(control, [saved]);
    },
    retake: () => {
      if (!stopped && inTerminalForeground()) stty(control, KEY_MODES);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      stty(control, [saved]);
      input.destroy();
      closeSync(control);
    },
  };
}

/** Runs stty on the terminal `fd`: its output, or undefined when it failed. */
function stty(fd: number, args: string[]): string | undefined {
  const result = spawnSync('stty', args, { stdio: [fd, 'pipe', 'ignore'], encoding: 'utf8', timeout: 2000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
