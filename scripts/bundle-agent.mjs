// The agent loads into every probed process. Bundled, each entry is one file
// instead of ~25 ES modules to resolve, read and link, and its built-in
// imports read process.getBuiltinModule() instead of making Node build an
// ES-module facade for each built-in: together they roughly halve the
// preload's start-up cost (measured on Node 20 and 24). The parser,
// magic-string and the source-map libraries stay external: they load only
// when a target file does. (A CommonJS bundle was faster on Node 24 but
// ~40 ms slower on Node 20, where --import of CommonJS is slow.)
//
//   dist/agent/register.js            the preload (`--import tanzhen/register`)
//   dist/agent/hooks/esm-loader.js    Node 20's module.register() hooks
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ENV } from '../dist/common/types.js';

/** Every name the compiled sources import from each built-in: only those are exported (a getter like fs.F_OK warns when read). */
function importedNames(dir) {
  const names = new Map();
  const visit = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const file = path.join(d, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (file.endsWith('.js')) {
        for (const m of readFileSync(file, 'utf8').matchAll(/import\s*(?:\w+\s*,\s*)?\{([^}]*)\}\s*from\s*["'](node:[\w/]+)["']/g)) {
          const set = names.get(m[2]) ?? new Set();
          for (const part of m[1].split(',')) if (part.trim()) set.add(part.trim().split(/\s+as\s+/)[0]);
          names.set(m[2], set);
        }
      }
    }
  };
  visit(dir);
  return names;
}

const names = importedNames('dist');
const builtins = {
  name: 'builtins-without-facades',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const exported = [...(names.get(args.path) ?? [])].map((n) => `export const ${n} = m.${n};`).join('\n');
      return { contents: `const m = process.getBuiltinModule(${JSON.stringify(args.path)});\nexport default m;\n${exported}\n`, loader: 'js' };
    });
  },
};

/**
 * The preload runs before anything of ours can check the runtime, and the
 * bundle reads built-ins through process.getBuiltinModule() from its first
 * line. So the bundle is wrapped in one test, done on the supported path by
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

for (const entry of ['dist/agent/register.js', 'dist/agent/hooks/esm-loader.js']) {
  await build({
    ...(entry.endsWith('register.js') ? { banner: { js: guard.banner }, footer: { js: guard.footer } } : {}),
    entryPoints: [entry],
    outfile: entry,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [builtins],
    logLevel: 'warning',
  });
}
