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


def install(reporter):
    for name in _NAMES:
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            if signal.getsignal(number) != signal.SIG_DFL:
                continue
            signal.signal(number, _handler(reporter))
        except (ValueError, OSError, RuntimeError):
            pass  # not the main thread, or not a signal this platform handles


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
