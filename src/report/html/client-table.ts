// @ts-nocheck -- browser code: inlined into report.html with Function.prototype.toString(), so it must be self-contained.

/**
 * The run's header, and the functions table: sortable by clicking a column
 * header, filtered by the search box (name or file), never-called functions
 * hidden unless asked for, shown a page of rows at a time so that ten
 * thousand functions cost what a hundred do.
 */
export function renderTable(data, { fmt, el }, histograms) {
  const PAGE = 100;
  const HISTOGRAMS = 12;
  const command = data.command.join(' ');
  document.getElementById('subtitle').textContent = command;
  const processes = data.processes.length;
  const called = data.functions.filter((f) => f.calls > 0).length;
  const uncalled = data.functions.length - called;
  const ended = data.signal ? `killed by ${data.signal}` : `exit code ${data.exitCode}`;
  const meta = document.getElementById('meta');
  meta.append(
    el('code', { text: command }),
    ` — ${ended}; ${data.functions.length} function${data.functions.length === 1 ? '' : 's'} probed in ${processes} process${processes === 1 ? '' : 'es'}`,
    uncalled > 0 ? `, ${called} called` : '',
    data.calibration ? `; probe overhead ${data.calibration.overheadNs} ns per call subtracted` : '',
    `; generated ${data.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`,
  );
  const notes = document.getElementById('notes');
  if (data.droppedSpans > 0) notes.append(el('p', { class: 'note', text: `${data.droppedSpans} individual calls past the span cap are missing from trace.json (all calls are counted here).` }));
  for (const u of data.unmatched) notes.append(el('p', { class: 'note warn', text: `unmatched ${u.target}: ${u.message}` }));

  const columns = [
    { key: 'name', label: 'Function', text: true },
    { key: 'calls', label: 'Calls' },
    { key: 'errors', label: 'Errors' },
    { key: 'totalMs', label: 'Total', time: true },
    { key: 'selfMs', label: 'Self', time: true },
    { key: 'meanMs', label: 'Mean', time: true },
    { key: 'p50Ms', label: 'p50', time: true },
    { key: 'p95Ms', label: 'p95', time: true },
    { key: 'p99Ms', label: 'p99', time: true },
    { key: 'maxMs', label: 'Max', time: true },
  ];
  const table = document.getElementById('functions');
  const headRow = el('tr');
  table.tHead.append(headRow);
  const body = table.tBodies[0];
  const search = document.getElementById('search');
  const showUncalled = document.getElementById('uncalled');
  const prev = document.getElementById('prev');
  const next = document.getElementById('next');
  const range = document.getElementById('range');
  if (uncalled > 0) document.getElementById('uncalled-text').textContent = `show the ${uncalled} probed function${uncalled === 1 ? '' : 's'} never called`;
  else document.getElementById('uncalled-label').hidden = true;

  // Rows are made when first shown; the lower-cased text searched is kept with them.
  const rows = data.functions.map((f, i) => ({ f, i, text: `${f.name}\n${f.where}`.toLowerCase(), tr: null }));
  const rowOf = (r) => {
    if (r.tr) return r.tr;
    const { f, i } = r;
    const link = el('a', { href: `#h${i}`, text: f.name });
    link.addEventListener('click', () => histograms.reveal(i));
    const name = el('td', {}, link);
    if (f.sampleEvery > 1) name.append(el('span', { class: 'tag', title: `1 call in ${f.sampleEvery} timed`, text: `1/${f.sampleEvery}` }));
    if (f.unfinished) name.append(el('span', { class: 'tag', title: `${f.unfinished} call${f.unfinished === 1 ? '' : 's'} still running at exit, timed until the exit`, text: 'unfinished' }));
    name.append(el('span', { class: 'where', text: f.where }));
    const cells = columns.slice(1).map((c) => {
      const td = el('td', { class: 'num', text: c.time ? fmt(f[c.key]) : String(f[c.key]) });
      if (c.key === 'errors' && f.errors > 0) td.classList.add('errors');
      if (c.time) td.title = `${f[c.key]} ms`;
      return td;
    });
    return (r.tr = el('tr', {}, name, ...cells));
  };

  const byName = new Intl.Collator(undefined, { sensitivity: 'variant' }).compare;
  let sortKey = 'totalMs';
  let descending = true;
  let page = 0;
  let view = [];
  const headers = columns.map((c) => {
    const th = el('th', { scope: 'col', tabindex: '0', text: c.label, 'data-key': c.key });
    const sort = () => {
      descending = sortKey === c.key ? !descending : !c.text;
      sortKey = c.key;
      page = 0;
      select();
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), sort()));
    headRow.append(th);
    return th;
  });
  /** The rows the search and the toggle let through, in the chosen order. */
  const select = () => {
    const needle = search.value.trim().toLowerCase();
    const all = showUncalled.checked;
    const column = columns.find((c) => c.key === sortKey);
    view = rows.filter((r) => (all || r.f.calls > 0) && (needle === '' || r.text.includes(needle)));
    view.sort((a, b) => {
      const x = a.f[sortKey];
      const y = b.f[sortKey];
      const order = column.text ? byName(x, y) : x - y;
      return (descending ? -order : order) || byName(a.f.name, b.f.name) || a.i - b.i;
    });
    for (const th of headers) {
      if (th.dataset.key === sortKey) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
    histograms.show(view.slice(0, HISTOGRAMS).map((r) => r.i));
    draw();
  };
  const draw = () => {
    const pages = Math.max(1, Math.ceil(view.length / PAGE));
    page = Math.min(page, pages - 1);
    const from = page * PAGE;
    const shown = view.slice(from, from + PAGE);
    if (shown.length > 0) body.replaceChildren(...shown.map(rowOf));
    else {
      const why = data.functions.length === 0 || (called === 0 && !showUncalled.checked && search.value.trim() === '') ? 'No function was called.' : 'No function matches.';
      body.replaceChildren(el('tr', {}, el('td', { colspan: String(columns.length), text: why })));
    }
    range.textContent = view.length === 0 ? '0 functions' : `${from + 1}–${from + shown.length} of ${view.length}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  };
  prev.addEventListener('click', () => {
    page--;
    draw();
  });
  next.addEventListener('click', () => {
    page++;
    draw();
  });
  search.addEventListener('input', () => {
    page = 0;
    select();
  });
  showUncalled.addEventListener('change', () => {
    page = 0;
    select();
  });
  select();
}
