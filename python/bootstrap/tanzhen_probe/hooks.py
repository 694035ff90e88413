"""The calls that rewritten target functions make (rewrite.py): the hot path.

A rewritten function's body becomes

    __tz_t__ = __tanzhen_enter__(FI)
    try:
        <the body>
    except BaseException:
        __tanzhen_fail__(FI, __tz_t__)
        raise
    finally:
        __tanzhen_leave__(FI, __tz_t__)

so its own code object is timed wherever the function object went (route
tables, singledispatch registries, atexit, thread targets), with no frame of
ours left on the stack while the body runs. FI, the function's Record index,
is a constant of the code; its figures live in STATE[FI] = [histogram (or
None), max ns, errors, last tree node]: the same layout the wrappers of
recorder.py keep in their closures. The names are builtins (install()): a
global lookup that falls through the module's namespace, which stays the
program's own.

Plain functions: enter returns the start time (an int; with spans a small
list [t0, span id, parent span id, error flag]), leave reads the cursor's
node, which nested calls have put back, and restores its parent. Coroutines
set a cursor of their own for their duration, as the async wrapper does
(tree.py). Generators and async generators are timed from their first resume
to their end; each `yield` is rewritten as
`__tanzhen_resume__(tok, (yield __tanzhen_suspend__(tok, value)))`, which
gives the current call back to the consumer while suspended and adds the
suspended time to the node's [5], which the report takes out of self time.

Python 3.8 and 3.9 switch threads between almost any two bytecodes, so an
update such as `node[0] += 1` can be split: the other threads' increments of
a whole switch interval are lost (12% of the calls of a 4-thread loop). There
every hook that updates shared figures holds one lock while it does (`lk`,
None on 3.10+; the duration is measured before it is taken). The lock is
taken and released inline, with no call of ours: at the recursion limit a
hook has no frame to spare (a method call, `lk.acquire(...)`, costs 3.8 none;
a call of a bound method does). 3.10+ checks for a switch only at calls and
backward jumps, and no update below contains either.

Calibration: `calibrate()` times the window between the two clock reads of an
empty rewritten function (return from enter, the try, the call of leave),
whose median is subtracted from every duration (summary.json `calibration`).
"""
import _thread
import os
import sys
from time import perf_counter_ns

from . import spans as _spans
from . import tree as _tree
from .recorder import OFFSET, SHIFT

STATE = []  # by Record index: [histogram or None, max ns, errors, last node]; None for wrapped functions
overhead = [0]  # ns subtracted from every duration (calibrate())
calibrated = False
SERIAL = sys.version_info < (3, 10)  # see the docstring
CALIBRATION_METHOD = 'median of 1001 calls (after 1500 to warm up) of an empty rewritten function at start-up'



def state_for(rec):
    """The figures list of a rewritten function (one per Record, shared by reloads)."""
    while len(STATE) <= rec.index:
        STATE.append(None)
    s = STATE[rec.index]
    if s is None:
        s = STATE[rec.index] = [None, 0, 0, _tree.NO_NODE]
        rec.wrappers.append(s)
    return s


def _record(s, node, d, lk):
    """Count one call of duration d into its node and histogram (the slow paths' shared tail)."""
    held = lk is not None and (lk.acquire(False) or lk.acquire(True, 1.0) or _lost())
    node[0] += 1
    node[1] += d
    e = d.bit_length()
    h = s[0]
    if h is None:
        h = s[0] = [0] * 2496
    h[(d >> SHIFT[e]) + OFFSET[e]] += 1
    if d > s[1]:
        s[1] = d
    if held:
        lk.release()


def _plain(lk, now=perf_counter_ns, cv_get=_tree.current.get, cv_set=_tree.current.set, gi=_tree.get_ident,
           shift=SHIFT, offset=OFFSET, st=STATE):
    ov = overhead[0]  # calibrate() runs first: folded into the start time
    small = _small_buckets()

    def enter(fi):
        # child() and adopt() written out: no nested Python call (recursion depth, cost)
        cur = cv_get()
        ident = gi()
        if cur[1] != ident:
            cur = [cur[2], ident, cur[2], cur[4], cur[4]]
            cv_set(cur)
        s = st[fi]
        parent = cur[0]
        node = s[3]
        if node[4] is not parent:
            node = parent[2].get(fi)
            if node is None:
                node = parent[2].setdefault(fi, [0, 0, {}, fi, parent, 0])
            s[3] = node
        cur[0] = node
        return now() + ov

    def leave(fi, t0):
        d = now() - t0
        if d < 0:
            d = 0
        held = lk is not None and (lk.acquire(False) or lk.acquire(True, 1.0) or _lost())
        # The cursor is the one enter() moved (a sync body cannot switch contexts
        # for good) and its node ours, put back by every call nested in it.
        cur = cv_get()
        node = cur[0]
        cur[0] = node[4]
        node[0] += 1
        node[1] += d
        s = st[fi]
        h = s[0]
        if h is None:
            h = s[0] = [0] * 2496
        if d < 4096:  # most calls: one table lookup for the bucket
            h[small[d]] += 1
        else:
            e = d.bit_length()
            h[(d >> shift[e]) + offset[e]] += 1
        if d > s[1]:
            s[1] = d
        if held:
            lk.release()

    def fail(fi, tok):
        if sys.exc_info()[0] is not GeneratorExit:
            held = lk is not None and (lk.acquire(False) or lk.acquire(True, 1.0) or _lost())
            st[fi][2] += 1
            if held:
                lk.release()

    return enter, leave, fail


def _lost():
    """The lock has been held for a second: held for good (a daemon thread frozen inside an
    update as the interpreter ends, an interrupt in the middle of one). Counting goes on
    without it from now on (3.8/3.9 then lose a call now and then, as they would unprobed)."""
    if not _LOCK_LOST:
        _LOCK_LOST.append(True)
        try:
            install(_installed[0], serialized=False)
        except Exception:
            pass
    return False


def after_fork_in_child():
    """A new lock: the thread that held the old one is not in this process."""
    if not _LOCK_LOST:
        try:
            install(_installed[0])
        except Exception:
            pass


_LOCK_LOST = []
_installed = []  # [the log install() was given], once it ran

_SMALL = []


def _small_buckets():
    """The bucket of every duration below 4096 ns (recorder.bucket_of), built once."""
    if not _SMALL:
        from .recorder import bucket_of

        _SMALL.append(tuple([bucket_of(d) for d in range(4096)]))
    return _SMALL[0]


def _with_spans(lk, now=perf_counter_ns, cv_get=_tree.current.get, cv_set=_tree.current.set, gi=_tree.get_ident,
                shift=SHIFT, offset=OFFSET, st=STATE):
    ov = overhead[0]
    next_id = _spans.next_id
    flush_full = _spans.flush_full
    flush_at = _spans.flush_at
    keep = _spans.buffer.extend
    pack = _spans.pack

    def enter(fi):
        # child() and adopt() written out: no nested Python call (recursion depth, cost)
        cur = cv_get()
        ident = gi()
        if cur[1] != ident:
            cur = [cur[2], ident, cur[2], cur[4], cur[4]]
            cv_set(cur)
        s = st[fi]
        parent = cur[0]
        node = s[3]
        if node[4] is not parent:
            node = parent[2].get(fi)
            if node is None:
                node = parent[2].setdefault(fi, [0, 0, {}, fi, parent, 0])
            s[3] = node
        sid = next_id()
        if sid >= flush_at[0]:
            flush_full(sid)
        tok = [0, sid, cur[3], 0.0]
        cur[0] = node
        cur[3] = sid
        tok[0] = now() + ov
        return tok

    def leave(fi, tok):
        t0 = tok[0]
        d = now() - t0
        if d < 0:
            d = 0
        held = lk is not None and (lk.acquire(False) or lk.acquire(True, 1.0) or _lost())
        cur = cv_get()
        node = cur[0]
        cur[0] = node[4]
        cur[3] = tok[2]
        node[0] += 1  # _record() written out: no nested Python call (see enter)
        node[1] += d
        e = d.bit_length()
        s = st[fi]
        h = s[0]
        if h is None:
            h = s[0] = [0] * 2496
        h[(d >> shift[e]) + offset[e]] += 1
        if d > s[1]:
            s[1] = d
        if held:
            lk.release()
        keep(pack(tok[1], tok[2], float(fi), (t0 - ov) / 1e6, d / 1e6, tok[3]))

    def fail(fi, tok):
        if sys.exc_info()[0] is not GeneratorExit:
            held = lk is not None and (lk.acquire(False) or lk.acquire(True, 1.0) or _lost())
            st[fi][2] += 1
            if held:
                lk.release()
            tok[3] = 1.0

    return enter, leave, fail


def _suspending(keep, lk, now=perf_counter_ns, cv_get=_tree.current.get, cv_set=_tree.current.set, gi=_tree.get_ident,
                adopt=_tree.adopt, child=_tree.child, st=STATE, over=overhead):
    """Coroutines, generators and async generators: a token list per call.

    tok = [t0, node, cursor, parent node, suspended since (0: running), span id, parent span id, error flag, own cursor]
    """
    next_id = _spans.next_id
    flush_full = _spans.flush_full
    flush_at = _spans.flush_at
    append = _spans.buffer.extend
    pack = _spans.pack

    def _open(fi, own):
        cur = cv_get()
        ident = gi()
        if cur[1] != ident:
            cur = adopt(cur, ident)
        s = st[fi]
        parent = cur[0]
        node = s[3]
        if node[4] is not parent:
            node = s[3] = child(parent, fi)
        sid = 0.0
        if keep:
            sid = next_id()
            if sid >= flush_at[0]:
                flush_full(sid)
        psid = cur[3]
        if own:  # a cursor of its own for its duration (tree.py): other tasks never nest under it
            mine = [node, ident, node, sid, sid]
            cv_set(mine)
        else:
            mine = None
            cur[0] = node
            cur[3] = sid
        return [now(), node, cur, parent, 0, sid, psid, 0.0, mine]

    def aenter(fi):
        return _open(fi, True)

    def genter(fi):
        return _open(fi, False)

    def leave(fi, tok):
        t = now()
        d = t - tok[0] - over[0]
        if d < 0:
            d = 0
        node = tok[1]
        if tok[4]:  # ended at a yield (closed, thrown into): it was suspended until now
            held = lk is not None and (lk.acquire(False) or lk.acquire(True, 1.0) or _lost())
            node[5] += t - tok[4]
            if held:
                lk.release()
        mine = tok[8]
        if mine is not None:
            if cv_get() is mine:  # not when closed from elsewhere: that context is not ours
                cv_set(tok[2])
        elif not tok[4]:
            cur = tok[2]
            cur[0] = tok[3]
            cur[3] = tok[6]
        _record(st[fi], node, d, lk)
        if keep:
            append(pack(tok[5], tok[6], float(fi), tok[0] / 1e6, d / 1e6, tok[7]))

    def fail(fi, tok):
        kind = sys.exc_info()[0]
        if kind is not GeneratorExit and kind is not StopAsyncIteration:
            held = lk is not None and (lk.acquire(False) or lk.acquire(True, 1.0) or _lost())
            st[fi][2] += 1
            if held:
                lk.release()
            tok[7] = 1.0

    def suspend(tok, value):
        if tok is None:  # not timed (the recursion limit): see rewrite.py
            return value
        mine = tok[8]
        if mine is not None:
            if cv_get() is mine:
                cv_set(tok[2])
        else:
            cur = tok[2]
            cur[0] = tok[3]
            cur[3] = tok[6]
        tok[4] = now()
        return value

    def resume(tok, sent):
        if tok is None:
            return sent
        node = tok[1]
        held = lk is not None and (lk.acquire(False) or lk.acquire(True, 1.0) or _lost())
        node[5] += now() - tok[4]
        if held:
            lk.release()
        tok[4] = 0
        cur = cv_get()
        ident = gi()
        if cur[1] != ident:
            cur = adopt(cur, ident)
        mine = tok[8]
        if mine is not None:
            tok[2] = cur
            cv_set(mine)
        else:
            tok[2] = cur
            tok[3] = cur[0]
            tok[6] = cur[3]
            cur[0] = node
            cur[3] = tok[5]
        return sent

    return aenter, genter, leave, fail, suspend, resume


NAMES = ('__tanzhen_enter__', '__tanzhen_leave__', '__tanzhen_fail__', '__tanzhen_aenter__', '__tanzhen_genter__',
         '__tanzhen_sleave__', '__tanzhen_sfail__', '__tanzhen_suspend__', '__tanzhen_resume__')


def _logged(log, keep, lk):
    """--calls (TANZHEN_CALLS=1): the token hooks for every kind, plus one line per call (slow path)."""
    from .recorder import records

    aenter, genter, leave, fail, suspend, resume = _suspending(keep, lk)

    def opener(open_):
        def enter(fi):
            log.start(records[fi].name)
            return open_(fi)

        return enter

    def close(fi, tok):
        leave(fi, tok)
        log.end(records[fi].name, max(0, perf_counter_ns() - tok[0] - overhead[0]), tok[7] != 0.0)

    return opener(genter), close, fail, opener(aenter), opener(genter), close, fail, suspend, resume


def variant(keep, log=None, lk=None):
    """{builtin name: hook} for spans on or off, --calls (a log) or not, and the lock of 3.8/3.9 or none."""
    if log is not None:
        values = _logged(log, keep, lk)
    else:
        enter, leave, fail = (_with_spans if keep else _plain)(lk)
        values = (enter, leave, fail) + _suspending(keep, lk)
    return dict(zip(NAMES, values))


def installed():
    return bool(_installed)


def install(log=None, serialized=SERIAL):
    """Binds the hook names in builtins (after spans.enable: the variant is chosen here).

    Rewritten functions and hooked.py's wrappers look the names up at each call:
    binding them again (a new lock after fork, none once it is lost) takes effect at once.
    """
    import builtins

    first = not _installed
    _installed[:] = [log]
    for name, value in variant(_spans.enabled, log, _thread.RLock() if serialized else None).items():
        setattr(builtins, name, value)
    if first and serialized and hasattr(os, 'register_at_fork'):
        os.register_at_fork(after_in_child=after_fork_in_child)


def calibrate(make_empty):
    """Median ns between the two clock reads of an empty rewritten function; stored in overhead[0]."""
    samples = []

    def enter(fi):
        return perf_counter_ns()

    def leave(fi, t0):
        samples.append(perf_counter_ns() - t0)

    def fail(fi, tok):
        pass

    empty = make_empty(enter, leave, fail)
    for _ in range(1500):
        empty()
    del samples[:]
    for _ in range(1001):
        empty()
    samples.sort()
    global calibrated
    overhead[0] = samples[len(samples) >> 1]
    calibrated = True
    return overhead[0]
