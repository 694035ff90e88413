// @ts-nocheck -- browser code: inlined into report.html with Function.prototype.toString(), so it must be self-contained.

/** The run's header, and the functions table, sortable by clicking a column header. */
export function renderTable(data, { fmt, el }) {
  const command = data.command.join(' ');
  document.getElementById('subtitle').textContent = command;
  const processes = data.processes.length;
  const ended = data.signal ? `killed by ${data.signal}` : `exit code ${data.exitCode}`;
  const meta = document.getElementById('meta');
  meta.append(
    el('code', { text: command }),
    ` — ${ended}; ${data.functions.length} function${data.functions.length === 1 ? '' : 's'} probed in ${processes} process${processes === 1 ? '' : 'es'}`,
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
  const rows = data.functions.map((f, i) => {
    const name = el('td', {}, el('a', { href: `#h${i}`, text: f.name }));
    if (f.sampleEvery > 1) name.append(el('span', { class: 'tag', title: `1 call in ${f.sampleEvery} timed`, text: `1/${f.sampleEvery}` }));
    name.append(el('span', { class: 'where', text: f.where }));
    const cells = columns.slice(1).map((c) => {
      const td = el('td', { class: 'num', text: c.time ? fmt(f[c.key]) : String(f[c.key]) });
      if (c.key === 'errors' && f.errors > 0) td.classList.add('errors');
      if (c.time) td.title = `${f[c.key]} ms`;
      return td;
    });
    return { f, tr: el('tr', {}, name, ...cells) };
  });
  let sortKey = 'totalMs';
  let descending = true;
  const headers = columns.map((c) => {
    const th = el('th', { scope: 'col', tabindex: '0', text: c.label, 'data-key': c.key });
    const sort = () => {
      descending = sortKey === c.key ? !descending : !c.text;
      sortKey = c.key;
      draw();
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), sort()));
    headRow.append(th);
    return th;
  });
  const draw = () => {
    const column = columns.find((c) => c.key === sortKey);
    const sorted = rows.slice().sort((a, b) => {
      const x = a.f[sortKey];
      const y = b.f[sortKey];
      const order = column.text ? String(x).localeCompare(String(y)) : x - y;
      return (descending ? -order : order) || a.f.name.localeCompare(b.f.name);
    });
    body.replaceChildren(...sorted.map((r) => r.tr));
    for (const th of headers) {
      if (th.dataset.key === sortKey) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
  };
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: String(columns.length), text: 'No function was called.' })));
  else draw();
}
