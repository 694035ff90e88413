"""Writes this process's report to $TANZHEN_OUT/processes/<pid>-0.json.

Whole files only (a temporary file in the same directory, created exclusively
under an unpredictable name, then os.replace: see files.py), mode 0600 in
0700 directories of ours; at exit (atexit, and os._exit, which skips
atexit: multiprocessing's forked workers end that way), and every
TANZHEN_FLUSH_MS milliseconds from a small background thread.

The thread is stopped around os.fork() and restarted after it, lazily, from a
gc callback: Python 3.12+ warns (DeprecationWarning, an error under -W error)
when a process forks while it has more than one thread, and a probe must not
make a program's fork() warn. A forked child starts its figures from zero.

The JSON is written by hand, and every os function we use was bound when this
module was imported: a program probing json, os.path or time functions must
not see our own calls in its figures.
"""
import _thread
import atexit
import os
import sys
from time import monotonic as _monotonic, sleep as _sleep, time as _time

from . import recorder, signals, spans, state, tree
from .files import EXCLUSIVE, ensure_private_dir, temp_name, write_all

_getpid = os.getpid
_open = os.open
_close = os.close
_replace = os.replace
_unlink = os.unlink
_stat = os.stat
_SEP = os.sep
_VERSION = sys.version.split()[0]


# --------------------------------------------------------------------------- JSON

_ESCAPES = {i: '\\u%04x' % i for i in range(32)}
_ESCAPES.update({ord('"'): '\\"', ord('\\'): '\\\\', 0x7f: '\\u007f'})


def _char(c):
    o = ord(c)
    if o < 0x7f:
        return c
    if o > 0xffff:
        o -= 0x10000
        return '\\u%04x\\u%04x' % (0xd800 + (o >> 10), 0xdc00 + (o & 0x3ff))
    return '\\u%04x' % o


def jstr(s):
    """A JSON string literal, ASCII only (lone surrogates from surrogateescape survive)."""
    if not isinstance(s, str):
        s = str(s)
    s = s.translate(_ESCAPES)
    if not s.isascii():
        s = ''.join([_char(c) for c in s])
    return '"' + s + '"'


def jlist(items):
    return '[' + ','.join([jstr(x) for x in items]) + ']'


def jnum(x):
    if isinstance(x, int):
        return str(x)
    return repr(float(x))


def _function_json(r, sums):
    hist, maxns, errors = r.figures()
    total, self_ns = sums.get(r.index, (0, 0))
    calls = 0 if hist is None else sum(hist)
    # The calls are in the key: a report taken while another thread was between a call's tree
    # update and its histogram update has a total that already counts a call its histogram does not.
    key = (calls, total, self_ns, maxns, errors)
    cache = r.cache
    if cache is not None and cache[0] == key:
        return cache[1]
    if hist is None:
        sparse = '[]'
    else:
        sparse = '[' + ','.join(['[%d,%d]' % (i, c) for i, c in enumerate(hist) if c]) + ']'
    text = ''.join([
        '{"target":', jstr(r.target),
        ',"name":', jstr(r.name),
        ',"file":', jstr(r.file),
        ',"line":%d' % r.line if r.line is not None else '',
        ',"calls":', str(calls),
        ',"errors":', str(errors),
        ',"totalMs":', jnum(total / 1e6),
        ',"selfMs":', jnum(self_ns / 1e6),
        ',"maxMs":', jnum(maxns / 1e6),
        ',"histogram":', sparse,
        ',"probedBy":"wrapper"' if r.wrapped else ',"probedBy":"definition"', '}',
    ])
    r.cache = (key, text)
    return text


def _tree_json():
    """The call tree (TreeRecord[]) and each function's (total, self) ns, summed over its nodes."""
    nodes = []
    sums = {}
    for node, parent, calls, total, self_ns in tree.walk():
        fn = node[3]
        nodes.append('{"parent":%d,"fn":%d,"calls":%d,"totalMs":%s,"selfMs":%s}' % (parent, fn, calls, jnum(total / 1e6), jnum(self_ns / 1e6)))
        t, s = sums.get(fn, (0, 0))
        sums[fn] = (t + total, s + self_ns)
    return '[' + ','.join(nodes) + ']', sums


def _calibration():
    hooks = sys.modules.get(__package__ + '.hooks')
    if hooks is None or not getattr(hooks, 'calibrated', False):  # (a flush while it is being imported)
        return ''
    return ',"calibration":{"overheadNs":%d,"method":%s}' % (hooks.overhead[0], jstr(hooks.CALIBRATION_METHOD))


def process_report(pid, started_at):
    """This process's ProcessReport (src/common/types.ts) as JSON text."""
    argv = [sys.executable or 'python'] + [str(a) for a in getattr(sys, 'argv', [])]
    tree_text, sums = _tree_json()  # before the functions: every index it names is listed
    span_info = spans.info()
    return ''.join([
        '{"version":1,"pid":', str(pid),
        ',"threadId":0,"runtime":"python","runtimeVersion":', jstr(_VERSION),
        ',"argv":', jlist(argv),
        ',"startedAt":', str(started_at),
        ',"timeOrigin":', jnum(spans.time_origin_ms),
        ',"functions":[', ','.join([_function_json(r, sums) for r in list(recorder.records)]), ']',
        ',"tree":', tree_text,
        ',"spans":{"file":%s,"written":%d,"dropped":%d}' % (jstr(span_info[0]), span_info[1], span_info[2]) if span_info else '',
        _calibration(),
        ',"matched":', jlist(state.matched),
        ',"candidates":{', ','.join([jstr(k) + ':' + jlist(v) for k, v in list(state.candidates.items())]), '}',
        ',"warnings":', jlist(state.warnings),
        '}',
    ])


# --------------------------------------------------------------------------- files

def write_atomic(directory, name, text):
    ensure_private_dir(directory)
    final = directory + _SEP + name
    temp = directory + _SEP + temp_name(name)
    data = text.encode('ascii')
    fd = _open(temp, EXCLUSIVE, 0o600)
    try:
        try:
            write_all(fd, data)
        finally:
            _close(fd)
        _replace(temp, final)
    except BaseException:
        try:
            _unlink(temp)
        except OSError:
            pass
        raise


class Reporter(object):
    def __init__(self, out, interval_ms):
        self.dir = out.rstrip(_SEP) + _SEP + 'processes'
        self.interval = interval_ms / 1000.0
        self.started_at = int(_time() * 1000)
        self.lock = _thread.allocate_lock()
        self.warned = False
        self.last = None  # (pid, text) last written
        self.flusher = None
        self.owner = None  # the thread flushing now
        self.then = None  # what a signal handler left to do once that flush is done

    def flushing_here(self):
        """True inside a flush of this thread (a signal handler interrupted it)."""
        return self.owner == _thread.get_ident()

    def flush(self):
        # Never wait long: os._exit may come from a thread while another one flushes.
        if not self.lock.acquire(True, 5):
            return
        self.owner = _thread.get_ident()
        try:
            pid = _getpid()
            spans.flush()  # first: the report must account for every span on disk
            text = process_report(pid, self.started_at)
            if self.last == (pid, text):
                return
            write_atomic(self.dir, '%d-0.json' % pid, text)
            self.last = (pid, text)
        except Exception as error:
            # Said once; the next flush tries again (the last one, at exit, is the one that counts).
            if not self.warned:
                self.warned = True
                state.warn('cannot write results to %s: %s' % (self.dir, error))
        finally:
            self.owner = None
            self.lock.release()
            then, self.then = self.then, None
            if then is not None:
                then()

    def final_flush(self):
        flusher = self.flusher
        if flusher is not None:
            flusher.stop(wait=False)
        self.flush()

    # ---- lifecycle

    def install(self, periodic):
        atexit.register(self._at_exit)
        if not periodic:
            return
        _hook_os_exit(self)
        if self.interval > 0:
            self.flusher = _Flusher(self)
            self.flusher.start()
        if hasattr(os, 'register_at_fork'):
            os.register_at_fork(before=self._before_fork, after_in_parent=self._after_parent, after_in_child=self._after_child)

    def _at_exit(self):
        try:
            self.final_flush()
        except Exception:
            pass

    def _before_fork(self):
        try:
            if self.flusher is not None and self.flusher.running:
                self.flusher.stop(wait=True)
                self.flusher.pending = True
        except Exception:
            pass

    def _after_parent(self):
        self._schedule_restart()

    def _after_child(self):
        try:
            self.lock = _thread.allocate_lock()
            self.owner = self.then = None
            self.started_at = int(_time() * 1000)
            self.last = None
            for r in recorder.records:
                r.reset()
            tree.reset()
            spans.after_fork_in_child()
            del state.warnings[:]
            if self.flusher is not None:
                self.flusher.pending = self.flusher.pending or self.flusher.running
                self.flusher.running = False
                self.flusher.after_fork_in_child()
        except Exception:
            pass

    def restart_in_children(self):
        """A forked child starts its flusher at once (after signals.py's fork hooks, which must
        give it the child's own doorbells first): a Pool worker may never collect garbage, and
        only the flusher gets a SIGTERM that the main thread missed acted on (signals.py)."""
        if self.flusher is not None and hasattr(os, 'register_at_fork'):
            os.register_at_fork(after_in_child=self._restart_in_child)

    def _restart_in_child(self):
        self.flusher.resume()

    def _schedule_restart(self):
        # Not now: in the parent, 3.12+ counts threads once the after-fork hooks have run (and warns
        # of a multi-threaded fork). The next garbage collection (any allocating program has them
        # often) will do. (A child's own fork stops its flusher first: _before_fork.)
        if self.flusher is None or not self.flusher.pending:
            return
        try:
            import gc

            if _gc_restart not in gc.callbacks:
                gc.callbacks.append(_gc_restart)
            _restart_targets.append(self.flusher)
        except Exception:
            pass


_restart_targets = []


def _gc_restart(phase, info):
    if phase != 'stop' or not _restart_targets:
        return
    while _restart_targets:
        _restart_targets.pop().resume()


def _block_process_signals():
    """Blocks SIGTERM, SIGHUP and SIGINT in this thread; returns the mask to restore (None: nothing done)."""
    try:
        import signal as _signal

        return _signal.pthread_sigmask(_signal.SIG_BLOCK, {_signal.SIGTERM, _signal.SIGHUP, _signal.SIGINT})
    except Exception:
        return None


def _restore_signals(mask):
    if mask is None:
        return
    try:
        import signal as _signal

        _signal.pthread_sigmask(_signal.SIG_SETMASK, mask)
    except Exception:
        pass


class _Flusher(object):
    """The periodic flush, on a bare _thread thread (invisible to threading.enumerate())."""

    def __init__(self, reporter):
        self.reporter = reporter
        self.running = False
        self.pending = False
        self.stop_lock = None
        self.done_lock = None
        self.tid = None
        self.wake = None  # (read, write) of the pipe stop() writes to: the loop may wait in select()

    def start(self):
        stop = _thread.allocate_lock()
        stop.acquire()
        done = _thread.allocate_lock()
        done.acquire()
        self.stop_lock, self.done_lock, self.tid = stop, done, None
        if self.wake is None and signals.bells():
            try:
                self.wake = signals.private_pipe()  # before the thread: stop() may come at once
            except Exception:
                pass
        self.running = True
        # Born with the signals blocked, not blocking them once it runs: a SIGTERM that reached it in
        # between would run no Python handler (only the main thread does, woken by EINTR) while the
        # main thread sleeps in a blocking call (a Pool worker waiting for a task) — a process that
        # would die of the signal bare would hang.
        masked = _block_process_signals()
        try:
            _thread.start_new_thread(self._run, (stop, done))
        finally:
            _restore_signals(masked)

    def resume(self):
        """Starts again if a fork stopped it (and nothing has started it since)."""
        try:
            if self.pending and not self.running:
                self.pending = False
                self.start()
        except Exception:
            pass

    def _run(self, stop, done):
        try:
            # A process-directed signal must not land on this thread: with a Python handler installed
            # (ours for SIGTERM), only the main thread runs it, and a main thread blocked in a read
            # (a Pool worker waiting for a task) would then never wake up to die.
            _block_process_signals()
            get_native_id = getattr(_thread, 'get_native_id', None)
            self.tid = get_native_id() if get_native_id else None
            bells = signals.bells()
            if bells and self.wake is not None:
                self._run_with_bells(stop, bells)
                return
            interval = self.reporter.interval
            while not stop.acquire(True, interval):
                self.reporter.flush()
        except BaseException:
            pass
        finally:
            done.release()

    def _run_with_bells(self, stop, bells):
        """The loop when signals ring doorbells (signals.py): flush every interval; on a ring whose
        handler has not started within 50 ms, send the signal to the main thread every 50 ms until it has."""
        wake, _, identity = self.wake
        interval = self.reporter.interval
        due = _monotonic() + interval
        waiting = False
        while bells and signals.ours(wake, identity):
            timeout = 0.05 if waiting else max(0.0, due - _monotonic())
            ready = signals.wait(bells + [wake], timeout)
            if stop.acquire(False):
                return
            if ready is None:
                break  # never spin on a wait that fails at once
            if waiting:
                waiting = signals.nudge()
            if ready:
                if wake in ready:
                    signals.drain(wake)
                waiting = signals.rung(ready) or waiting  # the first nudge only after 50 ms
            if _monotonic() >= due:
                self.reporter.flush()
                due = _monotonic() + interval
            bells = signals.bells()  # those the program has not closed
        # The program closed our descriptors, or they cannot be waited on: the plain wait, as with no doorbell
        remaining = max(0.0, due - _monotonic())
        while not stop.acquire(True, remaining):
            self.reporter.flush()
            remaining = interval

    def after_fork_in_child(self):
        """A wake pipe of its own: the parent's is shared with this process after fork()."""
        wake, self.wake = self.wake, None
        if wake is not None:
            signals.close_ours(wake[:2], wake[2])

    def stop(self, wait):
        if not self.running:
            return
        self.running = False
        try:
            self.stop_lock.release()
        except RuntimeError:
            pass
        if self.wake is not None:
            signals.poke(self.wake[1], self.wake[2])
        if not wait:
            return
        if self.done_lock.acquire(True, 2):
            self.done_lock.release()
        # The OS thread outlives its last Python line by a moment; wait until it is gone.
        tid = self.tid
        if tid is None:
            return
        path = '/proc/self/task/%d' % tid
        for _ in range(500):
            try:
                _stat(path)
            except OSError:
                return
            _sleep(0.0001)


def _hook_os_exit(reporter):
    real_exit = os._exit

    def _exit(status):
        try:
            reporter.final_flush()
        except BaseException:
            pass
        real_exit(status)

    for name in ('__module__', '__name__', '__qualname__', '__doc__'):
        try:
            setattr(_exit, name, getattr(real_exit, name))
        except Exception:
            pass
    _exit.__wrapped__ = real_exit
    os._exit = _exit
