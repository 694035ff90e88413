// Prepares one corpus package in a cache outside the clone
// (~/.cache/tanzhen-corpus/<name>-<version>, or $TANZHEN_CORPUS_CACHE): a copy
// of its snapshot (../shared/corpus, read-only) or of its npm tarball, the
// packages its tests need installed from the npm registry, and any build step
// its tests expect. A `.complete` file marks a finished copy, so CI reuses it;
// a half-done copy (killed run) is thrown away and redone.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from '../helpers.mjs';

export const cacheRoot = process.env.TANZHEN_CORPUS_CACHE ?? path.join(os.homedir(), '.cache', 'tanzhen-corpus');
export const snapshots = process.env.TANZHEN_CORPUS_SNAPSHOTS ?? path.resolve(root, '../shared/corpus');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const QUIET = ['--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', '--no-package-lock'];

/** The prepared directory of `pkg` (see packages.mjs), installing it first if needed. */
export function prepare(pkg) {
  const dir = path.join(cacheRoot, `${pkg.name}-${pkg.version}`);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  mkdirSync(cacheRoot, { recursive: true });
  for (const stale of readdirSync(cacheRoot).filter((f) => f.startsWith(`${path.basename(dir)}.tmp-`))) {
    rmSync(path.join(cacheRoot, stale), { recursive: true, force: true });
  }
  const work = `${dir}.tmp-${process.pid}`;
  if (pkg.snapshot) {
    const from = path.join(snapshots, pkg.snapshot);
    if (!existsSync(from)) throw new Error(`corpus snapshot ${from} is missing (set TANZHEN_CORPUS_SNAPSHOTS)`);
    cpSync(from, work, { recursive: true });
  } else if (pkg.empty) {
    mkdirSync(work);
  } else {
    unpack(pkg.tarball ?? `${pkg.name}@${pkg.version}`, work);
  }
  // Only the packages the tests need: a package's devDependencies also list
  // linters, browsers and coverage tools that its test files never load.
  const manifestFile = path.join(work, 'package.json');
  const manifest = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : { private: true };
  const testDeps = typeof pkg.install === 'function' ? pkg.install(manifest, work) : (pkg.install ?? []);
  const wanted = [...Object.entries(manifest.dependencies ?? {}).map(([n, r]) => `${n}@${r}`), ...testDeps];
  if (existsSync(manifestFile)) {
    delete manifest.devDependencies;
    delete manifest.dependencies;
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  }
  if (wanted.length > 0) sh(npm, ['install', ...QUIET, '--no-save', ...wanted], work);
  for (const step of pkg.build ?? []) step(work);
  writeFileSync(path.join(work, '.complete'), `${wanted.join('\n')}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return dir;
}

/** `npm pack` of a published version, unpacked into `into` (the tarball's package/ folder). */
function unpack(spec, into) {
  const tmp = `${into}.pack`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  sh(npm, ['pack', '--silent', spec], tmp);
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  sh('tar', ['xzf', tgz], tmp);
  renameSync(path.join(tmp, 'package'), into);
  rmSync(tmp, { recursive: true, force: true });
}

/** Runs a setup command (an install or a build step), its output only on failure. */
export function sh(command, args, cwd, env = {}) {
  try {
    execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  } catch (error) {
    throw new Error(`corpus setup failed: ${command} ${args.join(' ')} (in ${cwd})\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

/** A node_modules/.bin-free path to a package's executable script. */
export function binOf(dir, name, bin = name) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8'));
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin];
  return path.join(dir, 'node_modules', name, rel);
}
