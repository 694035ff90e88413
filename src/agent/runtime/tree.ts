// The call tree, aggregated by path: a node is (parent node, function), so a
// function called from two places has two nodes. Finding a call's node is a
// cache hit for repeated call patterns, a Map lookup otherwise.
// A process keeps at most `maxNodes` paths (a compiler under `*` makes
// millions, and nobody reads them): past that, a call on a new path goes into
// its parent's "other calls" node (fn OTHER), which also takes in everything
// called under it.
import type { TreeRecord } from '../../common/types.js';
import { grownFloat64, grownInt32 } from './arrays.js';

let capacity = 256;
let nodeParent = new Int32Array(capacity);
let nodeFn = new Int32Array(capacity);
let nodeCalls = new Float64Array(capacity);
let nodeTotal = new Float64Array(capacity);
let nodeSelf = new Float64Array(capacity);
let nodes = 1; // node 0 is the root
const byKey = new Map<number, number>();

// Per function: the parent node of its last call, and the node that gave.
let lastParent = new Int32Array(64).fill(-1);
let lastNode = new Int32Array(64);

const FN_SPACE = 1 << 20;
/** The function index of an "other calls" node. */
export const OTHER = -1;
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
  let node = byKey.get(parent * FN_SPACE + fn);
  if (node === undefined) {
    if (nodes > maxNodes) {
      full = true;
      node = byKey.get(parent * FN_SPACE + FN_SPACE - 1) ?? newNode(parent, OTHER, parent * FN_SPACE + FN_SPACE - 1);
    } else node = newNode(parent, fn, parent * FN_SPACE + fn);
  }
  lastParent[fn] = parent;
  lastNode[fn] = node;
  return node;
}

function newNode(parent: number, fn: number, key: number): number {
  if (nodes === capacity) growNodes();
  const node = nodes++;
  nodeParent[node] = parent;
  nodeFn[node] = fn;
  byKey.set(key, node);
  return node;
}

export function addToNode(node: number, ms: number, selfMs: number, weight: number): void {
  nodeCalls[node] += weight;
  nodeTotal[node] += ms * weight;
  nodeSelf[node] += selfMs * weight;
}

/** Node i of the report is node i + 1 here; parents of -1 are the root. */
export function treeSnapshot(): TreeRecord[] {
  const out: TreeRecord[] = [];
  for (let node = 1; node < nodes; node++) {
    out.push({ parent: nodeParent[node] - 1, fn: nodeFn[node], calls: nodeCalls[node], totalMs: nodeTotal[node], selfMs: nodeSelf[node] });
  }
  return out;
}
