#!/usr/bin/env node
// The launcher is dist/cli/tanzhen.cjs (scripts/bundle-launcher.mjs). This
// file is CommonJS (bin/package.json): an ES module entry costs the launcher
// the ES module loader's resolution before anything runs. Node's module
// compile cache serves the launcher from the user's cache directory where
// Node has one (22.1+): this is tanzhen's own process, not the program's,
// whose environment is left as it was (docs/startup.md).
'use strict';
const { existsSync, lstatSync, mkdirSync } = require('node:fs');
const path = require('node:path');
const { enableCompileCache } = require('node:module');

const cli = path.join(__dirname, '..', 'dist', 'cli', 'tanzhen.cjs');
if (!existsSync(cli)) {
  process.stderr.write('tanzhen: not built yet; run `npm install` (or `npm run build`) in the tanzhen folder\n');
  process.exit(2);
}
const env = process.env;
// The same directory as src/agent/user-cache.ts: TANZHEN_CACHE_DIR ('' for none), else XDG_CACHE_HOME, else ~/.cache.
const cache =
  env.TANZHEN_CACHE_DIR ??
  (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
    ? path.join(env.XDG_CACHE_HOME, 'tanzhen')
    : process.platform === 'win32'
      ? env.LOCALAPPDATA && path.join(env.LOCALAPPDATA, 'tanzhen')
      : env.HOME && path.join(env.HOME, '.cache', 'tanzhen'));
if (cache && path.isAbsolute(cache) && !env.NODE_COMPILE_CACHE && typeof enableCompileCache === 'function') {
  // Made private (0700) by us first, and used only when it is ours and no one else can write it: it holds code we run.
  try {
    const dir = path.join(cache, 'compile');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const s = lstatSync(dir);
    if (s.isDirectory() && (process.geteuid === undefined || s.uid === process.geteuid()) && (process.platform === 'win32' || (s.mode & 0o077) === 0)) enableCompileCache(dir);
  } catch {}
}
require(cli);
