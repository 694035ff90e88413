"""Per-function counters and the timing wrappers (the hot path).

A function's figures live in one list, ``st = [histogram or None, errors]``.
The histogram is allocated on the first call: BUCKETS counts laid out exactly
like src/common/histogram.ts (the launcher adds Node and Python histograms
bucket by bucket), followed by the total and the maximum in nanoseconds. The
number of calls is the sum of the counts, so a call costs two clock reads,
one ``bit_length`` and three list updates, with no allocation of our own.

The updates run after the last call in the wrapper, with no call in between,
so under the GIL no thread switch can split them (3.10+); on 3.8/3.9 a switch
there is possible but would need another thread finishing a call of the same
function within the same instant.
"""
import functools
import sys
from time import perf_counter_ns
from types import CodeType

SUB_BITS = 6
SUB = 1 << SUB_BITS  # 64
MAX_EXP = 43
BUCKETS = (MAX_EXP - SUB_BITS + 2) * SUB  # 2496
TOTAL = BUCKETS  # index of the total (ns) in a histogram list
MAX = BUCKETS + 1  # index of the maximum (ns)
SIZE = BUCKETS + 2

_now = perf_counter_ns


def bucket_of(ns):
    """Bucket index of a duration in integer nanoseconds (histogram.ts bucketOf)."""
    if ns < SUB:
        return ns if ns > 0 else 0
    e = ns.bit_length() - 1
    if e > MAX_EXP:
        return BUCKETS - 1
    return ((e - SUB_BITS + 1) << SUB_BITS) + (ns >> (e - SUB_BITS)) - SUB


def record(st, d):
    """Records one finished call that took d ns (off the hot path)."""
    h = st[0]
    if h is None:
        h = st[0] = [0] * SIZE
    h[bucket_of(d)] += 1
    h[TOTAL] += d
    if d > h[MAX]:
        h[MAX] = d


def record_error(st, d):
    st[1] += 1
    record(st, d)


class Record(object):
    """One probed function: what the report says about it, and its counters."""

    __slots__ = ('target', 'name', 'file', 'line', 'st', 'cache')

    def __init__(self, target, name, file, line):
        self.target = target
        self.name = name
        self.file = file
        self.line = line
        self.st = [None, 0]
        self.cache = None  # (total ns, errors, JSON text) of the last report

    def reset(self):
        """Forgets every call (a forked child starts from zero)."""
        self.st[0] = None
        self.st[1] = 0
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
# Wrappers. The plain ones inline the recording; the logging ones (--calls)
# go through record()/record_error() and print one line per call.

def _plain_sync(func, st):
    now = _now
    failed = record_error

    def wrapper(*args, **kwargs):
        t0 = now()
        try:
            result = func(*args, **kwargs)
        except BaseException:
            failed(st, now() - t0)
            raise
        d = now() - t0
        if d < 64:
            i = d
        else:
            e = d.bit_length()
            i = ((e - 6) << 6) + (d >> (e - 7)) - 64 if e < 45 else 2495
        h = st[0]
        if h is None:
            h = st[0] = [0] * 2498
        h[i] += 1
        h[2496] += d
        if d > h[2497]:
            h[2497] = d
        return result

    return wrapper


def _plain_async(func, st):
    now = _now
    done = record
    failed = record_error

    async def wrapper(*args, **kwargs):
        t0 = now()
        try:
            result = await func(*args, **kwargs)
        except BaseException:
            failed(st, now() - t0)
            raise
        done(st, now() - t0)
        return result

    return wrapper


def _plain_gen(func, st):
    now = _now
    done = record
    failed = record_error

    def wrapper(*args, **kwargs):
        # Timed from the first next() to the end of the generator (exhausted,
        # returned, closed by its consumer, or raised), consumer time included.
        t0 = now()
        try:
            result = yield from func(*args, **kwargs)
        except GeneratorExit:
            done(st, now() - t0)
            raise
        except BaseException:
            failed(st, now() - t0)
            raise
        done(st, now() - t0)
        return result

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


def _logged_sync(func, st, label, log):
    now = _now

    def wrapper(*args, **kwargs):
        log.start(label)
        t0 = now()
        try:
            result = func(*args, **kwargs)
        except BaseException:
            d = now() - t0
            record_error(st, d)
            log.end(label, d, True)
            raise
        d = now() - t0
        record(st, d)
        log.end(label, d, False)
        return result

    return wrapper


def _logged_async(func, st, label, log):
    now = _now

    async def wrapper(*args, **kwargs):
        log.start(label)
        t0 = now()
        try:
            result = await func(*args, **kwargs)
        except BaseException:
            d = now() - t0
            record_error(st, d)
            log.end(label, d, True)
            raise
        d = now() - t0
        record(st, d)
        log.end(label, d, False)
        return result

    return wrapper


def _logged_gen(func, st, label, log):
    now = _now

    def wrapper(*args, **kwargs):
        log.start(label)
        t0 = now()
        try:
            result = yield from func(*args, **kwargs)
        except GeneratorExit:
            d = now() - t0
            record(st, d)
            log.end(label, d, False)
            raise
        except BaseException:
            d = now() - t0
            record_error(st, d)
            log.end(label, d, True)
            raise
        d = now() - t0
        record(st, d)
        log.end(label, d, False)
        return result

    return wrapper


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
        make = _plain_async if kind == 'async' else _plain_gen if kind == 'gen' else _plain_sync
        wrapper = make(func, rec.st)
    else:
        make = _logged_async if kind == 'async' else _logged_gen if kind == 'gen' else _logged_sync
        wrapper = make(func, rec.st, rec.name, log)
    try:
        functools.update_wrapper(wrapper, func)
    except Exception:
        wrapper.__wrapped__ = func
    if kind == 'gen' and func.__code__.co_flags & CO_ITERABLE_COROUTINE:
        import types

        wrapper = functools.update_wrapper(types.coroutine(wrapper), func)
    _OUR_CODES.add(wrapper.__code__)
    return wrapper
