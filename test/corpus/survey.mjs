// The load survey (issue 10): a large, realistic dependency tree installed in
// the corpus cache, and every JavaScript file of every package in it loaded
// twice — bare, and under the real agent with `*` on all of that package's
// files (the environment `tanzhen run` gives its child, from the launcher's
// own childEnvironment). One process per chunk of packages and mode loads
// their files one after another (survey-load.mjs); a file that ends or hangs its process is
// recorded and the rest go on in a new one. Files that load bare but not
// probed are loaded again, both ways, in fresh processes of their own
// package's suspects only, to rule out order and timing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { node, root, tempDir } from '../helpers.mjs';
import { prepare } from './install.mjs';

const CHILD = fileURLToPath(new URL('./survey-load.mjs', import.meta.url));
const SILENCE_MS = Number(process.env.TANZHEN_SURVEY_SILENCE_MS ?? 10_000);
const CHUNK_FILES = Number(process.env.TANZHEN_SURVEY_CHUNK ?? 400);

/** The tree: a web framework or two, a bundler, a linter, a test runner, a compiler and a formatter. */
export const tree = {
  name: 'survey',
  version: '1',
  empty: true,
  install: ['express@5', 'fastify@5', 'webpack@5', 'rollup@4', 'eslint@9', 'mocha@11', 'typescript@5.9', 'prettier@3', 'koa@3', 'pino@9', 'axios@1', 'lodash@4'],
};

/** Every package folder under node_modules (scoped and nested ones too). */
export function packagesIn(dir) {
  const out = [];
  const visit = (modules) => {
    if (!existsSync(modules)) return;
    for (const name of readdirSync(modules)) {
      if (name.startsWith('.')) continue;
      const full = path.join(modules, name);
      if (name.startsWith('@')) {
        for (const sub of readdirSync(full)) add(path.join(full, sub));
      } else add(full);
    }
  };
  const add = (pkg) => {
    if (!existsSync(path.join(pkg, 'package.json'))) return;
    out.push(pkg);
    visit(path.join(pkg, 'node_modules'));
  };
  visit(path.join(dir, 'node_modules'));
  return out.sort();
}

/** A package's own JavaScript files (not its nested node_modules), each marked ES module or not. */
export function filesOf(pkg) {
  const types = new Map();
  const typeOf = (dir) => {
    if (!types.has(dir)) {
      const manifest = path.join(dir, 'package.json');
      let type;
      if (existsSync(manifest)) {
        try {
          type = JSON.parse(readFileSync(manifest, 'utf8')).type ?? 'commonjs';
        } catch {
          type = 'commonjs';
        }
      } else type = dir === pkg ? 'commonjs' : typeOf(path.dirname(dir));
      types.set(dir, type);
    }
    return types.get(dir);
  };
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (entry.isFile() && /\.(c|m)?js$/.test(entry.name) && statSync(full).size > 0) {
        const esm = full.endsWith('.mjs') || (full.endsWith('.js') && typeOf(dir) === 'module');
        files.push({ file: full, esm });
      }
    }
  };
  walk(pkg);
  return files.sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** The probed child's environment, as the launcher builds it: `*` on every file of each package. */
async function probedEnv(pkgs, outDir) {
  const { childEnvironment } = await import(path.join(root, 'dist/launcher/environment.js'));
  return childEnvironment(process.env, {
    trace: pkgs.map((pkg) => `${pkg}/**/*.{js,cjs,mjs}:*`),
    cwd: pkgs[0],
    outDir,
    runId: `survey-${process.pid}`,
    calls: false,
    spans: false,
  });
}

/** Loads `list` in as few processes as possible; one result per file. */
export async function loadAll(list, env, cwd, scratch) {
  const listFile = path.join(scratch, `list-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(listFile, JSON.stringify(list));
  const results = new Array(list.length);
  const warnings = [];
  const started = performance.now();
  let from = 0;
  while (from < list.length) {
    const { lines, code, signal, stderr, silent } = await child(listFile, from, env, cwd);
    let current = -1;
    for (const line of lines) {
      const [kind, index, ...rest] = line.split(' ');
      if (kind === 'start') current = Number(index);
      else if (kind === 'ok' || kind === 'fail') {
        results[Number(index)] = kind === 'ok' ? 'ok' : rest.join(' ');
        current = -1;
      }
    }
    warnings.push(...stderr.split('\n').filter((l) => l.startsWith('tanzhen:')));
    if (lines.at(-1) === 'done') break;
    const stuck = current >= 0 ? current : from;
    results[stuck] = silent ? `hang: nothing for ${SILENCE_MS / 1000} s` : `process ended: ${signal ?? `exit ${code}`}`;
    from = stuck + 1;
  }
  rmSync(listFile, { force: true });
  return { results, warnings, ms: Math.round(performance.now() - started) };
}

function child(listFile, from, env, cwd) {
  return new Promise((resolve) => {
    const proc = spawn(node, [CHILD, listFile, String(from)], { cwd, env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let buffer = '';
    let stderr = '';
    let silent = false;
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        silent = true;
        proc.kill('SIGKILL');
      }, SILENCE_MS);
    };
    arm();
    proc.stdio[3].on('data', (d) => {
      buffer += d;
      arm();
    });
    proc.stderr.on('data', (d) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ lines: buffer.split('\n').filter(Boolean), code, signal, stderr, silent });
    });
  });
}

function groupBy(suspects) {
  const map = new Map();
  for (const s of suspects) map.set(s.pkg, [...(map.get(s.pkg) ?? []), s]);
  return map;
}

/** Runs jobs two at a time (the machine has two cores). */
async function pool(jobs, width = 2) {
  const out = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

/** The whole survey; `failures` lists files that load bare but not probed, confirmed alone. */
export async function survey({ width = 2 } = {}) {
  const dir = prepare(tree);
  const scratch = tempDir('tz-survey-');
  const cwd = path.join(scratch, 'cwd');
  mkdirSync(cwd);
  const outDir = path.join(scratch, 'out');
  // TANZHEN_SURVEY_ONLY=a,b: only packages whose folder name contains a or b (for a quick look).
  const only = process.env.TANZHEN_SURVEY_ONLY?.split(',').filter(Boolean);
  const packages = packagesIn(dir).filter((pkg) => !only || only.some((o) => path.basename(pkg).includes(o)));
  const bareEnv = { ...process.env, NO_COLOR: '1' };
  // Packages in chunks of about CHUNK_FILES files, one process per chunk and
  // mode: Node's start-up, not loading, is most of the cost of small packages.
  const chunks = [];
  for (const pkg of packages) {
    const list = filesOf(pkg).map((entry) => ({ ...entry, pkg }));
    if (chunks.length === 0 || chunks.at(-1).list.length >= CHUNK_FILES) chunks.push({ pkgs: [], list: [] });
    chunks.at(-1).pkgs.push(pkg);
    chunks.at(-1).list.push(...list);
  }
  const perChunk = await pool(
    chunks.map(({ pkgs, list }) => async () => {
      const bare = await loadAll(list, bareEnv, cwd, scratch);
      const probed = await loadAll(list, await probedEnv(pkgs, outDir), cwd, scratch);
      if (process.env.TANZHEN_SURVEY_PROGRESS) process.stderr.write(`survey: ${pkgs.length} packages from ${path.relative(dir, pkgs[0])}, ${list.length} files, ${bare.ms} ms bare, ${probed.ms} ms probed\n`);
      return { list, bare: bare.results, probed: probed.results, warnings: probed.warnings };
    }),
    width,
  );
  const figures = { packages: packages.length, files: 0, failBare: 0, failProbed: 0, probedOnly: 0, bareOnly: 0, differentError: 0, warnings: 0 };
  const suspects = [];
  const differentErrors = [];
  for (const { list, bare, probed, warnings } of perChunk) {
    figures.files += list.length;
    figures.warnings += warnings.length;
    list.forEach((entry, i) => {
      if (bare[i] !== 'ok') figures.failBare++;
      if (probed[i] !== 'ok') figures.failProbed++;
      if (bare[i] === 'ok' && probed[i] !== 'ok') suspects.push({ pkg: entry.pkg, entry, error: probed[i] });
      else if (bare[i] !== 'ok' && probed[i] === 'ok') figures.bareOnly++;
      else if (bare[i] !== 'ok' && probed[i] !== 'ok' && bare[i] !== probed[i]) differentErrors.push({ file: entry.file, bare: bare[i], probed: probed[i] });
    });
  }
  // Again in fresh processes, only the suspects of each package, bare and
  // probed: a failure that does not come back came from order or timing.
  const failures = [];
  const byPackage = groupBy(suspects);
  await pool(
    [...byPackage].map(([pkg, list]) => async () => {
      const entries = list.map((s) => s.entry);
      const bare = await loadAll(entries, bareEnv, cwd, scratch);
      const probed = await loadAll(entries, await probedEnv([pkg], outDir), cwd, scratch);
      entries.forEach((entry, i) => {
        if (bare.results[i] === 'ok' && probed.results[i] !== 'ok') failures.push({ file: entry.file, esm: entry.esm, error: probed.results[i] });
      });
    }),
    width,
  );
  figures.probedOnly = failures.length;
  figures.differentError = differentErrors.length;
  rmSync(scratch, { recursive: true, force: true });
  return { dir, figures, failures, unconfirmed: suspects.length - failures.length, differentErrors };
}
