"""tanzhen's Python probe (standard library only), started by ../sitecustomize.py.

start() reads the run's settings from the environment (TANZHEN_RUN,
TANZHEN_TRACE or TANZHEN_TRACE_FILE, TANZHEN_OUT, TANZHEN_CALLS, TANZHEN_FLUSH_MS, TANZHEN_SPANS,
TANZHEN_MAX_SPANS), installs the
import hook for the target modules, instruments those already imported, and
arranges for this process's report to be written. Any internal error becomes
one `tanzhen: warning: ...` line on stderr; the program always runs.
"""
import os
import sys

__all__ = ['start']

_started = False


def start(bootstrap_dir=None):
    global _started
    env = os.environ
    if _started or not env.get('TANZHEN_RUN'):
        return
    if any(getattr(f, '_tanzhen_finder', False) is True for f in sys.meta_path):
        _started = True  # another copy of the probe is already at work here
        return
    specs_text = env.get('TANZHEN_TRACE', '')
    from .targets import parse_target, split_trace_list

    specs_file = env.get('TANZHEN_TRACE_FILE')
    if specs_file:
        # Too many targets for the environment: the launcher wrote them to a file of the run directory.
        from .files import read_private

        try:
            specs_text = read_private(specs_file).decode('utf-8', 'surrogateescape')
        except Exception as error:
            from .state import warn

            warn('cannot read the targets from %s (%s); nothing is probed in this process' % (specs_file, error))
            return

    specs = split_trace_list(specs_text)
    if not specs:
        return
    _started = True

    from . import recorder
    from .state import warn

    targets = [t for t in (parse_target(s) for s in specs) if t is not None]
    recorder.set_logging(env.get('TANZHEN_CALLS') == '1')

    from . import spans, tree

    spans.set_origin()
    tree.start_thread()
    out = env.get('TANZHEN_OUT')
    if out:
        from .report import Reporter

        try:
            interval = int(env.get('TANZHEN_FLUSH_MS') or 1000)
        except ValueError:
            warn('TANZHEN_FLUSH_MS=%r is not a number of milliseconds; using 1000' % env.get('TANZHEN_FLUSH_MS'))
            interval = 1000
        reporter = Reporter(out, max(0, interval))
        if env.get('TANZHEN_SPANS') == '1':
            text = env.get('TANZHEN_MAX_SPANS') or str(spans.DEFAULT_MAX)
            try:
                max_spans = max(0, int(text))
            except ValueError:
                warn('TANZHEN_MAX_SPANS=%r is not a number; using %d' % (text, spans.DEFAULT_MAX))
                max_spans = spans.DEFAULT_MAX
            spans.enable(reporter.dir, max_spans)  # before any function is wrapped
        from . import signals

        signals.install(reporter)  # before the flusher starts: it waits on the signals' doorbells
        reporter.install(periodic=bool(targets))
        signals.install_fork_hooks()  # after the reporter's: a child zeroes its figures before a pending signal gets in
        reporter.restart_in_children()  # after the signals': a child's flusher waits on the child's doorbells

    if not targets:
        return
    modules = {}
    for target in targets:
        modules.setdefault(target.module, []).append(target)

    from . import hooks, rewrite
    from .finder import TanzhenFinder
    from .instrument import instrument
    from .state import note_matched

    hooks.calibrate(rewrite.make_empty)  # first: the hooks fold the result into their start time
    hooks.install(recorder._log)  # after spans.enable: the hooks' variant is chosen there

    def on_loaded(module, name, timed=()):
        # Targets a rewritten def already times are matched; the others (a module
        # imported before the probe, no source, a name bound by assignment, an
        # inherited method) go through the attribute wrappers, which also warn
        # and list the "did you mean" candidates.
        try:
            rest = []
            for target in modules.get(name, ()):
                if target.spec in timed:
                    note_matched(target.spec)
                else:
                    rest.append(target)
            instrument(module, rest)
        except Exception as error:
            warn('%s: %s: %s; not probed' % (name, type(error).__name__, error))

    def load(loader, module, targets):
        try:
            return rewrite.load(loader, module, targets)
        except Exception as error:
            warn('%s: cannot rewrite (%s: %s); probed by wrappers instead' % (module.__name__, type(error).__name__, error))
            return None, ()

    sys.meta_path.insert(0, TanzhenFinder(modules, on_loaded, load))
    # Target modules imported before we ran (os.path, modules imported by site.py):
    # their functions' code objects are replaced in place where the source allows.
    for name in list(modules):
        module = sys.modules.get(name)
        if module is not None:
            try:
                timed = rewrite.adopt_loaded(module, modules[name])
            except Exception as error:
                warn('%s: cannot rewrite (%s: %s); probed by wrappers instead' % (name, type(error).__name__, error))
                timed = ()
            on_loaded(module, name, timed)
