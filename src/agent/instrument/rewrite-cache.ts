// Instrumented sources kept between runs. Rewriting a big file costs more
// than running it (typescript's 6 MB compiler: ~1.3 s to parse, walk, edit
// and re-check), and the same files load run after run, so each result is
// kept under the user's cache directory, keyed by everything the rewrite
// reads: this build of tanzhen, the file's name and format, the targets and
// the source text. Only rewrites that succeeded are kept (they passed the
// re-parse net when made). Anything wrong with the cache is a miss, never an error.
//
//   $TANZHEN_CACHE_DIR, else $XDG_CACHE_HOME/tanzhen, else ~/.cache/tanzhen
//     rewrite/<sha256>.js      (directory 0700, files 0600, never through a symlink)
// TANZHEN_CACHE_DIR='' turns the cache off.
import path from 'node:path';
import type { Target } from '../../common/types.js';
import { readCacheFile, userCacheSubdir, writeCacheFile } from '../user-cache.js';

declare const __TANZHEN_BUILD__: string | undefined;

/** Entries kept before the oldest are removed. */
const MAX_ENTRIES = 400;

let dir: string | null | undefined;

/** The cache directory, or null when the cache is off (no build id: unbundled code under test). */
function cacheDir(): string | null {
  if (dir === undefined) dir = (typeof __TANZHEN_BUILD__ === 'string' && userCacheSubdir('rewrite')) || null;
  return dir;
}

/** The entry for one rewrite, or null when the cache is off. */
export function cacheKey(source: string, filename: string, format: string, targets: Target[], mapText?: string): string | null {
  const base = cacheDir();
  if (base === null) return null;
  const { createHash } = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
  const hash = createHash('sha256');
  hash.update(`${__TANZHEN_BUILD__}\0${filename}\0${format}\0${JSON.stringify(targets)}\0`);
  hash.update(source);
  if (mapText !== undefined) hash.update(`\0${mapText}`);
  return path.join(base, `${hash.digest('hex')}.js`);
}

export function readRewrite(entry: string): string | undefined {
  return readCacheFile(entry)?.toString('utf8');
}

export function writeRewrite(entry: string, code: string): void {
  // A full disk or a read-only cache: the next run rewrites again.
  if (!writeCacheFile(entry, code)) return;
  try {
    prune(path.dirname(entry));
  } catch {
    // Another process pruned first.
  }
}

/** Past MAX_ENTRIES, the oldest quarter goes (only on a write, which follows a rewrite far costlier than this). */
function prune(base: string): void {
  const { readdirSync, statSync, unlinkSync } = process.getBuiltinModule('node:fs') as typeof import('node:fs');
  const names = readdirSync(base).filter((n) => n.endsWith('.js'));
  if (names.length <= MAX_ENTRIES) return;
  const aged = names.map((n) => ({ n, t: statSync(path.join(base, n)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, names.length - (MAX_ENTRIES * 3) / 4)) unlinkSync(path.join(base, n));
}
