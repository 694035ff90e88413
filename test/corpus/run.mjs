// The real-code corpus (issue 10): each package's own test suite, bare and
// under `tanzhen run` with `*` on all of its source files, must give the same
// exit code, counts and per-test outcomes. Packages install into a cache
// outside the clone (install.mjs). Run by .ci/run, not by npm test.
// TANZHEN_CORPUS_ONLY=name,name limits the run to some packages (and is how
// the optional ones, such as the Python package, are run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, line } from './corpus.mjs';
import { packages } from './packages.mjs';

const only = process.env.TANZHEN_CORPUS_ONLY?.split(',').filter(Boolean);
const chosen = only ? packages.filter((p) => only.includes(p.name)) : packages.filter((p) => !p.optional);

for (const pkg of chosen) {
  test(`${pkg.name}@${pkg.version} (${pkg.style}): its test suite gives the same results under the probe`, { timeout: 1_500_000 }, async () => {
    const r = await compare(pkg);
    console.log(line(r));
    assert.ok(r.bare.tests > 0, `the bare run found no tests\n${r.bare.stderr.slice(-3000)}`);
    assert.deepEqual(r.differences, [], `${pkg.name}: probed stderr:\n${r.probed.stderr.slice(-3000)}`);
  });
}
