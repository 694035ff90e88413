"""A process killed by SIGTERM (multiprocessing's Pool.terminate(),
Popen.terminate()) or SIGHUP dies without atexit, losing what it recorded since
its last flush. Where the program left such a signal at its default action
(SIG_DFL), our handler flushes, puts SIG_DFL back and raises the signal again,
so the process dies of it exactly as it would have. A signal the program
handles or ignores (SIG_IGN, inherited from nohup or a shell) is left alone,
and so is SIGINT, whose default in Python (KeyboardInterrupt) runs atexit.
A handler the program installs later simply replaces ours.
"""
import os
import signal

_NAMES = ('SIGTERM', 'SIGHUP')
_getpid = os.getpid
_kill = os.kill


_installed = set()


def install(reporter):
    for name in _NAMES:
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            if signal.getsignal(number) != signal.SIG_DFL:
                continue
            signal.signal(number, _handler(reporter))
            _installed.add(number)
        except (ValueError, OSError, RuntimeError):
            pass  # not the main thread, or not a signal this platform handles
    # A signal sent to a child right after fork() (Pool.terminate() on a worker
    # just started) is pending when the child first runs; CPython's after-fork
    # code then clears caught signals, and the child would never die of it. So
    # the signals are blocked across fork() and unblocked after: the pending
    # one is delivered to our handler (SIG_DFL without us: it died at once).
    if _installed and hasattr(os, 'register_at_fork') and hasattr(signal, 'pthread_sigmask'):
        os.register_at_fork(before=_block, after_in_parent=_unblock, after_in_child=_unblock)


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
