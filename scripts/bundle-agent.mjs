// The agent loads into every probed process. Bundled, each entry is one file
// instead of ~25 ES modules to resolve, read and link, and its built-in
// imports read process.getBuiltinModule() instead of making Node build an
// ES-module facade for each built-in: together they roughly halve the
// preload's start-up cost (measured on Node 20 and 24). The parser,
// magic-string and the source-map libraries stay external: they load only
// when a target file does. (A CommonJS bundle was faster on Node 24 but
// ~40 ms slower on Node 20, where --import of CommonJS is slow.)
//
//   dist/agent/agent.cjs              the agent
//   dist/agent/register.cjs           the preload (`--require tanzhen/register`): runs
//                                     agent.cjs from V8's code cache (src/agent/preload.ts)
//   dist/agent/register.js            the same for `--import tanzhen/register`
//   dist/agent/hooks/esm-loader.js    Node 20's module.register() hooks
//
// `tanzhen run` preloads with --require: any --import makes Node run even a
// CommonJS main module through the ES module loader, which changes its
// event-loop order and stack traces. So the agent is one CommonJS bundle,
// and register.js only require()s it (one copy of the agent's state).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtinsWithoutFacades } from './builtins-plugin.mjs';
import { ENV } from '../dist/common/types.js';

const builtins = builtinsWithoutFacades('dist');

/**
 * The preload runs before anything of ours can check the runtime, and the
 * bundle would fail on APIs an older Node lacks. So the bundle is wrapped in one test, done on the supported path by
 * a version comparison and nothing more: a Node older than package.json's
 * engines (a program pinned to 20.11, say) runs unprobed, with one warning
 * when it has targets.
 */
const minimum = JSON.parse(readFileSync('package.json', 'utf8')).engines.node.replace(/^>=\s*/, '');
const guard = {
  banner: `const tanzhen$minimum = ${JSON.stringify(minimum.split('.').map(Number))};
const tanzhen$version = process.versions.node.split('.').map(Number);
if (typeof process.getBuiltinModule !== 'function' || (tanzhen$version[0] - tanzhen$minimum[0] || tanzhen$version[1] - tanzhen$minimum[1] || tanzhen$version[2] - tanzhen$minimum[2]) < 0) {
  try {
    if ((process.env.${ENV.trace} ?? '').trim() !== '' || process.env.${ENV.traceFile}) process.stderr.write('tanzhen: warning: Node.js ' + process.version + ' is not supported (tanzhen needs >=${minimum}); this process runs without the probe\\n');
  } catch {}
} else {`,
  footer: '}',
};

/**
 * This build's identity, for the agent's cache of instrumented sources
 * (src/agent/instrument/rewrite-cache.ts): a hash of every compiled file, so
 * any change to the code makes earlier entries unreachable.
 */
function buildId(dir) {
  const hash = createHash('sha256');
  const visit = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(d, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (file.endsWith('.js')) hash.update(file).update('\0').update(readFileSync(file));
    }
  };
  visit(dir);
  return hash.digest('hex').slice(0, 16);
}
const build$id = JSON.stringify(buildId('dist'));

// Built from tsc's output before that file becomes the wrapper below.
await build({
  entryPoints: ['dist/agent/register.js'],
  outfile: 'dist/agent/agent.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  define: { 'import.meta.url': 'import_meta_url', __TANZHEN_BUILD__: build$id },
  banner: { js: `"use strict";\nvar import_meta_url = require("node:url").pathToFileURL(__filename).href;` },
  plugins: [builtins],
  logLevel: 'warning',
});
const agentHash = createHash('sha256').update(readFileSync('dist/agent/agent.cjs')).digest('hex').slice(0, 16);
await build({
  entryPoints: ['dist/agent/preload.js'],
  outfile: 'dist/agent/register.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  define: { AGENT_HASH: JSON.stringify(agentHash) },
  banner: { js: `"use strict";\n${guard.banner}` },
  footer: { js: guard.footer },
  logLevel: 'warning',
});
writeFileSync('dist/agent/register.js', "import { createRequire } from 'node:module';\ncreateRequire(import.meta.url)('./register.cjs');\n");

for (const entry of ['dist/agent/hooks/esm-loader.js']) {
  await build({
    entryPoints: [entry],
    outfile: entry,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [builtins],
    define: { __TANZHEN_BUILD__: build$id },
    logLevel: 'warning',
  });
}
