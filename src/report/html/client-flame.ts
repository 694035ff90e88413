// @ts-nocheck -- browser code: inlined into report.html with Function.prototype.toString(), so it must be self-contained.

/**
 * The call tree as an icicle chart (root on top, callees below, width =
 * total time): absolutely positioned divs whose left/width are percentages,
 * so the browser does the text clipping and resizing. Click zooms.
 */
export function renderFlame(data, { fmt, el, tooltip, color, pct }) {
  const ROW = 20;
  const container = document.getElementById('flame');
  const sum = (nodes, key) => nodes.reduce((a, n) => a + n[key], 0);
  const root = { name: 'all', where: '', calls: sum(data.tree, 'calls'), totalMs: sum(data.tree, 'totalMs'), selfMs: 0, children: data.tree, root: true };
  if (data.tree.length === 0) {
    container.append(el('p', { class: 'note', text: 'No probed calls.' }));
    container.style.padding = '8px';
    return;
  }
  const nodes = [];
  let depthMax = 0;
  // x and w are fractions of the root's width. Children that ran concurrently can add up
  // to more than their parent's total: they are scaled to fit under it. Depth first with
  // an explicit stack: a tree is as deep as the program's calls went.
  Object.assign(root, { x: 0, w: 1, depth: 0, parent: null });
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    nodes.push(node);
    depthMax = Math.max(depthMax, node.depth);
    const childTotal = sum(node.children, 'totalMs');
    const scale = childTotal > node.totalMs && childTotal > 0 ? node.totalMs / childTotal : 1;
    node.concurrent = scale < 1;
    let cx = node.x;
    for (const child of node.children) {
      const cw = node.totalMs > 0 ? (node.w * child.totalMs * scale) / node.totalMs : 0;
      Object.assign(child, { x: cx, w: cw, depth: node.depth + 1, parent: node });
      cx += cw;
    }
    for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]);
  }
  container.style.height = `${(depthMax + 1) * ROW}px`;

  let focus = root;
  const zoom = (node) => {
    focus = node;
    for (const n of nodes) n.div.hidden = true;
    for (let a = node.parent; a; a = a.parent) place(a, 0, 1, true);
    const pending = [node];
    while (pending.length > 0) {
      const n = pending.pop();
      const left = (n.x - node.x) / (node.w || 1);
      const width = n.w / (node.w || 1);
      if (n !== node && width < 0.0005) continue; // too thin to see or click
      place(n, left, width, false);
      for (const child of n.children) pending.push(child);
    }
  };
  const place = (n, left, width, above) => {
    const div = n.div;
    div.hidden = false;
    div.style.left = `${(left * 100).toFixed(4)}%`;
    div.style.width = `${(width * 100).toFixed(4)}%`;
    div.classList.toggle('above', above);
    div.setAttribute('aria-selected', String(n === focus));
  };
  const describe = (n) => {
    if (n.root) return [`${fmt(n.totalMs)} in ${n.calls} top-level call${n.calls === 1 ? '' : 's'}`, 'click to zoom out'];
    const lines = [n.where, `${n.calls} call${n.calls === 1 ? '' : 's'}`, `total ${fmt(n.totalMs)} (${pct(n.totalMs, root.totalMs)} of all)`, `self ${fmt(n.selfMs)}`];
    if (n.concurrent) lines.push('its callees overlapped in time: drawn scaled to fit');
    lines.push(n === focus ? 'click the root to zoom out' : 'click to zoom in');
    return lines;
  };
  for (const n of nodes) {
    const label = n.root ? `all (${fmt(n.totalMs)})` : `${n.name} ${fmt(n.totalMs)}`;
    const div = el('div', { class: n.root ? 'frame root' : 'frame', role: 'treeitem', tabindex: '0', 'data-name': n.name, 'aria-label': label, text: label });
    div.style.top = `${n.depth * ROW}px`;
    if (!n.root) div.style.background = color(n.name);
    div.addEventListener('click', () => {
      zoom(n);
      tooltip.hide();
    });
    div.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        zoom(n);
      } else if (e.key === 'Escape') zoom(root);
    });
    div.addEventListener('mouseenter', (e) => tooltip.show(e, n.root ? 'all' : n.name, describe(n)));
    div.addEventListener('mousemove', (e) => tooltip.move(e));
    div.addEventListener('mouseleave', () => tooltip.hide());
    n.div = div;
    container.append(div);
  }
  zoom(root);
}
