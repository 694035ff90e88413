// The launcher (`tanzhen`, bin/tanzhen.js) as one CommonJS file,
// dist/cli/tanzhen.cjs, instead of ~40 ES modules to resolve, read and link
// before the program can start (docs/startup.md). CommonJS, because every
// file the ES module loader resolves costs ~1-2 ms of realpath and package
// scope lookups; what the launcher imports with import() (the merging, the
// table, report.html…) sits in the same file but is only evaluated when
// imported, after the program started.
//
// Packages stay in node_modules, loaded only when used. The exporters stay
// where tsc put them (dist/exporters/): they read package.json relative to
// their own file, and load only with --otlp or --metrics-port.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { builtinsWithoutFacades } from './builtins-plugin.mjs';

const exporters = {
  name: 'exporters-in-place',
  setup(b) {
    b.onResolve({ filter: /^\.\/(?:otlp\/index|prometheus)\.js$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}dist${path.sep}exporters${path.sep}`)) return undefined;
      return { path: `../exporters/${args.path.slice(2)}`, external: true };
    });
  },
};

rmSync('dist/cli', { recursive: true, force: true });
await build({
  entryPoints: ['dist/launcher/cli.js'],
  outfile: 'dist/cli/tanzhen.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  define: { 'import.meta.url': 'import_meta_url' },
  banner: { js: `"use strict";\nvar import_meta_url = require("node:url").pathToFileURL(__filename).href;` },
  plugins: [exporters, builtinsWithoutFacades('dist')],
  logLevel: 'warning',
});
