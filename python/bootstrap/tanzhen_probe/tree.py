"""Nesting: which probed call is "current", and the call tree aggregated by path.

A tree node is a list ``[calls, total_ns, children, fn, parent, suspended_ns]``
(the last: time its generators spent suspended at a ``yield``, taken out of self time):
``children`` maps a function index to its child node, so a function called
from two places has two nodes, as in src/agent/runtime/tree.ts. Nodes are
only ever added (``dict.setdefault``, atomic under the GIL: no lock, so a
signal handler calling a probed function can never deadlock), and the report
walks them from ROOT_NODE, parents before children.

Self time is computed per node when a report is written: the node's total
minus its children's totals (at least 0). For calls that run inside their
parent, which synchronous code and awaited coroutines guarantee, that is
exactly the sum of each call's own "total minus its children". Only when a
parent's children overlap in time (``asyncio.gather``) can the sum of its
children exceed its total; the node is then clamped as a whole rather than
call by call. So a call needs no record of its own: no allocation, no update
of its parent.

The current call is a *cursor*, ``[node, owner thread ident, anchor node,
span id, anchor span id]``, held by a ContextVar and changed in place by
each wrapper (which puts back what it found). Why not a ContextVar holding
the current node itself: ContextVar.set() allocates (a new HAMT and a Token),
~120 ns a time on this machine and twice per call, where reading one is
~10-20 ns. Changing a cursor in place is correct because

- every thread starts with an empty context, so a thread finds the default
  cursor (owner None) and makes its own (``adopt``) once;
- each asyncio task runs in its own copy of the context, and an async wrapper
  (the only kind of call that stays open across a task switch) sets a cursor
  of its own for its duration (two ContextVar.set(), the price of async
  correctness): other tasks' calls cannot nest under it while it waits;
  calls made in its task, or in tasks it creates (whose contexts are copies),
  do;
- tasks may share a cursor object (the copies hold the same list), but a
  synchronous call always completes within one step of its task (it cannot
  await) and restores what it found: between steps a shared cursor is always
  back where it was;
- a context copied into another thread (``asyncio.to_thread``, anyio and
  starlette thread pools, ``Context.run``) carries a cursor owned by another
  thread. The owner check (one ``get_ident()`` per call) sees that and adopts
  a new cursor for this thread, nested under the foreign cursor's *anchor*:
  the async call that owns it (a stable value), never its moving position,
  which another thread may be changing at that very moment.

Generators are resumed from anywhere: their wrapper sets the current call
around each step (``send``/``throw``/``close``) and puts back what it found.
"""
import _thread
from contextvars import ContextVar

# [calls, total ns, children {fn: node}, fn, parent node, suspended ns]
ROOT_NODE = [0, 0, {}, -1, None, 0]
# A node no call has: the initial value of a wrapper's "last node" cache.
NO_NODE = [0, 0, {}, -1, object(), 0]

_NOBODY = [ROOT_NODE, None, ROOT_NODE, 0.0, 0.0]  # span ids are floats: see spans.py
current = ContextVar('tanzhen_current', default=_NOBODY)
get_ident = _thread.get_ident


def adopt(cursor, ident):
    """A cursor of this thread's own, in this context, starting under `cursor`'s anchor."""
    node = cursor[2]
    span = cursor[4]
    mine = [node, ident, node, span, span]
    current.set(mine)
    return mine


def child(parent, fn):
    """The node for calls of function `fn` made from node `parent`."""
    children = parent[2]
    node = children.get(fn)
    if node is None:
        node = children.setdefault(fn, [0, 0, {}, fn, parent, 0])
    return node


def start_thread():
    """Gives the calling thread's context a cursor now (the main thread, at start-up)."""
    cursor = current.get()
    if cursor[1] != get_ident():
        adopt(cursor, get_ident())


def walk():
    """[(node, parent position (-1: the root), calls, total ns, self ns)], parents first."""
    out = []
    stack = [(ROOT_NODE, -1)]
    while stack:
        node, position = stack.pop()
        for kid in list(node[2].values()):
            out.append([kid, position, kid[0], kid[1], kid[1] - kid[5]])
            stack.append((kid, len(out) - 1))
    for entry in out:  # self: total minus the children's totals (and minus suspensions)
        if entry[1] >= 0:
            out[entry[1]][4] -= entry[3]
    for entry in out:
        if entry[4] < 0:
            entry[4] = 0
    return out


def reset():
    """Zeroes every node (a forked child starts from nothing); the structure stays for open calls."""
    for entry in walk():
        node = entry[0]
        node[0] = node[1] = node[5] = 0
