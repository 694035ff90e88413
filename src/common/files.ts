// Writing into the run directory, which may sit in a shared place (/tmp):
// private modes (0700 directories, 0600 files); every new file is created
// exclusively (O_EXCL|O_NOFOLLOW) under an unpredictable temporary name, then
// renamed over its final name, so a reader never sees half a file and a
// symbolic link planted at that name is replaced, never followed. Appends
// (span files) open with O_NOFOLLOW and write only into a regular file of
// ours with a single link. Directories are made one component at a time:
// Node 20's recursive mkdir spins forever under /proc.
// The fs functions are bound when this module loads: a program probing
// fs:writeFileSync must not count the probe's own writes. Temporary names
// take their randomness from /dev/urandom through those same functions, not
// from node:crypto, which costs a probed process 5-20 ms to load (OpenSSL
// and ~20 modules; docs/startup.md); crypto is the fallback where there is
// no /dev/urandom (Windows).
import fs from 'node:fs';
import path from 'node:path';

const { openSync, writeSync, readSync, closeSync, fstatSync, lstatSync, statSync, mkdirSync, renameSync, linkSync, unlinkSync } = fs;
const C = fs.constants;
const NOFOLLOW = C.O_NOFOLLOW ?? 0;
const NONBLOCK = C.O_NONBLOCK ?? 0;
const EXCLUSIVE = C.O_WRONLY | C.O_CREAT | C.O_EXCL | NOFOLLOW;
const APPEND = C.O_WRONLY | C.O_APPEND | C.O_CREAT | NOFOLLOW | NONBLOCK;
const READ = C.O_RDONLY | NOFOLLOW | NONBLOCK;

/** Whether `uid` is the effective uid new files get now (a program may drop privileges); true where there are no uids (Windows). */
export function isMine(uid: number): boolean {
  const me = process.geteuid?.();
  return me === undefined || uid === me;
}

/** Creates `dir` and its missing parents (mode 0700), one mkdir each. Throws the first failure (ENOENT under /proc, ENOTDIR...). */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), { code: 'ENOTDIR', path: d });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(d) === d) throw error;
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Why `dir` is not a private directory of ours (reached without following a final symlink), or undefined when it is. */
export function notPrivateDir(dir: string): string | undefined {
  const s = lstatSync(dir);
  if (s.isSymbolicLink()) return 'is a symbolic link';
  if (!s.isDirectory()) return 'is not a directory';
  if (!isMine(s.uid)) return `is owned by another user (uid ${s.uid})`;
  if (process.platform !== 'win32' && (s.mode & 0o022) !== 0) return `is writable by other users (mode ${(s.mode & 0o7777).toString(8)})`;
  return undefined;
}

/** Makes `dir` if missing; then it must be a private directory of ours, or this throws. */
export function ensurePrivateDir(dir: string): void {
  makeDirs(dir);
  const why = notPrivateDir(dir);
  if (why) throw new Error(`${dir} ${why}`);
}

let urandom = process.platform !== 'win32';

/** `n` unpredictable bytes, as hex. */
export function randomHex(n: number): string {
  const bytes = Buffer.alloc(n);
  if (urandom) {
    try {
      const fd = openSync('/dev/urandom', C.O_RDONLY);
      try {
        if (readSync(fd, bytes, 0, n, null) === n) return bytes.toString('hex');
      } finally {
        closeSync(fd);
      }
    } catch {
      urandom = false;
    }
  }
  return (process.getBuiltinModule('node:crypto') as typeof import('node:crypto')).randomBytes(n).toString('hex');
}

/** A new file next to `file`, created exclusively under an unpredictable name; commit with commitTemp. */
export function openTemp(file: string): { fd: number; temp: string } {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomHex(8)}.tmp`);
  return { fd: openSync(temp, EXCLUSIVE, 0o600), temp };
}

/** Closes the temporary file and renames it over `file` (replacing, never following, whatever is there); removes it on failure. */
export function commitTemp(fd: number, temp: string, file: string, failed?: unknown): void {
  try {
    closeSync(fd);
    if (failed) throw failed;
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone.
    }
    throw error;
  }
}

export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const { fd, temp } = openTemp(file);
  let failed: unknown;
  try {
    writeAll(fd, typeof content === 'string' ? Buffer.from(content) : content);
  } catch (error) {
    failed = error;
  }
  commitTemp(fd, temp, file, failed);
}

/**
 * Writes `file` atomically from text handed over in pieces by `produce`, for
 * files too big to hold as one string (V8 caps strings at ~512 MB): pieces
 * are gathered into writes of about a megabyte.
 */
export function writeFileStreamed(file: string, produce: (write: (text: string) => void) => void): void {
  const { fd, temp } = openTemp(file);
  let failed: unknown;
  try {
    let pending: string[] = [];
    let size = 0;
    const flush = () => {
      writeAll(fd, Buffer.from(pending.join('')));
      pending = [];
      size = 0;
    };
    produce((text) => {
      pending.push(text);
      size += text.length;
      if (size >= 1 << 20) flush();
    });
    flush();
  } catch (error) {
    failed = error;
  }
  commitTemp(fd, temp, file, failed);
}

/** Creates `file` whole, only if nothing (not even a dangling symlink) has that name: throws EEXIST otherwise. */
export function createExclusive(file: string, content: string): void {
  const { fd, temp } = openTemp(file);
  try {
    try {
      writeAll(fd, Buffer.from(content));
    } finally {
      closeSync(fd);
    }
    linkSync(temp, file);
  } finally {
    unlinkSync(temp);
  }
}

/** Appends to `file` (created 0600 if missing): never through a symlink, into a FIFO or device, or into someone else's or a hard-linked file. */
export function appendPrivate(file: string, data: Uint8Array): void {
  const fd = openSync(file, APPEND, 0o600);
  try {
    const s = fstatSync(fd);
    if (!s.isFile() || s.nlink !== 1 || !isMine(s.uid)) throw new Error(`${file} is not a file tanzhen created`);
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

/** A regular file's bytes, read without following a final symlink or blocking on a FIFO. */
export function readPrivate(file: string): Buffer {
  const fd = openReadOnly(file);
  try {
    const size = fstatSync(fd).size;
    const chunks: Buffer[] = [];
    for (let n = -1; n !== 0; ) {
      const chunk = Buffer.allocUnsafe(Math.max(size + 1, 65536));
      n = readSync(fd, chunk, 0, chunk.length, null);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/** Opens a regular file for reading (no final symlink, no FIFO or device); the caller closes it. */
export function openReadOnly(file: string): number {
  const fd = openSync(file, READ);
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EINVAL' });
  }
  return fd;
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
}
