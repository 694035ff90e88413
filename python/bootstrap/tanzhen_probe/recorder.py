"""Per-function counters and the timing wrappers (the hot path).

Each wrapper keeps its figures in its own closure variables: ``h``, the
histogram (allocated on the first call: BUCKETS counts laid out exactly like
src/common/histogram.ts, since the launcher adds Node and Python histograms
bucket by bucket), ``total`` and ``mx`` in nanoseconds, and ``errors``. The
number of calls is the sum of the counts. A Record (one probed function, as
reported) reads the closure cells of its wrappers: usually one, more after
importlib.reload re-ran a module whose old functions are still referenced.

The bucket of a duration d is ``(d >> SHIFT[e]) + OFFSET[e])`` with
``e = d.bit_length()``: two tuple lookups instead of branches and arithmetic.
So a call costs two clock reads, one bit_length and a few updates of local
cells, with no allocation of our own beyond the first call's histogram.

The updates run after the last call in the wrapper, with no call in between,
so under the GIL no thread switch can split them (3.10+); on 3.8/3.9 a switch
there is possible but would need another thread finishing a call of the same
function within the same instant.
"""
import sys
from time import perf_counter_ns
from types import CodeType

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


_FIGURES = ('h', 'total', 'mx', 'errors')


def read(wrapper):
    """(histogram or None, total ns, max ns, errors) of one wrapper, from its closure."""
    cells = dict(zip(wrapper.__code__.co_freevars, wrapper.__closure__))
    return tuple(cells[name].cell_contents for name in _FIGURES)


def clear(wrapper):
    cells = dict(zip(wrapper.__code__.co_freevars, wrapper.__closure__))
    cells['h'].cell_contents = None
    cells['total'].cell_contents = 0
    cells['mx'].cell_contents = 0
    cells['errors'].cell_contents = 0


class Record(object):
    """One probed function as reported: where it is, and the wrappers that time it."""

    __slots__ = ('target', 'name', 'file', 'line', 'wrappers', 'cache')

    def __init__(self, target, name, file, line):
        self.target = target
        self.name = name
        self.file = file
        self.line = line
        self.wrappers = []
        self.cache = None  # (key, JSON text) of the last report

    def figures(self):
        """(histogram list or None, total ns, max ns, errors) over all wrappers."""
        hist, total, mx, errors = None, 0, 0, 0
        for wrapper in list(self.wrappers):
            h, t, m, e = read(wrapper)
            if h is not None:
                h = h[:]  # one consistent copy; other threads go on counting
                hist = h if hist is None else [a + b for a, b in zip(hist, h)]
            total += t
            mx = m if m > mx else mx
            errors += e
        return hist, total, mx, errors

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
        r = _by_key[key] = Record(target, name, file, line)
        records.append(r)
    return r


# ---------------------------------------------------------------------------
# Wrappers. The same recording, inlined in each: a call through a helper would
# cost more than the recording itself. The logging ones (TANZHEN_CALLS=1)
# also print a line before and after each call.

def _plain_sync(func):
    # (Every plain wrapper has the closure variables h, total, mx, errors: see read().)
    now = _now
    shift = SHIFT
    offset = OFFSET
    h = None
    total = mx = errors = 0

    def wrapper(*args, **kwargs):
        nonlocal h, total, mx, errors
        t0 = now()
        try:
            result = func(*args, **kwargs)
        except BaseException:
            d = now() - t0
            e = d.bit_length()
            if h is None:
                h = [0] * 2496
            h[(d >> shift[e]) + offset[e]] += 1
            total += d
            if d > mx:
                mx = d
            errors += 1
            raise
        d = now() - t0
        e = d.bit_length()
        if h is None:
            h = [0] * 2496
        h[(d >> shift[e]) + offset[e]] += 1
        total += d
        if d > mx:
            mx = d
        return result

    return wrapper


def _plain_async(func):
    now = _now
    shift = SHIFT
    offset = OFFSET
    h = None
    total = mx = errors = 0

    async def wrapper(*args, **kwargs):
        nonlocal h, total, mx, errors
        t0 = now()
        try:
            result = await func(*args, **kwargs)
        except BaseException:
            d = now() - t0
            e = d.bit_length()
            if h is None:
                h = [0] * 2496
            h[(d >> shift[e]) + offset[e]] += 1
            total += d
            if d > mx:
                mx = d
            errors += 1
            raise
        d = now() - t0
        e = d.bit_length()
        if h is None:
            h = [0] * 2496
        h[(d >> shift[e]) + offset[e]] += 1
        total += d
        if d > mx:
            mx = d
        return result

    return wrapper


def _plain_gen(func):
    now = _now
    shift = SHIFT
    offset = OFFSET
    h = None
    total = mx = errors = 0

    def wrapper(*args, **kwargs):
        # Timed from the first next() to the end of the generator (exhausted,
        # returned, closed by its consumer, or raised), consumer time included.
        nonlocal h, total, mx, errors
        t0 = now()
        failed = False
        try:
            return (yield from func(*args, **kwargs))
        except GeneratorExit:
            raise
        except BaseException:
            failed = True
            raise
        finally:
            d = now() - t0
            e = d.bit_length()
            if h is None:
                h = [0] * 2496
            h[(d >> shift[e]) + offset[e]] += 1
            total += d
            if d > mx:
                mx = d
            if failed:
                errors += 1

    return wrapper


class _Log(object):
    """--calls: one line per call on stderr, indented by nesting depth per thread."""

    def __init__(self):
        import _thread

        self.local = _thread._local()

    def _write(self, line):
        try:
            stream = sys.__stderr__
            if stream is not None:
                stream.write('tanzhen: ' + line + '\n')
                stream.flush()
        except Exception:
            pass

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


def _logged(func, label, log, kind):
    """The --calls wrappers: the same figures, through a slower path that also prints."""
    now = _now
    h = None
    total = mx = errors = 0

    def done(d, threw):
        nonlocal h, total, mx, errors
        if h is None:
            h = [0] * BUCKETS
        h[bucket_of(d)] += 1
        total += d
        if d > mx:
            mx = d
        if threw:
            errors += 1
        log.end(label, d, threw)

    if kind == 'async':
        async def wrapper(*args, **kwargs):
            log.start(label)
            t0 = now()
            try:
                result = await func(*args, **kwargs)
            except BaseException:
                done(now() - t0, True)
                raise
            done(now() - t0, False)
            return result
    elif kind == 'gen':
        def wrapper(*args, **kwargs):
            log.start(label)
            t0 = now()
            threw = False
            try:
                return (yield from func(*args, **kwargs))
            except GeneratorExit:
                raise
            except BaseException:
                threw = True
                raise
            finally:
                done(now() - t0, threw)
    else:
        def wrapper(*args, **kwargs):
            log.start(label)
            t0 = now()
            try:
                result = func(*args, **kwargs)
            except BaseException:
                done(now() - t0, True)
                raise
            done(now() - t0, False)
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
    if log is None:
        wrapper = figures = (_plain_async if kind == 'async' else _plain_gen if kind == 'gen' else _plain_sync)(func)
    else:
        wrapper, figures = _logged(func, rec.name, log, kind)
    import functools  # here, not at start-up: the program may never import a target

    try:
        functools.update_wrapper(wrapper, func)
    except Exception:
        wrapper.__wrapped__ = func
    if kind == 'gen' and func.__code__.co_flags & CO_ITERABLE_COROUTINE:
        import types

        wrapper = functools.update_wrapper(types.coroutine(wrapper), func)
    _OUR_CODES.add(wrapper.__code__)
    rec.wrappers.append(figures)
    return wrapper
