"""A process killed by SIGTERM (multiprocessing's Pool.terminate(),
Popen.terminate()) or SIGHUP dies without atexit, losing what it recorded since
its last flush. Where the program left such a signal at its default action
(SIG_DFL), our handler flushes, puts SIG_DFL back and raises the signal again,
so the process dies of it exactly as it would have. A signal the program
handles or ignores (SIG_IGN, inherited from nohup or a shell) is left alone,
and so is SIGINT, whose default in Python (KeyboardInterrupt) runs atexit.
A handler the program installs later simply replaces ours.

CPython runs a Python handler in the main thread, when it next checks for
signals: at once if it runs Python code, after EINTR if it is blocked in a
call. A signal that arrives just before the main thread blocks (a Pool worker
about to wait on its task queue's lock), or that the kernel hands to another
thread, interrupts nothing: the process would wait for ever where bare it
died at once. So each signal also rings a doorbell: faulthandler.register()
chains a C-level handler of its own before CPython's, which writes to a pipe
(an async-signal-safe write(); its text is a traceback, unread). The flusher
thread (report.py) waits on the pipes; when one rings and our handler has not
started, it sends the signal to the main thread itself (pthread_kill) until it
does: a main thread blocked in a call gets EINTR and runs the handler. The
pipes are this process's own: a child made by fork() gets new ones before
the signals are unblocked in it (_after_child).
"""
import os
import signal

_NAMES = ('SIGTERM', 'SIGHUP')
# Bound at import, before any target is wrapped: a program probing os or select must not count our calls.
_getpid = os.getpid
_kill = os.kill
_read = os.read
_write = os.write
_close = os.close
_fstat = os.fstat
_pipe = os.pipe
_set_blocking = os.set_blocking
_pthread_kill = getattr(signal, 'pthread_kill', None)
try:
    # poll(), not select(): a forked child of a process holding over 1 000 descriptors gets pipes
    # numbered past select()'s FD_SETSIZE (1024), where select() fails at once, every time.
    from select import POLLIN as _POLLIN, poll as _poll
except ImportError:  # no poll(): the flusher keeps its plain wait, nothing rings
    _poll = None


_installed = set()
_handlers = {}  # signal number -> our handler
_started = []  # signal numbers whose handler (ours) has started in this process
_bells = {}  # read end of a doorbell pipe -> (signal number, write end, pipe identity)
_rung = set()  # signal numbers whose doorbell rang
_main = [None]  # ident of the thread that runs Python signal handlers


# ---- pipes of our own, in a process that may close every descriptor and open its own

def private_pipe():
    """(read, write, identity): non-blocking, close-on-exec, at high descriptor numbers.

    A daemon that closes every descriptor and opens its log files gets the low
    numbers back, never these; and every use checks the identity first (ours()),
    so a number the program did get back is never read, written or closed by us.
    """
    r, w = _pipe()
    try:
        r, w = _raised(r), _raised(w)
        _set_blocking(r, False)
        _set_blocking(w, False)  # a full pipe must never block a signal handler
        st = _fstat(r)
    except Exception:
        for fd in (r, w):
            try:
                _close(fd)
            except OSError:
                pass
        raise
    return r, w, (st.st_dev, st.st_ino)


def _raised(fd):
    """fd moved to the lowest free number from 1000 (below the soft limit), or left where it is."""
    try:
        import fcntl

        floor = max(3, min(1000, os.sysconf('SC_OPEN_MAX') - 64))  # the soft RLIMIT_NOFILE
        high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, floor)
    except Exception:
        return fd
    _close(fd)
    return high


def ours(fd, identity):
    """Whether descriptor fd is still the pipe we made (both ends share its identity)."""
    try:
        st = _fstat(fd)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == identity


def close_ours(fds, identity):
    for fd in fds:
        if ours(fd, identity):
            try:
                _close(fd)
            except OSError:
                pass


def drain(fd):
    try:
        while _read(fd, 65536):
            pass
    except OSError:
        pass  # EAGAIN: empty


def poke(fd, identity):
    """Wakes whoever waits on the pipe (a byte into its write end fd), if it is still ours."""
    if ours(fd, identity):
        try:
            _write(fd, b'.')
        except OSError:
            pass


def wait(fds, timeout):
    """The fds readable (or hung up, or closed under us: the caller checks ours()) within timeout
    seconds, [] if none; None when they cannot be waited on at all."""
    try:
        waiter = _poll()
        for fd in fds:
            waiter.register(fd, _POLLIN)
        return [fd for fd, _ in waiter.poll(timeout * 1000)]
    except (OSError, ValueError, TypeError):
        return None


def install(reporter):
    for name in _NAMES:
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            if signal.getsignal(number) != signal.SIG_DFL:
                continue
            _handlers[number] = _handler(reporter)
            signal.signal(number, _handlers[number])
            _installed.add(number)
        except (ValueError, OSError, RuntimeError):
            pass  # not the main thread, or not a signal this platform handles
    if not _installed:
        return
    import _thread

    _main[0] = _thread.get_ident()
    _ring_on(_installed)


def install_fork_hooks():
    # A signal sent to a child right after fork() (Pool.terminate() on a worker
    # just started) is pending when the child first runs; CPython's after-fork
    # code then clears caught signals, and the child would never die of it. So
    # the signals are blocked across fork() and unblocked after: the pending
    # one is delivered to our handler (SIG_DFL without us: it died at once).
    if _installed and hasattr(os, 'register_at_fork') and hasattr(signal, 'pthread_sigmask'):
        os.register_at_fork(before=_block, after_in_parent=_unblock, after_in_child=_after_child)


def _ring_on(numbers):
    """A doorbell pipe per signal, rung by faulthandler's C-level handler (then CPython's runs)."""
    if _poll is None or _pthread_kill is None:
        return
    try:
        import faulthandler
    except ImportError:
        return
    for number in numbers:
        try:
            r, w, identity = private_pipe()
            faulthandler.register(number, file=w, all_threads=False, chain=True)
            _bells[r] = (number, w, identity)
        except Exception:
            pass


def _after_child():
    # Not the parent's pipes: a signal sent to this child must never look like one the parent got.
    import _thread

    old = list(_bells.items())
    _bells.clear()
    _rung.clear()
    del _started[:]
    for r, (_, w, identity) in old:
        close_ours((r, w), identity)
    _main[0] = _thread.get_ident()  # the thread that forked is this process's main thread
    _ring_on(_installed)  # before the signals are unblocked: a pending one rings the new bell
    _unblock()


def bells():
    """The read ends the flusher waits on, those still ours (a program may close them)."""
    for r, (number, w, identity) in list(_bells.items()):
        if not (ours(r, identity) and ours(w, identity)):
            del _bells[r]
            _unring(number)
    return list(_bells)


def _unring(number):
    # faulthandler would write into whatever now holds the number of its descriptor. Unregistering
    # puts back the action it found, CPython's handler: right only while ours is the Python handler.
    try:
        if signal.getsignal(number) is _handlers.get(number):
            import faulthandler

            faulthandler.unregister(number)
    except Exception:
        pass


def rung(ready):
    """Drains the doorbells in `ready`; True if a signal rung so far has not started our handler."""
    for r in ready:
        entry = _bells.get(r)
        if entry is None or not ours(r, entry[2]):
            continue
        _rung.add(entry[0])
        drain(r)
    return bool(_rung.difference(_started))


def nudge():
    """Sends each rung signal whose handler has not started to the main thread; True if one has not."""
    waiting = False
    for number in _rung.difference(_started):
        try:
            if signal.getsignal(number) is not _handlers.get(number):
                # The program's handler took the signal (installed in between): it is theirs to act on.
                _rung.discard(number)
                continue
            waiting = True
            _pthread_kill(_main[0], number)
        except Exception:
            pass
    return waiting


def _block():
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, _installed)
    except Exception:
        pass


def _unblock():
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _installed)
    except Exception:
        pass


def _handler(reporter):
    def _tanzhen_flush_and_die(number, frame):
        _started.append(number)

        def die():
            signal.signal(number, signal.SIG_DFL)
            _kill(_getpid(), number)

        if reporter.flushing_here():
            reporter.then = die  # the flush we interrupted finishes first (os._exit's, say)
            return
        try:
            reporter.final_flush()
        except BaseException:
            pass
        die()

    return _tanzhen_flush_and_die
