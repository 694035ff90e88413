// Where `run --live` draws: the bottom lines of the terminal, reserved with a
// scrolling region, so that the program's own output (stdout and stderr, when
// they are this terminal) keeps scrolling above the view instead of being
// hidden or overwritten. Each frame is one write, cursor saved and restored
// around it, line wrap off so no line can scroll the screen.
import { writeStderr } from '../../common/stderr.js';

export interface Screen {
  /** Columns and lines the view has. */
  width: number;
  height: number;
  draw(lines: string[]): void;
  /** Frees the bottom lines (blank) and the scrolling region, the cursor back in the program's output. */
  close(): void;
  /** Reserves the bottom lines again (after close()). */
  reopen(): void;
  /** Follows a new terminal size. */
  resize(): void;
}

const MAX_LINES = 14;
const MIN_LINES = 5;
/** Lines the program keeps at least. */
const PROGRAM_LINES = 2;

export function openScreen(): Screen | undefined {
  let [columns, rows] = size();
  const fits = (r: number) => r >= MIN_LINES + PROGRAM_LINES;
  if (!fits(rows)) return undefined;
  let open = false;
  let top = 0; // the last line of the program's part
  const screen: Screen = {
    width: columns - 1,
    height: 0,
    draw(lines) {
      if (!open) return;
      let out = '\x1b7\x1b[?7l';
      for (let i = 0; i < screen.height; i++) out += `\x1b[${top + 1 + i};1H${lines[i] ?? ''}\x1b[0m\x1b[K`;
      writeStderr(out + '\x1b[?7h\x1b8');
    },
    close() {
      if (!open) return;
      open = false;
      let out = '\x1b7\x1b[r';
      for (let i = 0; i < screen.height; i++) out += `\x1b[${top + 1 + i};1H\x1b[K`;
      writeStderr(out + '\x1b8');
    },
    reopen() {
      if (open) return;
      [columns, rows] = size();
      if (!fits(rows)) return;
      layout();
      // New lines push what is on the screen up, out of the way; the cursor comes back up above them.
      writeStderr(`${'\n'.repeat(screen.height)}\x1b[${screen.height}A\x1b7\x1b[1;${top}r\x1b8`);
      open = true;
    },
    resize() {
      if (!open) return;
      const before = rows;
      [columns, rows] = size();
      if (!fits(rows)) {
        screen.close();
        return;
      }
      layout();
      // A shorter terminal may have put the program's cursor where the view now is: back into its part.
      writeStderr(`\x1b7\x1b[1;${top}r\x1b8${rows < before ? `\x1b[${top};1H` : ''}`);
    },
  };
  const layout = () => {
    screen.width = columns - 1;
    screen.height = Math.min(MAX_LINES, Math.max(MIN_LINES, Math.floor(rows * 0.4)));
    top = rows - screen.height;
  };
  screen.reopen();
  return screen;
}

function size(): [columns: number, rows: number] {
  // Only called when stderr is a terminal: process.stderr is a tty.WriteStream then, not a pipe made non-blocking.
  const [columns, rows] = (process.stderr as { getWindowSize?: () => [number, number] }).getWindowSize?.() ?? [80, 24];
  return [columns || 80, rows || 24];
}
