// DIR/report.html: one self-contained file. The page's code is the
// functions in client-*.ts, inlined by their source text; the data is one
// JSON block, streamed; the Content-Security-Policy names the exact script and style
// by hash and allows nothing else, so the page cannot reach the network.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { writeFileStreamed } from '../../common/files.js';
import { writeJson } from '../../common/json.js';
import { HTML_FILE } from '../../common/run-dir/layout.js';
import type { ProcessReport, Summary } from '../../common/types.js';
import { completeData, pageHelpers } from './client-common.js';
import { renderFlame } from './client-flame.js';
import { renderHistograms } from './client-histograms.js';
import { renderTable } from './client-table.js';
import { pageData } from './data.js';
import { pageEnd, pageStart, STYLE } from './template.js';

export { HTML_FILE };

export interface HtmlOptions {
  /** Locations inside it are shown relative to it. */
  cwd?: string;
  now?: Date;
}

/** The page, written piece by piece to `write`: the embedded data goes out in chunks, never as one string. */
export function renderHtmlTo(write: (text: string) => void, summary: Summary, reports: ProcessReport[], options: HtmlOptions = {}): void {
  const data = pageData(summary, reports, options);
  const script = `(() => {
'use strict';
const data = (${completeData})(JSON.parse(document.getElementById('tanzhen-data').textContent));
const helpers = (${pageHelpers})();
const histograms = (${renderHistograms})(data, helpers);
(${renderFlame})(data, helpers);
(${renderTable})(data, helpers, histograms);
})();
`;
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(STYLE)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  write(pageStart({ title: escapeHtml(`tanzhen: ${summary.command.join(' ')}`), style: STYLE, csp }));
  // JSON that cannot end its <script> element early; each replaced character stands alone, so chunk by chunk is safe.
  writeJson((chunk) => write(chunk.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')), data);
  write(pageEnd(script));
}

/** The page as one string: for tests and small runs. */
export function renderHtml(summary: Summary, reports: ProcessReport[], options: HtmlOptions = {}): string {
  const parts: string[] = [];
  renderHtmlTo((text) => parts.push(text), summary, reports, options);
  return parts.join('');
}

/** DIR/report.html, streamed to a temporary file renamed into place at the end. */
export function writeHtmlReport(outDir: string, summary: Summary, reports: ProcessReport[], options: HtmlOptions = {}): void {
  writeFileStreamed(path.join(outDir, HTML_FILE), (write) => renderHtmlTo(write, summary, reports, options));
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
