// @ts-nocheck -- browser code: inlined into report.html with Function.prototype.toString(), so it must be self-contained.

/**
 * The call tree as an icicle chart (root on top, callees below, width =
 * total time): absolutely positioned divs whose left/width are percentages,
 * so the browser does the text clipping and resizing. Click zooms. A div is
 * made only for a frame wide enough to see at the current zoom, and one
 * listener on the chart serves them all: a tree can have tens of thousands
 * of nodes.
 */
export function renderFlame(data, { fmt, el, tooltip, color, pct }) {
  const ROW = 20;
  const container = document.getElementById('flame');
  const sum = (nodes, key) => nodes.reduce((a, n) => a + n[key], 0);
  if (data.tree.length === 0) {
    container.append(el('p', { class: 'note', text: 'No probed calls.' }));
    container.style.padding = '8px';
    return;
  }
  const root = { name: 'all', where: '', calls: sum(data.tree, 'calls'), totalMs: sum(data.tree, 'totalMs'), selfMs: 0, children: data.tree, root: true };
  // x and w are fractions of the root's width. Callees that took longer together
  // than their caller (async work that outlived it, or concurrent calls) are scaled
  // to fit under it, never wider, and marked. Depth first with an explicit stack:
  // a tree is as deep as the program's calls went.
  Object.assign(root, { x: 0, w: 1, depth: 0, parent: null, scale: 1 });
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    const childTotal = sum(node.children, 'totalMs');
    const scale = childTotal > node.totalMs && childTotal > 0 ? node.totalMs / childTotal : 1;
    node.concurrent = scale < 1;
    let cx = node.x;
    for (const child of node.children) {
      const f = child.fn !== undefined ? data.functions[child.fn] : child;
      const cw = node.totalMs > 0 ? (node.w * child.totalMs * scale) / node.totalMs : 0;
      Object.assign(child, { name: f.name, where: f.where, x: cx, w: cw, depth: node.depth + 1, parent: node, scale });
      cx += cw;
    }
    for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]);
  }

  // Frames under 1.5 px are left out (with their callees), and a frame gets its
  // label only once it is wide enough to show some of it: a layout of
  // thousands of slivers and their text is what made big reports slow to open.
  const chartWidth = () => container.clientWidth || 1000;
  let focus = root;
  let shown = [];
  const frames = new Map(); // div → node (or a node's `rest`)
  const zoom = (node) => {
    // Read before any change: a layout forced after hiding thousands of frames costs seconds.
    const px = chartWidth();
    focus = node;
    for (const div of shown) div.hidden = true;
    shown = [];
    let deepest = node.depth;
    const thinnest = 1.5 / px;
    const scale = node.w || 1;
    for (let a = node.parent; a; a = a.parent) place(a, 0, 1, true, px);
    const pending = [node];
    while (pending.length > 0) {
      const n = pending.pop();
      place(n, (n.x - node.x) / scale, n.w / scale, false, px);
      deepest = Math.max(deepest, n.depth);
      // Callees too thin to see or click are drawn as one block, when that is wide enough.
      let thin = 0;
      for (const child of n.children) {
        if (child.w / scale >= thinnest) pending.push(child);
        else thin++;
      }
      if (thin > 0) {
        const first = n.children[n.children.length - thin];
        const w = n.children.slice(-thin).reduce((a, c) => a + c.w, 0);
        if (w / scale >= thinnest) placeRest(n, thin, (first.x - node.x) / scale, w / scale, px);
      }
    }
    container.style.height = `${(deepest + 1) * ROW}px`;
  };
  const show = (div, left, width, px) => {
    shown.push(div);
    div.hidden = false;
    div.style.left = `${(left * 100).toFixed(4)}%`;
    div.style.width = `${(width * 100).toFixed(4)}%`;
    if (!div.firstChild && width * px >= 24) div.textContent = div.getAttribute('aria-label');
  };
  const place = (n, left, width, above, px) => {
    if (!n.div) make(n);
    show(n.div, left, width, px);
    n.div.classList.toggle('above', above);
    n.div.setAttribute('aria-selected', String(n === focus));
  };
  const make = (n) => {
    const label = n.root ? `all (${fmt(n.totalMs)})` : `${n.name} ${fmt(n.totalMs)}`;
    const div = el('div', { class: n.root ? 'frame root' : n.scale < 1 ? 'frame scaled' : 'frame', role: 'treeitem', tabindex: '0', 'data-name': n.name, 'aria-label': label });
    div.style.top = `${n.depth * ROW}px`;
    if (!n.root) div.style.backgroundColor = color(n.name);
    n.div = div;
    frames.set(div, n);
    container.append(div);
  };
  /** The block standing for the last `count` callees of `n`, each too thin to draw. */
  const placeRest = (n, count, left, width, px) => {
    if (!n.rest || n.rest.count !== count) {
      n.rest?.div.remove();
      const totalMs = n.children.slice(-count).reduce((a, c) => a + c.totalMs, 0);
      const div = el('div', { class: 'frame rest', role: 'treeitem', 'aria-label': `${count} more callees, ${fmt(totalMs)}` });
      div.style.top = `${(n.depth + 1) * ROW}px`;
      n.rest = { div, count, totalMs, parent: n };
      frames.set(div, n.rest);
      container.append(div);
    }
    show(n.rest.div, left, width, px);
  };
  const describe = (n) => {
    if (n.parent && n.count) {
      const where = n.parent === focus ? 'each too narrow to draw (the table lists every function)' : `each too narrow to draw at this zoom: click to zoom into ${n.parent.name}`;
      return [`${fmt(n.totalMs)} together`, where];
    }
    if (n.root) return [`${fmt(n.totalMs)} in ${n.calls} top-level call${n.calls === 1 ? '' : 's'}`, 'click to zoom out'];
    const lines = [n.where, `${n.calls} call${n.calls === 1 ? '' : 's'}`, `total ${fmt(n.totalMs)} (${pct(n.totalMs, root.totalMs)} of all)`, `self ${fmt(n.selfMs)}`];
    if (n.scale < 1) lines.push(`drawn at ${pct(n.scale, 1)} of its time: with its siblings it took longer than its caller (async work that outlived it, or concurrent calls)`);
    if (n.concurrent) lines.push('its callees took longer together than it did: they are drawn scaled to fit');
    lines.push(n === focus ? 'click the root to zoom out' : 'click to zoom in');
    return lines;
  };
  const frameOf = (event) => frames.get(event.target.closest?.('.frame'));
  container.addEventListener('click', (e) => {
    const n = frameOf(e);
    if (!n) return;
    zoom(n.count ? n.parent : n);
    tooltip.hide();
  });
  container.addEventListener('keydown', (e) => {
    const n = frameOf(e);
    if (!n) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      zoom(n.count ? n.parent : n);
    } else if (e.key === 'Escape') zoom(root);
  });
  container.addEventListener('mouseover', (e) => {
    const n = frameOf(e);
    if (n) tooltip.show(e, n.count ? `${n.count} more callee${n.count === 1 ? '' : 's'}` : n.root ? 'all' : n.name, describe(n));
    else tooltip.hide();
  });
  container.addEventListener('mousemove', (e) => frameOf(e) && tooltip.move(e));
  container.addEventListener('mouseleave', () => tooltip.hide());
  zoom(root);
}
