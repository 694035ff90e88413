# tanzhen's Python bootstrap: the seed's sitecustomize.py, found through the
# PYTHONPATH entry that `tanzhen run` prepends. It probes an interpreter only
# when that interpreter belongs to a tanzhen run (TANZHEN_RUN is set); either
# way it then runs the sitecustomize.py that it shadows, if there is one.
# Python 2 syntax on purpose: any interpreter inheriting PYTHONPATH reads it.


def _tanzhen_bootstrap():
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    if os.environ.get('TANZHEN_RUN'):
        try:
            if sys.version_info >= (3, 7):
                import tanzhen_probe

                tanzhen_probe.start(here)
            else:
                sys.stderr.write('tanzhen: warning: Python %d.%d is not supported (3.7+ is); not probed\n' % sys.version_info[:2])
        except Exception as error:
            try:
                sys.stderr.write('tanzhen: warning: probe disabled: %s: %s\n' % (type(error).__name__, error))
            except Exception:
                pass
    _tanzhen_chain(here)


def _tanzhen_chain(here):
    """Runs the next sitecustomize on sys.path, as if this one were not there."""
    import os
    import sys

    try:
        me = os.stat(here)
    except OSError:
        me = None

    def ours(entry):  # os.stat, not os.path.samefile: os.path may be probed by now
        try:
            st = os.stat(entry or os.curdir)
            return me is not None and (st.st_ino, st.st_dev) == (me.st_ino, me.st_dev)
        except Exception:
            return False

    entries = [p for p in sys.path if isinstance(p, str)]
    mine = [i for i, p in enumerate(entries) if ours(p)]
    rest = [p for p in entries[mine[0] + 1:] if not ours(p)] if mine else entries
    if sys.version_info[0] < 3:
        import imp

        try:
            found = imp.find_module('sitecustomize', rest)
        except ImportError:
            return
        try:
            imp.load_module('sitecustomize', *found)
        finally:
            if found[0]:
                found[0].close()
        return
    # The import system's own modules, always loaded: no import cost at start-up.
    bootstrap = sys.modules.get('_frozen_importlib')
    external = sys.modules.get('_frozen_importlib_external')
    if bootstrap is None or external is None:
        from importlib import _bootstrap as bootstrap, _bootstrap_external as external
    spec = external.PathFinder.find_spec('sitecustomize', rest)
    if spec is None or spec.loader is None:
        return
    module = bootstrap.module_from_spec(spec)
    # `import sitecustomize` now gives the user's module; an error in it
    # propagates to site.py, which reports it exactly as without tanzhen.
    sys.modules['sitecustomize'] = module
    spec.loader.exec_module(module)


_tanzhen_bootstrap()
del _tanzhen_bootstrap, _tanzhen_chain
