// report.html in a real browser (Debian's chromium, driven by playwright-core):
// it renders, logs no console error, makes no network request, shows the
// function names, sorts on click, zooms the flame chart on click. Screenshots
// go to test/.tmp/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixture, probe, root, tempDir } from './helpers.mjs';
import { writeBigRun } from './big-run.mjs';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;
const shots = path.join(root, 'test/.tmp');
const { renderHtml } = await import(path.join(root, 'dist/report/html/render.js'));

let browser;
before(async () => {
  if (skip) return;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(() => browser?.close());

/** Opens `file` in a fresh page that fails on any console error, page error or request other than file: and data:. */
async function open(file, viewport = { width: 1200, height: 900 }) {
  const context = await browser.newContext({ viewport, offline: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => !/^(file|data):/.test(r.url()) && problems.push(`request: ${r.url()}`));
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file|data):/.test(url)) return route.continue();
    problems.push(`routed request: ${url}`);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('#functions th');
  return { page, problems, close: () => context.close() };
}

const firstColumn = (page) => page.$$eval('#functions tbody tr', (rows) => rows.map((r) => r.querySelector('a').textContent));

test('report.html of a run: renders offline, sorts, zooms', { skip, timeout: 120_000 }, async () => {
  const r = await probe(['./async.js:*'], ['node', 'async.js'], { cwd: fixture('nesting') });
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(r.out, 'report.html');
  const html = readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /<link|\ssrc=|@import|url\(/i, 'nothing to fetch');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);

  const { page, problems, close } = await open(file);
  try {
    // The table: every function, initially by total time.
    const names = r.summary.functions.map((f) => f.name);
    assert.deepEqual(await firstColumn(page), names);
    const text = await page.textContent('body');
    for (const name of names) assert.ok(text.includes(name), name);
    assert.ok(text.includes('test/fixtures/nesting/async.js:13') || text.includes('async.js:13'));

    // Sorting: Calls descending, then ascending, then Function A→Z.
    await page.click('th[data-key="calls"]');
    assert.equal((await firstColumn(page))[0], 'wait');
    assert.equal(await page.getAttribute('th[data-key="calls"]', 'aria-sort'), 'descending');
    await page.click('th[data-key="calls"]');
    assert.equal((await firstColumn(page))[0], 'requestB');
    assert.equal(await page.getAttribute('th[data-key="calls"]', 'aria-sort'), 'ascending');
    await page.click('th[data-key="name"]');
    assert.deepEqual(await firstColumn(page), [...names].sort());
    await page.click('th[data-key="totalMs"]');
    assert.deepEqual(await firstColumn(page), names);

    // Histograms: one card per function, with bars.
    assert.equal(await page.locator('#histograms .card').count(), names.length);
    for (const card of await page.$$('#histograms .card')) assert.ok((await card.$$('rect.bar')).length >= 1);

    // Flame chart: every tree node drawn; the root spans the width.
    const width = (name) => page.$eval(`.frame[data-name="${name}"]`, (d) => (d.hidden ? 0 : d.getBoundingClientRect().width));
    const full = await width('all');
    assert.ok(full > 800);
    const before = await width('requestA');
    assert.ok(before > 0 && before < full - 10, `requestA ${before} of ${full}`);
    assert.ok((await width('requestB')) > 0);

    await page.hover('.frame[data-name="requestA"]');
    assert.match(await page.textContent('#tooltip'), /requestA.*2 calls.*total/s);
    await page.screenshot({ path: path.join(shots, 'report.png'), fullPage: true });

    // Click requestA: it fills the width, requestB leaves the view, its callees widen.
    await page.click('.frame[data-name="requestA"]');
    assert.ok(Math.abs((await width('requestA')) - full) < 2);
    assert.equal(await width('requestB'), 0);
    assert.equal(await page.getAttribute('.frame[data-name="requestA"]', 'aria-selected'), 'true');
    await page.screenshot({ path: path.join(shots, 'report-zoomed.png'), fullPage: true });
    // Click the root: back to the whole tree.
    await page.click('.frame[data-name="all"]');
    assert.ok(Math.abs((await width('requestA')) - before) < 2);
    assert.ok((await width('requestB')) > 0);

    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('report.html shows hostile names as text and copes with an empty run', { skip, timeout: 60_000 }, async () => {
  const evil = '</script><img src=x onerror="alert(1)">';
  const fn = { target: './x.js:*', name: evil, file: '/tmp/x.js', line: 1, calls: 3, errors: 1, totalMs: 3, selfMs: 3, meanMs: 1, p50Ms: 1, p95Ms: 1, p99Ms: 1, maxMs: 1 };
  const summary = (functions, tree) => ({ version: 1, command: ['node', evil], exitCode: 1, processes: [], functions, tree, unmatched: [{ target: './x.js:nope', message: 'no function nope in ./x.js' }], droppedSpans: 7 });
  const report = { version: 1, pid: 1, threadId: 0, runtime: 'node', runtimeVersion: 'v0', argv: [], startedAt: 0, functions: [{ ...fn, histogram: [[2000, 3]] }], matched: [], candidates: {}, warnings: [] };
  const dir = tempDir();
  const cases = {
    hostile: renderHtml(summary([fn], [{ name: evil, file: '/tmp/x.js', calls: 3, totalMs: 3, selfMs: 3, children: [] }]), [report]),
    empty: renderHtml(summary([], []), []),
  };
  for (const [name, html] of Object.entries(cases)) {
    assert.equal(html.match(/<\/script>/g).length, 2, 'only the two closing tags of the page');
    const file = path.join(dir, `${name}.html`);
    writeFileSync(file, html);
    const { page, problems, close } = await open(file, { width: 900, height: 700 });
    try {
      assert.equal(await page.$$eval('img', (imgs) => imgs.length), 0);
      const text = await page.textContent('body');
      if (name === 'hostile') {
        assert.ok(text.includes(evil));
        assert.ok(text.includes('7 individual calls'));
        assert.ok(text.includes('unmatched ./x.js:nope'));
        await page.click('.frame[data-name="all"]');
      } else {
        assert.ok(text.includes('No probed calls.'));
        assert.ok(text.includes('No function was called.'));
      }
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});

test('report.html draws and zooms a call tree 30 000 levels deep', { skip, timeout: 120_000 }, async () => {
  const depth = 30_000; // past the browser's stack for a recursive walk
  const fn = { target: './x.js:rec', name: 'rec', file: '/tmp/x.js', line: 1, calls: depth, errors: 0, totalMs: depth, selfMs: depth, meanMs: 1, p50Ms: 1, p95Ms: 1, p99Ms: 1, maxMs: 1 };
  const top = { name: 'rec', file: '/tmp/x.js', calls: 1, totalMs: depth, selfMs: 1, children: [] };
  let node = top;
  for (let i = 1; i < depth; i++) node = node.children[0] = { name: i === depth - 1 ? 'bottom' : 'rec', file: '/tmp/x.js', calls: 1, totalMs: depth - i, selfMs: 1, children: [] };
  const summary = { version: 1, command: ['node', 'x.js'], exitCode: 0, processes: [], functions: [fn], tree: [top], unmatched: [], droppedSpans: 0 };
  const file = path.join(tempDir(), 'deep.html');
  writeFileSync(file, renderHtml(summary, []));
  const { page, problems, close } = await open(file);
  try {
    // Every level wide enough to see is drawn (the last few, under 1.5 px, only once zoomed into).
    const drawn = await page.locator('.frame').count();
    assert.ok(drawn > depth - 100 && drawn <= depth + 1, `${drawn} frames`);
    assert.equal(await page.locator('.frame[data-name="bottom"]').count(), 0);
    await page.$$eval('.frame[data-name="rec"]', (frames) => frames[frames.length - 1].click());
    await page.$eval('.frame[data-name="bottom"]', (d) => d.click());
    assert.equal(await page.getAttribute('.frame[data-name="bottom"]', 'aria-selected'), 'true');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('report.html of a 10 000-function run: opens fast, never-called hidden, search, pages, icicle first, async callees within their caller', { skip, timeout: 180_000 }, async () => {
  const dir = writeBigRun(tempDir(), { functions: 10_000, called: 3_300, depth: 200, width: 2_000 });
  const { readProcessReports: readReports } = await import(path.join(root, 'dist/common/run-dir/reports.js'));
  const { buildSummary } = await import(path.join(root, 'dist/report/summary.js'));
  const { writeHtmlReport } = await import(path.join(root, 'dist/report/html/render.js'));
  const reports = readReports(dir);
  const summary = buildSummary(reports, { command: ['node', 'app.js'], exitCode: 0, targets: ['./src/**/*.js:*'] });
  writeHtmlReport(dir, summary, reports, { cwd: '/work/app' });
  const file = path.join(dir, 'report.html');

  // Open time: from the start of navigation to the first frame painted after the page's script (the machine may be loaded: printed, not asserted).
  const times = [];
  for (let i = 0; i < 3; i++) {
    const opened = await open(file);
    times.push(Math.round(await opened.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now()))))));
    await opened.close();
  }
  console.log(`report.html, 10 000 functions (${(readFileSync(file).length / 1e6).toFixed(1)} MB): opened in ${times.join(', ')} ms (median ${times.sort((a, b) => a - b)[1]} ms)`);

  const { page, problems, close } = await open(file);
  try {
    const range = () => page.textContent('#range');
    const rowCount = () => page.locator('#functions tbody tr').count();
    // Never-called functions hidden; a page of 100 rows at a time.
    assert.equal(await range(), '1–100 of 3300');
    assert.equal(await rowCount(), 100);
    assert.match(await page.textContent('#uncalled-label'), /show the 6700 probed functions never called/);
    const callsColumn = () => page.$$eval('#functions tbody tr', (rows) => rows.map((r) => Number(r.cells[1].textContent)));
    assert.ok((await callsColumn()).every((c) => c > 0));
    await page.click('#next');
    assert.equal(await range(), '101–200 of 3300');
    await page.click('#prev');
    await page.check('#uncalled');
    assert.equal(await range(), '1–100 of 10000');
    await page.click('th[data-key="calls"]');
    await page.click('th[data-key="calls"]');
    assert.ok((await callsColumn()).every((c) => c === 0), 'ascending: the never-called first');
    await page.uncheck('#uncalled');
    await page.click('th[data-key="totalMs"]');

    // Search by name, then by file; a never-called match needs the toggle.
    await page.fill('#search', 'function1234');
    assert.equal(await range(), '1–1 of 1');
    assert.deepEqual(await firstColumn(page), ['module70.function1234']);
    await page.fill('#search', 'FILE1008.js');
    const wheres = await page.$$eval('#functions tbody tr .where', (cells) => cells.map((c) => c.textContent));
    assert.ok(wheres.length > 0 && wheres.every((w) => w.includes('file1008.js')), wheres.join(' '));
    await page.fill('#search', 'function9999');
    assert.equal(await page.textContent('#functions tbody'), 'No function matches.');
    await page.check('#uncalled');
    assert.deepEqual(await firstColumn(page), ['module8.function9999']);
    await page.uncheck('#uncalled');
    await page.fill('#search', '');
    assert.equal(await range(), '1–100 of 3300');

    // Histograms: the top of the table, and any function on asking.
    assert.equal(await page.locator('#histograms .card').count(), 12);
    const fiftieth = page.locator('#functions tbody tr:nth-child(50) a');
    const target = await fiftieth.getAttribute('href');
    await fiftieth.click();
    assert.equal(await page.locator(`#histograms .card${target}`).count(), 1);

    // The icicle comes first, near the top of the page, and stays a bounded height.
    const flame = await page.$eval('#flame-box', (d) => d.getBoundingClientRect().top + window.scrollY);
    const table = await page.$eval('#functions', (d) => d.getBoundingClientRect().top + window.scrollY);
    assert.ok(flame < 400 && flame < table, `icicle at ${flame} px, table at ${table} px`);
    assert.match(await page.textContent('main'), /Width is time/);

    // No frame is wider than its caller, or outside it; callees that outlived their caller are drawn scaled and striped.
    const outside = await page.$$eval('#flame .frame:not([hidden])', (frames) => {
      const boxes = frames.map((f) => ({ name: f.dataset.name, box: f.getBoundingClientRect() }));
      const rows = new Map();
      for (const b of boxes) rows.set(Math.round(b.box.top), [...(rows.get(Math.round(b.box.top)) ?? []), b.box]);
      const bad = [];
      for (const b of boxes) {
        const above = rows.get(Math.round(b.box.top) - 20);
        if (!above) continue; // the root row
        if (!above.some((p) => b.box.left >= p.left - 0.5 && b.box.right <= p.right + 0.5)) bad.push(b.name);
      }
      return bad;
    });
    assert.deepEqual(outside, []);
    // Callees too thin to draw are one block that says so.
    await page.hover('#flame .frame.rest');
    assert.match(await page.textContent('#tooltip'), /\d+ more callees.*together.*too narrow to draw/s);
    assert.ok((await page.locator('#flame .frame.scaled').count()) > 0);
    await page.hover('#flame .frame.scaled');
    assert.match(await page.textContent('#tooltip'), /took longer than its caller/);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

if (!skip) mkdirSync(shots, { recursive: true });
