// `tanzhen run --live`: while the program runs, a view of its probed
// functions refreshed every second at the bottom of stderr's terminal (see
// docs/live.md). It reads the processes' reports as they are rewritten (only
// the changed ones), and owns the terminal until stop(): every way out of the
// launcher gives it back (program end, q, Ctrl-Z, an error, process exit).
// Nothing at all when stderr is not a terminal.
import { isatty } from 'node:tty';
import { ProcessReports } from '../../common/run-dir/reports.js';
import type { ProcessReport } from '../../common/types.js';
import { LiveFigures } from '../../report/live-figures.js';
import { renderLiveView } from '../../report/live-view.js';
import { readKeys } from './keys.js';
import { openScreen } from './screen.js';

export interface LiveOptions {
  outDir: string;
  command: string[];
  cwd: string;
  /** How often the processes write their reports. */
  flushMs: number;
  /** Reports that changed (for the warnings relay, which then need not read them again). */
  onReports(reports: ProcessReport[]): void;
  warn(message: string): void;
}

export interface Live {
  /** Runs `print` now, or when the view has closed (our lines would be drawn over). */
  whenClosed(print: () => void): void;
  stop(): void;
}

const REFRESH_MS = 1000;

export function startLive(options: LiveOptions): Live | undefined {
  if (!isatty(2)) return undefined;
  const screen = openScreen();
  if (!screen) {
    options.warn('the terminal is too small for --live; the table comes at the end');
    return undefined;
  }
  const started = Date.now();
  const reports = new ProcessReports(options.outDir);
  const figures = new LiveFigures(2 * options.flushMs + REFRESH_MS);
  const color = !('NO_COLOR' in process.env);
  let open = true;
  let lines: string[] = [];
  const held: Array<() => void> = [];

  const onResize = () => {
    screen.resize();
    screen.draw(lines);
  };
  const onStop = () => {
    // Ctrl-Z: the terminal as the shell expects it, then stop as the default action would.
    keys?.release();
    screen.close();
    process.kill(process.pid, 'SIGSTOP');
  };
  const onContinue = () => {
    keys?.retake();
    screen.reopen();
    screen.draw(lines);
  };
  const close = () => {
    if (!open) return;
    open = false;
    process.off('SIGWINCH', onResize).off('SIGTSTP', onStop).off('SIGCONT', onContinue).off('exit', close);
    keys?.stop();
    screen.close();
    for (const print of held.splice(0)) print();
  };
  const keys = readKeys(close);

  const tick = () => {
    try {
      const now = Date.now();
      const all = [...reports.readKeyed()].map(([key, report]) => ({ key, report, writtenAt: reports.writtenAt(key) ?? now }));
      const changed = figures.update(all);
      if (changed.length > 0) options.onReports(changed);
      if (!open) return;
      lines = renderLiveView(figures.frame(now, screen.height - 3), {
        command: options.command,
        elapsedMs: now - started,
        width: screen.width,
        height: screen.height,
        color,
        cwd: options.cwd,
        keys: keys !== undefined,
        waiting: all.length === 0,
      });
      screen.draw(lines);
    } catch (error) {
      close();
      options.warn(`the live view stopped: ${(error as Error).message}`);
    }
  };
  process.on('SIGWINCH', onResize).on('SIGTSTP', onStop).on('SIGCONT', onContinue).on('exit', close);
  const timer = setInterval(tick, REFRESH_MS);
  timer.unref();
  tick();
  return {
    whenClosed: (print) => (open ? held.push(print) : print()),
    stop: () => {
      clearInterval(timer);
      close();
    },
  };
}
