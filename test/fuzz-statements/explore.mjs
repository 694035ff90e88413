// Not a test: runs every piece alone (each family, both formats, minified or
// not) and prints the ones whose probed run differs, for triage.
import { isDeepStrictEqual } from 'node:util';
import { FAMILIES, lines } from './programs.mjs';
import { MODULE_DIRECTIVES } from './snippets.mjs';
import { runBoth } from './run.mjs';

const only = process.argv[2];
const eol = JSON.parse(`"${process.argv[3] ?? '\\n'}"`);
for (const [family, pieces] of Object.entries(FAMILIES)) {
  if (only && family !== only) continue;
  for (const piece of pieces) {
    for (const format of ['commonjs', 'module']) {
      if (piece.sloppy && format === 'module') continue;
      if (piece.esm && format !== 'module') continue;
      if (family === 'withs' && format === 'module') continue;
      const code = piece.code.replaceAll('$', '_0');
      const steps = piece.calls.map((c) => `__fz.q(${JSON.stringify(c.replaceAll('$', '_0'))}, () => ${c.replaceAll('$', '_0')})`);
      const source = lines(`${code}\n${steps.join('\n')}\n`, eol);
      const { bare, probed } = await runBoth({ format, source });
      if (!isDeepStrictEqual(bare, probed)) {
        console.log(`=== ${family} (${format})\n${source}--- bare\n${bare.map((e) => JSON.stringify(e)).join('\n')}\n--- probed\n${probed.map((e) => JSON.stringify(e)).join('\n')}\n`);
      }
    }
  }
}
if (only === 'directives' || !only) {
  for (const d of MODULE_DIRECTIVES) {
    const source = lines(`${d}function f() { return typeof this }\n__fz.q('f', () => f())\n`, eol);
    const { bare, probed } = await runBoth({ format: 'commonjs', source });
    if (!isDeepStrictEqual(bare, probed)) console.log(`=== module directive ${JSON.stringify(d)}\n--- bare ${JSON.stringify(bare)}\n--- probed ${JSON.stringify(probed)}\n`);
  }
}
