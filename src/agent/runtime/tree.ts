// The call tree, aggregated by path: a node is (parent node, function), so a
// function called from two places has two nodes. Finding a call's node is a
// cache hit for repeated call patterns, else a probe of an open-addressing
// table of Int32s (a Map keyed by parent × 2^20 + fn made a heap number per
// lookup once node ids passed 2 047).
// A process keeps at most `maxNodes` paths (a compiler under `*` makes
// millions, and nobody reads them): past that, a call on a new path goes into
// its parent's "other calls" node (fn OTHER), which also takes in everything
// called under it.
import { OTHER_CALLS as OTHER, type TreeColumns } from '../../common/types.js';
import { grownFloat64, grownInt32 } from './arrays.js';

let capacity = 256;
let nodeParent = new Int32Array(capacity);
let nodeFn = new Int32Array(capacity);
let nodeCalls = new Float64Array(capacity);
let nodeTotal = new Float64Array(capacity);
let nodeSelf = new Float64Array(capacity);
let nodes = 1; // node 0 is the root
/** (parent, fn) → node, by linear probing; 0 is an empty slot (the root is nobody's child). */
let table = new Int32Array(1024);

// Per function: the parent node of its last call, and the node that gave.
let lastParent = new Int32Array(64).fill(-1);
let lastNode = new Int32Array(64);

let maxNodes = 50_000;
/** Set once the tree reached maxNodes. */
let full = false;

export function setMaxNodes(n: number): void {
  maxNodes = n;
}

export function treeLimit(): number | undefined {
  return full ? maxNodes : undefined;
}

function growNodes(): void {
  capacity *= 2;
  nodeParent = grownInt32(nodeParent, capacity);
  nodeFn = grownInt32(nodeFn, capacity);
  nodeCalls = grownFloat64(nodeCalls, capacity);
  nodeTotal = grownFloat64(nodeTotal, capacity);
  nodeSelf = grownFloat64(nodeSelf, capacity);
}

/** Makes room for function ids below `count` (called when functions register). */
export function reserveFunctions(count: number): void {
  if (count <= lastParent.length) return;
  let size = lastParent.length;
  while (size < count) size *= 2;
  lastParent = grownInt32(lastParent, size, -1);
  lastNode = grownInt32(lastNode, size);
}

/** The node for a call of `fn` under `parent` (0: the root). */
export function nodeFor(parent: number, fn: number): number {
  if (lastParent[fn] === parent) return lastNode[fn];
  if (nodeFn[parent] === OTHER) return parent;
  let node = find(parent, fn);
  if (node === 0) {
    if (nodes > maxNodes) {
      full = true;
      node = find(parent, OTHER) || newNode(parent, OTHER);
    } else node = newNode(parent, fn);
  }
  lastParent[fn] = parent;
  lastNode[fn] = node;
  return node;
}

function slotOf(parent: number, fn: number): number {
  const h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(fn + 2, 0x85ebca77);
  return (h ^ (h >>> 15)) & (table.length - 1);
}

/** The node of (parent, fn), or 0. */
function find(parent: number, fn: number): number {
  const mask = table.length - 1;
  for (let i = slotOf(parent, fn); ; i = (i + 1) & mask) {
    const node = table[i];
    if (node === 0 || (nodeParent[node] === parent && nodeFn[node] === fn)) return node;
  }
}

function place(node: number): void {
  const mask = table.length - 1;
  let i = slotOf(nodeParent[node], nodeFn[node]);
  while (table[i] !== 0) i = (i + 1) & mask;
  table[i] = node;
}

function newNode(parent: number, fn: number): number {
  if (nodes === capacity) growNodes();
  const node = nodes++;
  nodeParent[node] = parent;
  nodeFn[node] = fn;
  // At most half full, so probes stay short.
  if (nodes * 2 > table.length) {
    table = new Int32Array(table.length * 2);
    for (let n = 1; n < nodes; n++) place(n);
  } else place(node);
  return node;
}

export function addToNode(node: number, ms: number, selfMs: number, weight: number): void {
  nodeCalls[node] += weight;
  nodeTotal[node] += ms * weight;
  nodeSelf[node] += selfMs * weight;
}

/**
 * The tree by columns (see TreeColumns): node i of the report is node i + 1
 * here; parents of -1 are the root. Five arrays of numbers instead of an
 * object per node: written every flush interval, this is most of a big
 * report, and JSON.stringify takes a plain number array in one native pass.
 */
export function treeColumns(): TreeColumns {
  const used = (column: Int32Array | Float64Array) => Array.from(column.subarray(1, nodes));
  return {
    parent: Array.from(nodeParent.subarray(1, nodes), (p) => p - 1),
    fn: used(nodeFn),
    calls: used(nodeCalls),
    totalMs: used(nodeTotal),
    selfMs: used(nodeSelf),
  };
}
