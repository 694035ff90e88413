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

/** The cached file's bytes, or undefined. Only from a directory of ours that no one else can write. */
export function readCachedBytes(name: string): Buffer | undefined {
  const dir = userCacheDir();
  if (!dir) return undefined;
  try {
    return notPrivateDir(dir) === undefined ? readPrivate(path.join(dir, name)) : undefined;
  } catch {
    return undefined;
  }
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
    writeFileAtomic(path.join(dir, name), text);
    return path.join(dir, name);
  } catch {
    return undefined;
  }
}

/** A short, stable hash of a string (FNV-1a, 32 bits), for cache file names. */
export function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
