// Empty marker files next to a process's report, so the launcher can tell
// "the module was never loaded" from "this process never saved its data":
// <pid>-<thread>.started when the probe starts in a process, and
// <pid>-<thread>.failed-<CODE> when its report cannot be written (an empty
// file still fits on a full disk). Best effort: a marker that cannot be made
// changes nothing else.
import { closeSync, constants, openSync } from 'node:fs';

const FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

function touch(file: string): void {
  try {
    closeSync(openSync(file, FLAGS, 0o600));
  } catch {
    // Best effort.
  }
}

/** `report` is the report's path, `<dir>/<pid>-<thread>.json`. */
export function markStart(report: string): void {
  touch(report.replace(/\.json$/, '.started'));
}

export function markEnd(report: string, code: string): void {
  touch(report.replace(/\.json$/, `.failed-${code.replace(/[^A-Za-z0-9]/g, '')}`));
}
