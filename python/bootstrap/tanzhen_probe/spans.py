"""Individual calls (spans), for trace.json and the exporters (TANZHEN_SPANS=1).

The wrappers add one record per ended call to ``buffer``, a bytearray, in its
final form: ``pack(id, parent id (0: none), function index, start, duration,
flags (1: error))``, SPAN_FIELDS little-endian float64s (src/common/types.ts),
times in ms; start counts from perf_counter's own zero, whose epoch time is
``time_origin_ms``. One struct call and one bytearray.extend (a memcpy),
atomic under the GIL: records of different threads never mix. Every number
handed to pack is already a float (span ids count 1.0, 2.0, ...; the function
index and flags are float constants): pack converts an int through a slow
path, ~15% of the record's cost. (Measured alternatives: keeping tuples of
ints and converting them at the flush costs twice as many instructions; a
list of packed bytes objects as many, but frees and re-faults its memory at
every flush, which costs ~1.8x on 3.8.) ``flush()``
appends them to ``processes/<pid>-0.spans``: at every report flush, at exit,
and whenever a call starts whose span id reaches ``flush_at[0]`` (8192 ids
after the previous one), which bounds the buffer to about 8192 records plus
one per call open at that moment.

Past TANZHEN_MAX_SPANS (default 100 000) records written by this process,
the rest are counted as dropped instead (end order, as on the Node side).
"""
import _thread
import os
from itertools import count
from struct import Struct
from time import perf_counter_ns, time_ns

from . import state
from .files import append_private, ensure_private_dir

FLUSH_EVERY = 8192.0
DEFAULT_MAX = 100000

RECORD = 48  # bytes: SPAN_FIELDS float64s
buffer = bytearray()
next_id = count(1.0).__next__
flush_at = [FLUSH_EVERY]
pack = Struct('<6d').pack

enabled = False
time_origin_ms = 0.0  # the epoch time of perf_counter_ns() == 0
cap = DEFAULT_MAX
written = 0
dropped = 0
failed = False
directory = None
_lock = _thread.allocate_lock()

_getpid = os.getpid


def set_origin():
    """Time zero of this process: spans' starts count from it (also without spans: the report states it)."""
    global time_origin_ms
    best = None
    for _ in range(3):  # the closest pair of readings
        a = perf_counter_ns()
        wall = time_ns()
        b = perf_counter_ns()
        if best is None or b - a < best[0]:
            best = (b - a, wall - (a + b) // 2)
    time_origin_ms = best[1] / 1e6


def enable(processes_dir, max_spans):
    global enabled, directory, cap
    directory = processes_dir
    cap = max_spans
    enabled = True


def file_name():
    return '%d-0.spans' % _getpid()


def info():
    return (file_name(), written, dropped) if enabled else None


def flush_full(sid):
    """From the hot path, at span id `sid`: never waits (another thread may be flushing, or this one, under a signal handler)."""
    flush_at[0] = sid + FLUSH_EVERY
    if _lock.acquire(False):
        try:
            _flush()
        finally:
            _lock.release()


def flush():
    if _lock.acquire(True, 5):
        try:
            _flush()
        finally:
            _lock.release()


def _flush():
    global written, dropped, failed
    size = len(buffer)
    if not size:
        return
    data = buffer[:size]
    del buffer[:size]  # records added meanwhile by other threads stay, after these
    count = size // RECORD
    room = cap - written
    if failed or room <= 0:
        dropped += count
        return
    if count > room:
        dropped += count - room
        count = room
        data = data[:room * RECORD]
    try:
        ensure_private_dir(directory)
        append_private(directory + os.sep + file_name(), data)
        written += count
    except Exception as error:
        failed = True
        dropped += count
        state.warn('cannot write spans to %s: %s' % (directory, error))


def after_fork_in_child():
    """A forked child keeps none of its parent's spans and writes its own file."""
    global written, dropped, failed, _lock
    _lock = _thread.allocate_lock()
    del buffer[:]
    written = dropped = 0
    failed = False
