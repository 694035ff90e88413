// An esbuild plugin for our bundles: a built-in module imported from an ES
// module makes Node build an ES-module facade for it, reading every export —
// for node:fs that loads its streams (~15 ms on Node 24, docs/startup.md).
// In the bundle each `node:*` import reads process.getBuiltinModule() instead,
// and exports only the names our compiled sources import (a getter like
// fs.F_OK warns when read). Named imports are read once, when the bundle
// loads.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

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

/** The esbuild plugin: `node:*` imports read process.getBuiltinModule(), exporting only the names dist/ imports. */
export function builtinsWithoutFacades(dir) {
  const names = importedNames(dir);
  return {
  name: 'builtins-without-facades',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const exported = [...(names.get(args.path) ?? [])].map((n) => `export const ${n} = m.${n};`).join('\n');
      return { contents: `const m = process.getBuiltinModule(${JSON.stringify(args.path)});\nexport default m;\n${exported}\n`, loader: 'js' };
    });
  },
  };
}

