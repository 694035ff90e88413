"""Per-function counters and the timing wrappers (the hot path).

Each wrapper keeps its figures in its own closure variables: ``h``, the
histogram (allocated on the first call: BUCKETS counts laid out exactly like
src/common/histogram.ts, since the launcher adds Node and Python histograms
bucket by bucket), ``mx`` (the longest call, ns) and ``errors``. The number of
calls is the sum of the counts. A Record (one probed function, as reported)
reads the closure cells of its wrappers: usually one, more after
importlib.reload re-ran a module whose old functions are still referenced.
Total and self time live in the call tree (tree.py): a function's are the sums
over its nodes, so the two always agree.

The bucket of a duration d is ``(d >> SHIFT[e]) + OFFSET[e])`` with
``e = d.bit_length()``: two tuple lookups instead of branches and arithmetic.

A call costs two clock reads, one ContextVar read and one get_ident() (the
current call, tree.py), finding its tree node (the last one is cached per
wrapper: one identity check for a repeated call pattern), the node's count
and total, and the histogram; no allocation. With spans, also a span id
(itertools.count) and one packed record added to spans.buffer.

The updates run after the last call in the wrapper, with no call in between,
so under the GIL no thread switch can split them (3.10+). 3.8/3.9 can switch
between any two bytecodes: there wrap() returns the wrappers of hooked.py,
which record through the serialized hooks of hooks.py.
"""
import sys
from time import perf_counter_ns
from types import CodeType

from . import spans as _spans
from . import tree as _tree

SUB_BITS = 6
SUB = 1 << SUB_BITS  # 64
MAX_EXP = 43
BUCKETS = (MAX_EXP - SUB_BITS + 2) * SUB  # 2496

_now = perf_counter_ns

# By bit length e of a duration in ns (0..127): the shift and offset of its bucket.
SHIFT = tuple([0] * 7 + [e - 7 for e in range(7, MAX_EXP + 2)] + list(range(MAX_EXP + 2, 128)))
OFFSET = tuple([0] * 7 + [((e - 6) << 6) - 64 for e in range(7, MAX_EXP + 2)] + [BUCKETS - 1] * (128 - MAX_EXP - 2))


def bucket_of(ns):
    """Bucket index of a duration in integer nanoseconds (histogram.ts bucketOf)."""
    if ns < SUB:
        return ns if ns > 0 else 0
    e = ns.bit_length() - 1
    if e > MAX_EXP:
        return BUCKETS - 1
    return ((e - SUB_BITS + 1) << SUB_BITS) + (ns >> (e - SUB_BITS)) - SUB


_FIGURES = ('h', 'mx', 'errors')


def read(wrapper):
    """(histogram or None, max ns, errors) of one wrapper, from its closure (or of a rewritten function: hooks.STATE)."""
    if type(wrapper) is list:
        return wrapper[0], wrapper[1], wrapper[2]
    cells = dict(zip(wrapper.__code__.co_freevars, wrapper.__closure__))
    return tuple(cells[name].cell_contents for name in _FIGURES)


def clear(wrapper):
    if type(wrapper) is list:
        wrapper[0] = None
        wrapper[1] = wrapper[2] = 0
        return
    cells = dict(zip(wrapper.__code__.co_freevars, wrapper.__closure__))
    cells['h'].cell_contents = None
    cells['mx'].cell_contents = 0
    cells['errors'].cell_contents = 0


class Record(object):
    """One probed function as reported: where it is, and the wrappers that time it."""

    __slots__ = ('target', 'name', 'file', 'line', 'wrappers', 'cache', 'index', 'wrapped')

    def __init__(self, target, name, file, line, index=-1):
        self.target = target
        self.name = name
        self.file = file
        self.line = line
        self.wrappers = []
        self.cache = None  # (key, JSON text) of the last report
        self.index = index  # position in `records`: the function index of tree nodes and spans
        self.wrapped = False  # timed by a wrapper somewhere (else only where it is defined)

    def figures(self):
        """(histogram list or None, max ns, errors) over all wrappers."""
        hist, mx, errors = None, 0, 0
        for wrapper in list(self.wrappers):
            h, m, e = read(wrapper)
            if h is not None:
                h = h[:]  # one consistent copy; other threads go on counting
                hist = h if hist is None else [a + b for a, b in zip(hist, h)]
            mx = m if m > mx else mx
            errors += e
        return hist, mx, errors

    def reset(self):
        """Forgets every call (a forked child starts from zero)."""
        for wrapper in self.wrappers:
            clear(wrapper)
        self.cache = None


records = []
_by_key = {}


def add_record(target, name, file, line):
    """The record for a function; the same one again when a module is reloaded."""
    key = (target, name, file)
    r = _by_key.get(key)
    if r is None:
        r = _by_key[key] = Record(target, name, file, line, len(records))
        records.append(r)
    return r


# ---------------------------------------------------------------------------
# Wrappers. The same recording, inlined in each: a call through a helper would
# cost more than the recording itself. `fi` is the function's index (its
# Record's). The current call is the cursor of tree.py: cur[0] its node,
# cur[3] its span id. The sync wrappers, the hot ones, come in two variants
# (without and with spans, TANZHEN_SPANS=1) so that neither tests anything it
# need not; the async and generator ones test `keep` (spans) and `log`
# (TANZHEN_CALLS=1) at run time, next to costs that dwarf a test.

def _plain_sync(func, fi):
    # (Every plain wrapper has the closure variables h, mx, errors: see read().)
    now = _now
    shift = SHIFT
    offset = OFFSET
    cv_get = _tree.current.get
    gi = _tree.get_ident
    adopt = _tree.adopt
    child = _tree.child
    lastn = _tree.NO_NODE
    h = None
    mx = errors = 0

    def wrapper(*args, **kwargs):
        nonlocal h, mx, errors, lastn
        cur = cv_get()
        if cur[1] != gi():
            cur = adopt(cur, gi())
        parent = cur[0]
        node = lastn
        if node[4] is not parent:
            node = lastn = child(parent, fi)
        cur[0] = node
        t0 = now()
        try:
            result = func(*args, **kwargs)
        except BaseException:
            d = now() - t0
            cur[0] = parent
            node[0] += 1
            node[1] += d
            e = d.bit_length()
            if h is None:
                h = [0] * 2496
            h[(d >> shift[e]) + offset[e]] += 1
            if d > mx:
                mx = d
            errors += 1
            raise
        d = now() - t0
        cur[0] = parent
        node[0] += 1
        node[1] += d
        e = d.bit_length()
        if h is None:
            h = [0] * 2496
        h[(d >> shift[e]) + offset[e]] += 1
        if d > mx:
            mx = d
        return result

    return wrapper


def _spans_sync(func, fi):
    # _plain_sync, plus a span id at the start and a span record at the end.
    now = _now
    shift = SHIFT
    offset = OFFSET
    cv_get = _tree.current.get
    gi = _tree.get_ident
    adopt = _tree.adopt
    child = _tree.child
    next_id = _spans.next_id
    flush_full = _spans.flush_full
    flush_at = _spans.flush_at
    ff = float(fi)  # pack takes floats fastest: see spans.py
    keep = _spans.buffer.extend
    pack = _spans.pack
    lastn = _tree.NO_NODE
    h = None
    mx = errors = 0

    def wrapper(*args, **kwargs):
        nonlocal h, mx, errors, lastn
        cur = cv_get()
        if cur[1] != gi():
            cur = adopt(cur, gi())
        parent = cur[0]
        node = lastn
        if node[4] is not parent:
            node = lastn = child(parent, fi)
        sid = next_id()
        if sid >= flush_at[0]:
            flush_full(sid)
        psid = cur[3]
        cur[0] = node
        cur[3] = sid
        t0 = now()
        try:
            result = func(*args, **kwargs)
        except BaseException:
            d = now() - t0
            cur[0] = parent
            cur[3] = psid
            node[0] += 1
            node[1] += d
            e = d.bit_length()
            if h is None:
                h = [0] * 2496
            h[(d >> shift[e]) + offset[e]] += 1
            if d > mx:
                mx = d
            errors += 1
            keep(pack(sid, psid, ff, t0 / 1e6, d / 1e6, 1.0))
            raise
        d = now() - t0
        cur[0] = parent
        cur[3] = psid
        node[0] += 1
        node[1] += d
        e = d.bit_length()
        if h is None:
            h = [0] * 2496
        h[(d >> shift[e]) + offset[e]] += 1
        if d > mx:
            mx = d
        keep(pack(sid, psid, ff, t0 / 1e6, d / 1e6, 0.0))
        return result

    return wrapper


def _plain_async(func, fi, keep, log, label):
    now = _now
    shift = SHIFT
    offset = OFFSET
    cv_get = _tree.current.get
    cv_set = _tree.current.set
    gi = _tree.get_ident
    adopt = _tree.adopt
    child = _tree.child
    next_id = _spans.next_id
    flush_full = _spans.flush_full
    flush_at = _spans.flush_at
    ff = float(fi)  # pack takes floats fastest: see spans.py
    append = _spans.buffer.extend
    pack = _spans.pack
    lastn = _tree.NO_NODE
    h = None
    mx = errors = 0

    async def wrapper(*args, **kwargs):
        # Timed from the first step of the coroutine until its result. For its
        # duration its task's context holds a cursor of its own (tree.py):
        # other tasks' calls cannot nest under it while it waits, and calls
        # made in its task, or in tasks it creates, can.
        nonlocal h, mx, errors, lastn
        if log is not None:
            log.start(label)
        cur = cv_get()
        ident = gi()
        if cur[1] != ident:
            cur = adopt(cur, ident)
        parent = cur[0]
        node = lastn
        if node[4] is not parent:
            node = lastn = child(parent, fi)
        psid = cur[3]
        sid = 0.0
        if keep:
            sid = next_id()
            if sid >= flush_at[0]:
                flush_full(sid)
        mine = [node, ident, node, sid, sid]
        cv_set(mine)
        failed = True
        t0 = now()
        try:
            result = await func(*args, **kwargs)
            failed = False
            return result
        finally:
            d = now() - t0
            # Not when closed from elsewhere (a suspended coroutine collected
            # as garbage): that context's cursor is not ours to change.
            if cv_get() is mine:
                cv_set(cur)
            node[0] += 1
            node[1] += d
            e = d.bit_length()
            if h is None:
                h = [0] * 2496
            h[(d >> shift[e]) + offset[e]] += 1
            if d > mx:
                mx = d
            if failed:
                errors += 1
            if keep:
                append(pack(sid, psid, ff, t0 / 1e6, d / 1e6, 1.0 if failed else 0.0))
            if log is not None:
                log.end(label, d, failed)

    return wrapper


def _plain_gen(func, fi, keep, log, label):
    now = _now
    shift = SHIFT
    offset = OFFSET
    cv_get = _tree.current.get
    gi = _tree.get_ident
    adopt = _tree.adopt
    child = _tree.child
    next_id = _spans.next_id
    flush_full = _spans.flush_full
    flush_at = _spans.flush_at
    ff = float(fi)  # pack takes floats fastest: see spans.py
    append = _spans.buffer.extend
    pack = _spans.pack
    lastn = _tree.NO_NODE
    h = None
    mx = errors = 0

    def wrapper(*args, **kwargs):
        # Timed from the first next() to the end of the generator (exhausted,
        # returned, closed by its consumer, or raised), consumer time included.
        # It is driven by hand (PEP 380's expansion of `yield from`) so that
        # it is the current call during each of its own steps only: calls it
        # makes nest under it; its consumer's, made between items, do not.
        nonlocal h, mx, errors, lastn
        if log is not None:
            log.start(label)
        gen = func(*args, **kwargs)
        cur = cv_get()
        if cur[1] != gi():
            cur = adopt(cur, gi())
        parent = cur[0]
        node = lastn
        if node[4] is not parent:
            node = lastn = child(parent, fi)
        psid = cur[3]
        sid = 0.0
        if keep:
            sid = next_id()
            if sid >= flush_at[0]:
                flush_full(sid)
        failed = False
        t0 = now()
        try:
            cur[0] = node
            cur[3] = sid
            # The item lives in `box` only until it is yielded: no local of ours keeps it
            # alive while the consumer holds it (weakref-observable, e.g. more-itertools' tests).
            box = []
            try:
                box.append(gen.send(None))
            finally:
                cur[0] = parent
                cur[3] = psid
            while True:
                thrown = None
                try:
                    sent = yield box.pop()
                except BaseException as error:
                    thrown = error
                cur = cv_get()
                if cur[1] != gi():
                    cur = adopt(cur, gi())
                saved = cur[0]
                saved_sid = cur[3]
                cur[0] = node
                cur[3] = sid
                try:
                    if thrown is None:
                        box.append(gen.send(sent))
                        sent = None
                    elif isinstance(thrown, GeneratorExit):
                        gen.close()
                        raise thrown
                    else:
                        box.append(gen.throw(thrown))
                finally:
                    cur[0] = saved
                    cur[3] = saved_sid
                    thrown = None
        except StopIteration as stop:
            return stop.value
        except GeneratorExit:
            raise
        except BaseException:
            failed = True
            raise
        finally:
            d = now() - t0
            node[0] += 1
            node[1] += d
            e = d.bit_length()
            if h is None:
                h = [0] * 2496
            h[(d >> shift[e]) + offset[e]] += 1
            if d > mx:
                mx = d
            if failed:
                errors += 1
            if keep:
                append(pack(sid, psid, ff, t0 / 1e6, d / 1e6, 1.0 if failed else 0.0))
            if log is not None:
                log.end(label, d, failed)

    return wrapper


class _Log(object):
    """--calls: one line per call on stderr, indented by nesting depth per thread."""

    def __init__(self):
        import _thread

        self.local = _thread._local()
        self.closed = False

    def _write(self, line):
        if self.closed:
            return
        try:
            stream = sys.__stderr__
            if stream is not None:
                stream.write('tanzhen: ' + line + '\n')
                stream.flush()
        except Exception:
            self.closed = True  # EPIPE (the reader has gone), a closed stderr: our output stops there

    def start(self, label):
        depth = getattr(self.local, 'depth', 0)
        self._write('  ' * depth + '\u2192 ' + label)
        self.local.depth = depth + 1

    def end(self, label, ns, threw):
        depth = max(0, getattr(self.local, 'depth', 1) - 1)
        self.local.depth = depth
        if threw:
            self._write('  ' * depth + '\u2717 ' + label + ' ' + format_duration(ns) + ' (threw)')
        else:
            self._write('  ' * depth + '\u2190 ' + label + ' ' + format_duration(ns))


def _logged_sync(func, fi, keep, log, label):
    """The --calls wrapper of a plain function: the same figures, through a slower path that also prints."""
    now = _now
    cv_get = _tree.current.get
    gi = _tree.get_ident
    adopt = _tree.adopt
    child = _tree.child
    next_id = _spans.next_id
    append = _spans.buffer.extend
    pack = _spans.pack
    h = None
    mx = errors = 0

    def done(node, sid, psid, t0, d, threw):
        nonlocal h, mx, errors
        node[0] += 1
        node[1] += d
        if h is None:
            h = [0] * BUCKETS
        h[bucket_of(d)] += 1
        if d > mx:
            mx = d
        if threw:
            errors += 1
        if keep:
            append(pack(sid, psid, float(fi), t0 / 1e6, d / 1e6, 1.0 if threw else 0.0))
        log.end(label, d, threw)

    def wrapper(*args, **kwargs):
        log.start(label)
        cur = cv_get()
        if cur[1] != gi():
            cur = adopt(cur, gi())
        parent = cur[0]
        psid = cur[3]
        node = child(parent, fi)
        sid = next_id() if keep else 0.0
        cur[0] = node
        cur[3] = sid
        t0 = now()
        try:
            result = func(*args, **kwargs)
        except BaseException:
            d = now() - t0
            cur[0] = parent
            cur[3] = psid
            done(node, sid, psid, t0, d, True)
            raise
        d = now() - t0
        cur[0] = parent
        cur[3] = psid
        done(node, sid, psid, t0, d, False)
        return result

    return wrapper, done  # the figures live in the closure of `done`


def format_duration(ns):
    """Human units, as src/common/units.ts: 812 ns, 41.2 µs, 3.00 ms, 3.00 s, 2m 05s."""
    if ns < 1000:
        return '%d ns' % round(ns)
    if ns < 1e6:
        return _fixed(ns / 1e3) + ' \u00b5s'
    ms = ns / 1e6
    if ms < 1000:
        return _fixed(ms) + ' ms'
    if ms < 60000:
        return _fixed(ms / 1e3) + ' s'
    minutes = int(ms // 60000)
    return '%dm %02ds' % (minutes, round((ms % 60000) / 1000))


def _fixed(x):
    return '%.2f' % x if x < 10 else '%.1f' % x if x < 100 else '%.0f' % x


# ---------------------------------------------------------------------------

CO_ITERABLE_COROUTINE = 0x100

_log = None
# Code objects of our wrappers: how an already probed function is recognised
# (a reloaded module, a function reached under two names, a second target).
_OUR_CODES = set()


def set_logging(enabled):
    global _log
    _log = _Log() if enabled else None


def is_wrapper(obj):
    return getattr(obj, '__code__', None) in _OUR_CODES


def kind_of(func):
    """'async', 'gen', 'agen', or 'sync' (which includes built-in functions)."""
    code = getattr(func, '__code__', None)
    if not isinstance(code, CodeType):
        return 'sync'
    flags = code.co_flags
    if flags & 0x80:  # CO_COROUTINE
        return 'async'
    if flags & 0x200:  # CO_ASYNC_GENERATOR
        return 'agen'
    if flags & 0x20:  # CO_GENERATOR
        return 'gen'
    return 'sync'


def wrap(func, rec):
    """A timing wrapper for func that records into rec; None if func can't be timed."""
    kind = kind_of(func)
    if kind == 'agen':
        return None
    log = _log
    keep = _spans.enabled
    fi = rec.index
    from . import hooks

    if hooks.SERIAL:  # 3.8/3.9: in-place updates would lose calls between threads (hooks.py)
        from . import hooked

        if not hooks.installed():
            hooks.install(log)  # start() binds them first; a wrapper must never meet unbound names
        wrapper = hooked.wrap(kind, func, fi)
        figures = None
    elif kind == 'async':
        wrapper = figures = _plain_async(func, fi, keep, log, rec.name)
    elif kind == 'gen':
        wrapper = figures = _plain_gen(func, fi, keep, log, rec.name)
    elif log is not None:
        wrapper, figures = _logged_sync(func, fi, keep, log, rec.name)
    else:
        wrapper = figures = (_spans_sync if keep else _plain_sync)(func, fi)
    import functools  # here, not at start-up: the program may never import a target

    try:
        functools.update_wrapper(wrapper, func)
    except Exception:
        wrapper.__wrapped__ = func
    if kind == 'gen' and func.__code__.co_flags & CO_ITERABLE_COROUTINE:
        import types

        wrapper = functools.update_wrapper(types.coroutine(wrapper), func)
    _OUR_CODES.add(wrapper.__code__)
    rec.wrapped = True
    if figures is None:
        hooks.state_for(rec)
    else:
        rec.wrappers.append(figures)
    return wrapper
