// @ts-nocheck -- browser code: inlined into report.html with Function.prototype.toString(), so it must be self-contained.

/** Helpers shared by the page's parts: human durations, element building, the tooltip, frame colours. */
export function pageHelpers() {
  const fixed = (x) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
  const fmt = (ms) => {
    if (!Number.isFinite(ms)) return '-';
    const ns = ms * 1e6;
    if (ns < 1000) return `${Math.round(ns)} ns`;
    if (ns < 1e6) return `${fixed(ns / 1e3)} µs`;
    if (ms < 1000) return `${fixed(ms)} ms`;
    if (ms < 60000) return `${fixed(ms / 1e3)} s`;
    return `${Math.floor(ms / 60000)}m ${String(Math.round((ms % 60000) / 1000)).padStart(2, '0')}s`;
  };
  const el = (tag, props, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  };
  const svg = (tag, attrs) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    return node;
  };
  const tip = document.getElementById('tooltip');
  const tooltip = {
    show(event, title, lines) {
      tip.replaceChildren(el('b', { text: title }), ...lines.map((line) => el('span', { text: line })));
      tip.hidden = false;
      tooltip.move(event);
    },
    move(event) {
      const x = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
      const y = event.clientY + 16 + tip.offsetHeight > window.innerHeight ? event.clientY - tip.offsetHeight - 10 : event.clientY + 16;
      tip.style.left = `${Math.max(4, x)}px`;
      tip.style.top = `${Math.max(4, y)}px`;
    },
    hide() {
      tip.hidden = true;
    },
  };
  /** A warm colour per name, the same on every render. */
  const color = (name) => {
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return `hsl(${(h % 50) + 5}, ${70 + (h % 20)}%, ${62 + ((h >> 8) % 12)}%)`;
  };
  const pct = (part, whole) => (whole > 0 ? `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 2 : 1)}%` : '-');
  return { fmt, el, svg, tooltip, color, pct };
}

/** The figures the data leaves out when they are 0 (and empty bins), put back. */
export function completeData(data) {
  const figures = ['calls', 'errors', 'totalMs', 'selfMs', 'meanMs', 'p50Ms', 'p95Ms', 'p99Ms', 'maxMs'];
  for (const f of data.functions) {
    for (const key of figures) if (f[key] === undefined) f[key] = 0;
    if (f.bins === undefined) f.bins = { first: 0, perDecade: 1, counts: [] };
  }
  return data;
}
