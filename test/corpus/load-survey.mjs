// The load survey (issue 10): every JavaScript file of a large installed
// dependency tree loads the same under the probe as without it. Run by
// .ci/run, not by npm test. TANZHEN_SURVEY_REPORT=file keeps the full results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { survey } from './survey.mjs';

test('every file of a large dependency tree that loads bare also loads with * probing it', { timeout: 3_600_000 }, async () => {
  const r = await survey();
  const f = r.figures;
  console.log(`load survey: ${f.packages} packages, ${f.files} files; fail bare ${f.failBare}, fail probed ${f.failProbed}; ` +
    `load bare but not probed: ${f.probedOnly} (${r.unconfirmed} more only in a batch); probed but not bare: ${f.bareOnly}; both fail with another error: ${f.differentError}; probe warnings: ${f.warnings}`);
  for (const x of r.failures.slice(0, 40)) console.log(`  probed only: ${x.file}: ${x.error}`);
  for (const x of r.differentErrors.slice(0, 10)) console.log(`  other error: ${x.file}: bare ${x.bare} | probed ${x.probed}`);
  if (process.env.TANZHEN_SURVEY_REPORT) writeFileSync(process.env.TANZHEN_SURVEY_REPORT, JSON.stringify({ figures: f, failures: r.failures, differentErrors: r.differentErrors }, null, 2));
  if (!process.env.TANZHEN_SURVEY_ONLY) assert.ok(f.files > 1000, `only ${f.files} files surveyed`);
  assert.equal(f.probedOnly, 0, 'files that load bare but not under the probe');
});
