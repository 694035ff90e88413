// `tanzhen diff --markdown`: a pull-request comment. The first line is a
// marker a CI job can look for to update its earlier comment.
import type { DiffReport } from '../../common/types.js';
import { cells, failures, HEADER, sides, tally } from './cells.js';

export const MARKDOWN_MARKER = '<!-- tanzhen-diff -->';

/** Rows of unchanged (or too rarely called) functions shown at most: a comment has a size limit (65 536 characters on GitHub). */
const QUIET_ROWS = 20;

export function renderDiffMarkdown(report: DiffReport, options: { cwd?: string } = {}): string {
  const lines = [MARKDOWN_MARKER, `### tanzhen diff: ${tally(report)}`, ''];
  const broken = failures(report);
  if (report.failOn) {
    lines.push(broken.length === 0 ? `No regression (\`--fail-on ${report.failOn.rules.join(',')}\`).` : `**Regression** (\`--fail-on ${report.failOn.rules.join(',')}\`):`);
    for (const line of broken) lines.push(`- ${escape(line)}`);
    lines.push('');
  }
  if (report.functions.length > 0) {
    lines.push(row(HEADER), row(HEADER.map((_, i) => (i < 2 ? '---' : '---:'))));
    const quiet = report.functions.filter((fn) => fn.verdict === 'unchanged' || fn.verdict === 'too few calls');
    const hidden = new Set(quiet.slice(QUIET_ROWS));
    for (const fn of report.functions) {
      if (hidden.has(fn)) continue;
      const line = cells(fn, options.cwd).map(escape);
      if (fn.verdict === 'slower' || fn.verdict === 'faster') line[1] = `**${line[1]}**`;
      lines.push(row(line));
    }
    if (hidden.size > 0) lines.push('', `…and ${hidden.size} more functions unchanged or too rarely called (\`tanzhen diff --json\` lists them all).`);
    lines.push('');
  }
  lines.push(
    `<sub>Verdicts: Brunner–Munzel test on the latency histograms, α = ${report.test.alpha}, changes under ${report.test.minChange * 100}% reported as unchanged, under ${report.test.minCalls} timed calls too few. ${report.runs.base + report.runs.head > 2 ? 'Repeated runs: a change must also stand out from the run-to-run spread (t-test on the runs’ medians). ' : ''}Compared: ${escape(sides(report))}.</sub>`,
  );
  return lines.join('\n') + '\n';
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Table-safe text: no pipe, no HTML, no line break from a function's name or file. */
function escape(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}
