// `--out DIR`, taken for one run. DIR may sit in a shared place (/tmp) or hold
// the user's own files, so before the program starts:
// - no symbolic link on the way to DIR belongs to another user, and no
//   directory above DIR is writable by everyone without the sticky bit;
// - DIR is a directory of this user that no one else can write to (another
//   user could swap its entries for links to files we would then write);
// - a non-empty DIR carries our marker (we never touch a directory we did not make);
// - the run locks DIR (.tanzhen.lock holds the launcher's pid; a dead pid's lock is taken over);
// - the previous run's files, and only those, are removed.
// A refusal is one line and exit 2. See SECURITY.md.
import { lstatSync, readdirSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { createExclusive, ensurePrivateDir, isMine, makeDirs, readPrivate, writeFileAtomic } from '../common/files.js';
import { LOCK_FILE, MARKER_FILE, MARKER_TEXT, PROCESS_FILE, PROCESSES_DIR, RESULT_FILES, RESULT_TEMP, TARGETS_FILE } from '../common/run-dir/layout.js';
import { UsageError } from './errors.js';

/** Up to this size the targets travel in TANZHEN_TRACE; beyond, in a file (one environment string holds at most 128 KiB on Linux). */
const INLINE_TARGETS_MAX = 32 * 1024;

/**
 * Makes or checks DIR, marks and locks it, removes the previous run's files.
 * Refusals throw UsageError; a system failure (EACCES, EROFS...) throws as is, for the caller to warn about.
 */
export function claimOutDir(dir: string, given: string): void {
  const label = `--out ${given}`;
  checkPath(dir, label);
  try {
    makeDirs(dir);
  } catch (error) {
    const { code, path: where } = error as NodeJS.ErrnoException;
    if (code === 'ENOTDIR') throw new UsageError(where === dir ? `${label}: not a directory` : `${label}: ${where} is not a directory`);
    if (code === 'ENOENT') throw new UsageError(`${label}: cannot create ${where ?? dir} (ENOENT)`);
    throw error;
  }
  const s = statSync(dir);
  if (!s.isDirectory()) throw new UsageError(`${label}: not a directory`);
  if (!isMine(s.uid)) throw new UsageError(`${label}: owned by another user (uid ${s.uid}); use a directory of your own`);
  if (process.platform !== 'win32' && (s.mode & 0o022) !== 0) {
    throw new UsageError(`${label}: writable by other users (mode ${(s.mode & 0o777).toString(8)}); make it private (chmod go-w) or use a new directory`);
  }
  mark(dir, label);
  let lockFailed: unknown;
  try {
    lock(dir, label);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    lockFailed = error; // a full disk, say: no live run holds DIR, so the last run's results still go, not to pass for this one's
  }
  clearPrevious(dir, label);
  ensurePrivateDir(path.join(dir, PROCESSES_DIR));
  if (lockFailed) throw lockFailed;
}

/** Ends the run's hold on DIR: its lock goes, if it is still ours. */
export function releaseOutDir(dir: string): void {
  const file = path.join(dir, LOCK_FILE);
  try {
    if (lockHolder(file) === process.pid) unlinkSync(file);
  } catch {
    // Gone already, or never taken.
  }
}

/** Writes the targets to DIR/.tanzhen.targets when they are too many for the environment; returns its path. */
export function passTargets(dir: string, trace: string[]): string | undefined {
  const text = trace.join('\n');
  if (Buffer.byteLength(text) <= INLINE_TARGETS_MAX) return undefined;
  const file = path.join(dir, TARGETS_FILE);
  try {
    writeFileAtomic(file, text);
  } catch (error) {
    throw new UsageError(`cannot pass ${trace.length} targets to the program: writing ${file} failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return file;
}

/** The existing part of the way to DIR: no other user's symlink, no directory everyone may write to without the sticky bit. */
function checkPath(dir: string, label: string): void {
  const { root } = path.parse(dir);
  let current = root;
  const parts = dir.slice(root.length).split(path.sep).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const dirStat = statSync(current);
    if (!dirStat.isDirectory()) return; // makeDirs says so
    if (process.platform !== 'win32' && (dirStat.mode & 0o1002) === 0o002) {
      throw new UsageError(`${label}: ${current} is writable by everyone without the sticky bit, so another user could replace what is in it`);
    }
    const next = path.join(current, parts[i]);
    let s;
    try {
      s = lstatSync(next);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // we create the rest, 0700
      throw error;
    }
    if (!s.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (!isMine(s.uid) && s.uid !== 0) throw new UsageError(`${label}: ${next} is a symbolic link owned by another user (uid ${s.uid})`);
    try {
      current = realpathSync(next);
    } catch {
      throw new UsageError(`${label}: ${next} is a symbolic link to nothing`);
    }
  }
}

/** A marked DIR is ours; an empty one becomes ours; anything else is the user's and is refused. */
function mark(dir: string, label: string): void {
  const marker = path.join(dir, MARKER_FILE);
  if (isMarker(marker)) return;
  if (readdirSync(dir).length > 0) {
    throw new UsageError(`${label}: not empty and not made by tanzhen; give a new or empty directory (tanzhen never replaces files it did not write)`);
  }
  try {
    createExclusive(marker, MARKER_TEXT);
  } catch (error) {
    // Another run marked it a moment ago: the lock decides between us.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isMarker(marker)) throw error;
  }
}

function isMarker(file: string): boolean {
  try {
    const s = lstatSync(file);
    return s.isFile() && isMine(s.uid);
  } catch {
    return false;
  }
}

function lock(dir: string, label: string): void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let failed: unknown;
    try {
      createExclusive(file, `${process.pid}\n`);
      return;
    } catch (error) {
      failed = error;
    }
    const holder = lockHolder(file);
    if (holder !== undefined && holder !== process.pid && alive(holder)) {
      throw new UsageError(`${label} is in use by another tanzhen run (pid ${holder}); wait for it to end or use another directory`);
    }
    if ((failed as NodeJS.ErrnoException).code !== 'EEXIST') throw failed;
    if (holder === undefined) throw new UsageError(`${label}: ${LOCK_FILE} is not a lock tanzhen wrote; remove it if no tanzhen run uses this directory`);
    // The run that held it is gone: take it over.
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new UsageError(`${label} is in use by another tanzhen run`);
}

/** The pid in a lock file; undefined when it is not one (a symlink, a directory, other text). A missing file is a dead holder (0). */
function lockHolder(file: string): number | undefined {
  let text: string;
  try {
    text = readPrivate(file).toString('utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 0 : undefined;
  }
  return /^\d+\n$/.test(text) ? Number(text) : undefined;
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes what an earlier run wrote here, by name; a directory where one of our files belongs is refused, never removed. */
function clearPrevious(dir: string, label: string): void {
  for (const name of readdirSync(dir)) {
    if (RESULT_FILES.includes(name) || RESULT_TEMP.test(name)) removeOurFile(path.join(dir, name), name, label);
  }
  const processes = path.join(dir, PROCESSES_DIR);
  let s;
  try {
    s = lstatSync(processes);
  } catch {
    return;
  }
  if (!s.isDirectory()) throw new UsageError(`${label}: ${PROCESSES_DIR} is not a directory tanzhen made`);
  for (const name of readdirSync(processes)) if (PROCESS_FILE.test(name)) removeOurFile(path.join(processes, name), `${PROCESSES_DIR}/${name}`, label);
}

function removeOurFile(file: string, shown: string, label: string): void {
  if (lstatSync(file).isDirectory()) throw new UsageError(`${label}: ${shown} is a directory tanzhen did not make`);
  unlinkSync(file); // a symlink goes, never what it points to
}
