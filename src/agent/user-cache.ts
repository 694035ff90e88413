// Files the probe keeps between runs, in the user's cache directory (never
// the project's): the calibration measured once per machine and Node version
// (runtime/calibrate.ts), the compiled agent (preload.ts) and instrumented
// sources (instrument/rewrite-cache.ts). $TANZHEN_CACHE_DIR, else
// $XDG_CACHE_HOME/tanzhen, else ~/.cache/tanzhen (%LOCALAPPDATA%\tanzhen on
// Windows); TANZHEN_CACHE_DIR='' turns the cache off, and a relative path is
// not used. Best effort: a directory that cannot be made or written means the
// work is done again next time, nothing else. (bin/tanzhen.js reads the same
// place for the launcher's compile cache.)
import path from 'node:path';
import { ensurePrivateDir, notPrivateDir, readPrivate, writeFileAtomic } from '../common/files.js';
import { fnv1a } from '../common/hash.js';

export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base =
    env.TANZHEN_CACHE_DIR ??
    (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
      ? path.join(env.XDG_CACHE_HOME, 'tanzhen')
      : process.platform === 'win32'
        ? env.LOCALAPPDATA && path.join(env.LOCALAPPDATA, 'tanzhen')
        : env.HOME && path.join(env.HOME, '.cache', 'tanzhen'));
  return base && path.isAbsolute(base) ? base : undefined;
}

/** A private directory of the cache, made if missing (0700, checked as ours), or undefined. */
export function userCacheSubdir(name: string): string | undefined {
  const base = userCacheDir();
  if (!base) return undefined;
  try {
    const dir = path.join(base, name);
    ensurePrivateDir(dir);
    return dir;
  } catch {
    return undefined; // not ours, not private, a read-only home: run without it
  }
}

/** A cache file's bytes; any failure is a miss. */
export function readCacheFile(file: string): Buffer | undefined {
  try {
    return readPrivate(file);
  } catch {
    return undefined;
  }
}

/** Keeps data in a cache file (atomically); false when it could not be kept. */
export function writeCacheFile(file: string, data: string | Uint8Array): boolean {
  try {
    writeFileAtomic(file, data);
    return true;
  } catch {
    return false;
  }
}

/** The cached file's bytes, or undefined. Only from a directory of ours that no one else can write. */
export function readCachedBytes(name: string): Buffer | undefined {
  const dir = userCacheDir();
  if (!dir) return undefined;
  try {
    if (notPrivateDir(dir) !== undefined) return undefined;
  } catch {
    return undefined;
  }
  return readCacheFile(path.join(dir, name));
}

export function readCached(name: string): string | undefined {
  return readCachedBytes(name)?.toString('utf8');
}

/** Keeps `text` under `name`; the path, or undefined when it could not be kept. */
export function writeCached(name: string, text: string | Uint8Array): string | undefined {
  const dir = userCacheDir();
  if (!dir) return undefined;
  try {
    ensurePrivateDir(dir);
  } catch {
    return undefined;
  }
  const file = path.join(dir, name);
  return writeCacheFile(file, text) ? file : undefined;
}

/** A short, stable hash of a string, for cache file names. */
export function hashText(text: string): string {
  return fnv1a(text).toString(16).padStart(8, '0');
}
