// @ts-nocheck -- browser code: inlined into report.html with Function.prototype.toString(), so it must be self-contained.

/**
 * A card per function, made when first shown: its latency histogram as SVG
 * bars on a log duration axis, p50/p95/p99 marked. The table says which
 * functions to show (the top of its view) and reveals one on a click.
 */
export function renderHistograms(data, { fmt, el, svg, tooltip, pct }) {
  const W = 320;
  const H = 126;
  const left = 6;
  const right = W - 6;
  const top = 14;
  const bottom = 92;
  const root = document.getElementById('histograms');
  const cards = new Map();
  const card = (i) => {
    if (!cards.has(i)) cards.set(i, makeCard(i));
    return cards.get(i);
  };
  const makeCard = (i) => {
    const f = data.functions[i];
    const card = el(
      'div',
      { class: 'card', id: `h${i}` },
      el('h3', { text: f.name }),
      el('p', { class: 'where', text: f.where }),
      el('p', { text: `${f.calls} call${f.calls === 1 ? '' : 's'} · p50 ${fmt(f.p50Ms)} · p95 ${fmt(f.p95Ms)} · p99 ${fmt(f.p99Ms)} · max ${fmt(f.maxMs)}` }),
    );
    const { first, perDecade, counts } = f.bins;
    if (counts.length === 0) {
      card.append(el('p', { text: 'No timed calls.' }));
      return card;
    }
    const edgesNs = [];
    for (let b = 0; b <= counts.length; b++) edgesNs.push(Number((10 ** ((first + b) / perDecade)).toPrecision(6)));
    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `latency histogram of ${f.name}` });
    const logLo = Math.log10(edgesNs[0]);
    const logHi = Math.log10(edgesNs[edgesNs.length - 1]);
    const xOf = (ns) => left + ((Math.log10(Math.max(ns, edgesNs[0])) - logLo) / (logHi - logLo || 1)) * (right - left);
    const most = Math.max(...counts);
    const total = counts.reduce((a, b) => a + b, 0);
    chart.append(svg('line', { class: 'axis', x1: left, x2: right, y1: bottom + 0.5, y2: bottom + 0.5 }));
    counts.forEach((count, b) => {
      if (count === 0) return;
      const x = xOf(edgesNs[b]);
      const w = Math.max(1, xOf(edgesNs[b + 1]) - x - 1);
      const h = Math.max(1.5, (count / most) * (bottom - top));
      const bar = svg('rect', { class: 'bar', x: x.toFixed(2), y: (bottom - h).toFixed(2), width: w.toFixed(2), height: h.toFixed(2) });
      const range = `${fmt(edgesNs[b] / 1e6)} – ${fmt(edgesNs[b + 1] / 1e6)}`;
      bar.addEventListener('mouseenter', (e) => tooltip.show(e, range, [`${count} call${count === 1 ? '' : 's'} (${pct(count, total)})`]));
      bar.addEventListener('mousemove', (e) => tooltip.move(e));
      bar.addEventListener('mouseleave', () => tooltip.hide());
      chart.append(bar);
    });
    [
      ['p50', f.p50Ms],
      ['p95', f.p95Ms],
      ['p99', f.p99Ms],
    ].forEach(([label, ms], k) => {
      const x = xOf(ms * 1e6);
      chart.append(svg('line', { class: 'mark', x1: x.toFixed(2), x2: x.toFixed(2), y1: top - 4, y2: bottom }));
      const text = svg('text', { x: x.toFixed(2), y: 9, 'text-anchor': k === 0 ? 'end' : k === 1 ? 'middle' : 'start' });
      text.textContent = label;
      // Close percentiles would overprint: show the label only where there is room.
      const prev = k > 0 ? xOf([f.p50Ms, f.p95Ms][k - 1] * 1e6) : -Infinity;
      if (x - prev > 22) chart.append(text);
    });
    const ticks = [0, Math.floor((edgesNs.length - 1) / 2), edgesNs.length - 1];
    ticks.forEach((t, k) => {
      const text = svg('text', { x: xOf(edgesNs[t]).toFixed(2), y: bottom + 14, 'text-anchor': k === 0 ? 'start' : k === 1 ? 'middle' : 'end' });
      text.textContent = fmt(edgesNs[t] / 1e6);
      chart.append(text);
    });
    const peak = svg('text', { x: left, y: bottom + 26 });
    peak.textContent = `tallest bar: ${most} call${most === 1 ? '' : 's'}`;
    chart.append(peak);
    card.append(chart);
    return card;
  };
  let pinned = [];
  let leading = [];
  const draw = () => root.replaceChildren(...[...new Set([...pinned, ...leading])].map(card));
  return {
    /** The cards of these functions (the top of the table), after any the reader asked for. */
    show(indices) {
      leading = indices;
      draw();
    },
    /** Puts this function's card first (before following the link to it). */
    reveal(i) {
      pinned = [i, ...pinned.filter((p) => p !== i)].slice(0, 12);
      draw();
    },
  };
}
