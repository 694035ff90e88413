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

Calibration: `calibrate()` times the window between the two clock reads of an
empty rewritten function (return from enter, the try, the call of leave),
whose median is subtracted from every duration (summary.json `calibration`).
"""
import sys
from time import perf_counter_ns

from . import spans as _spans
from . import tree as _tree
from .recorder import OFFSET, SHIFT

STATE = []  # by Record index: [histogram or None, max ns, errors, last node]; None for wrapped functions
overhead = [0]  # ns subtracted from every duration (calibrate())
calibrated = False
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


def _record(s, node, d):
    """Count one call of duration d into its node and histogram (the slow paths' shared tail)."""
    node[0] += 1
    node[1] += d
    e = d.bit_length()
    h = s[0]
    if h is None:
        h = s[0] = [0] * 2496
    h[(d >> SHIFT[e]) + OFFSET[e]] += 1
    if d > s[1]:
        s[1] = d


def _plain(now=perf_counter_ns, cv_get=_tree.current.get, cv_set=_tree.current.set, gi=_tree.get_ident,
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

    def fail(fi, tok):
        if sys.exc_info()[0] is not GeneratorExit:
            st[fi][2] += 1

    return enter, leave, fail


_SMALL = []


def _small_buckets():
    """The bucket of every duration below 4096 ns (recorder.bucket_of), built once."""
    if not _SMALL:
        from .recorder import bucket_of

        _SMALL.append(tuple([bucket_of(d) for d in range(4096)]))
    return _SMALL[0]


def _with_spans(now=perf_counter_ns, cv_get=_tree.current.get, cv_set=_tree.current.set, gi=_tree.get_ident,
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
        keep(pack(tok[1], tok[2], float(fi), (t0 - ov) / 1e6, d / 1e6, tok[3]))

    def fail(fi, tok):
        if sys.exc_info()[0] is not GeneratorExit:
            st[fi][2] += 1
            tok[3] = 1.0

    return enter, leave, fail


def _suspending(keep, now=perf_counter_ns, cv_get=_tree.current.get, cv_set=_tree.current.set, gi=_tree.get_ident,
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
            node[5] += t - tok[4]
        mine = tok[8]
        if mine is not None:
            if cv_get() is mine:  # not when closed from elsewhere: that context is not ours
                cv_set(tok[2])
        elif not tok[4]:
            cur = tok[2]
            cur[0] = tok[3]
            cur[3] = tok[6]
        _record(st[fi], node, d)
        if keep:
            append(pack(tok[5], tok[6], float(fi), tok[0] / 1e6, d / 1e6, tok[7]))

    def fail(fi, tok):
        kind = sys.exc_info()[0]
        if kind is not GeneratorExit and kind is not StopAsyncIteration:
            st[fi][2] += 1
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
        node[5] += now() - tok[4]
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


def _logged(log, keep):
    """--calls (TANZHEN_CALLS=1): the token hooks for every kind, plus one line per call (slow path)."""
    from .recorder import records

    aenter, genter, leave, fail, suspend, resume = _suspending(keep)

    def opener(open_):
        def enter(fi):
            log.start(records[fi].name)
            return open_(fi)

        return enter

    def close(fi, tok):
        leave(fi, tok)
        log.end(records[fi].name, max(0, perf_counter_ns() - tok[0] - overhead[0]), tok[7] != 0.0)

    return opener(genter), close, fail, opener(aenter), opener(genter), close, fail, suspend, resume


def variant(keep, log=None):
    """{builtin name: hook} for spans on or off and --calls (a log) or not."""
    if log is not None:
        values = _logged(log, keep)
    else:
        enter, leave, fail = (_with_spans if keep else _plain)()
        values = (enter, leave, fail) + _suspending(keep)
    return dict(zip(NAMES, values))


def install(log=None):
    """Binds the hook names in builtins (after spans.enable: the variant is chosen here)."""
    import builtins

    for name, value in variant(_spans.enabled, log).items():
        setattr(builtins, name, value)


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
