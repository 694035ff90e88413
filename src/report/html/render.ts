// DIR/report.html: one self-contained file. The page's code is the
// functions in client-*.ts, inlined by their source text; the data is one
// JSON block; the Content-Security-Policy names the exact script and style
// by hash and allows nothing else, so the page cannot reach the network.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { writeFileAtomic } from '../../common/files.js';
import { stringifyJson } from '../../common/json.js';
import { HTML_FILE } from '../../common/run-dir/layout.js';
import type { ProcessReport, Summary } from '../../common/types.js';
import { pageHelpers } from './client-common.js';
import { renderFlame } from './client-flame.js';
import { renderHistograms } from './client-histograms.js';
import { renderTable } from './client-table.js';
import { pageData } from './data.js';
import { page, STYLE } from './template.js';

export { HTML_FILE };

export interface HtmlOptions {
  /** Locations inside it are shown relative to it. */
  cwd?: string;
  now?: Date;
}

export function renderHtml(summary: Summary, reports: ProcessReport[], options: HtmlOptions = {}): string {
  const data = pageData(summary, reports, options);
  const script = `(() => {
'use strict';
const data = JSON.parse(document.getElementById('tanzhen-data').textContent);
const helpers = (${pageHelpers})();
(${renderTable})(data, helpers);
(${renderFlame})(data, helpers);
(${renderHistograms})(data, helpers);
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
  return page({ title: escapeHtml(`tanzhen: ${summary.command.join(' ')}`), style: STYLE, script, data: scriptSafeJson(data), csp });
}

export function writeHtmlReport(outDir: string, summary: Summary, reports: ProcessReport[], options: HtmlOptions = {}): void {
  writeFileAtomic(path.join(outDir, HTML_FILE), renderHtml(summary, reports, options));
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** JSON that cannot end its <script> element early. */
function scriptSafeJson(value: unknown): string {
  return stringifyJson(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
