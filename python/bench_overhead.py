"""Per-call cost of tanzhen's Python wrapper, against a bare call and plain decorators.

    python python/bench_overhead.py [--number N] [--rounds R] [--baseline DIR]

Prints nanoseconds per call (timeit, CPU time unless --wall; best of --rounds
interleaved rounds) for:
  bare        f(1)
  decorator   a functools.wraps pass-through decorator: def w(*a, **k): return f(*a, **k)
  timing      the same plus two perf_counter_ns() reads and a running total (the seed's idea)
  defsite     the same figures taken where the function is defined: its source rewritten by
              rewrite.py (try/finally around the body calling hooks.py), what the probe does to
              target modules imported after it starts
  +spans      the same with TANZHEN_SPANS=1 (what `tanzhen run --out` sets): a span per call, written to a temporary file
  wrapper     tanzhen's attribute wrapper (recorder.py; histogram bucket, max, call tree, self time),
              still used for modules imported before the probe and modules without source
  wrap+spans  the wrapper with spans
  baseline    with --baseline DIR: the wrapper of another copy of python/bootstrap (an older
              checkout), loaded side by side, so that a noisy machine hits both alike
and the same for a method called on an instance. Standard library only.
"""
import argparse
import functools
import importlib.util
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import timeit
from time import perf_counter_ns

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bootstrap'))
from tanzhen_probe import hooks, recorder, report, rewrite, spans, targets  # noqa: E402

SOURCE = '''
def f(n):
    return n


class C(object):
    def m(self, n):
        return n
'''


def f(n):
    return n


def decorator(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def timing(func):
    total = [0]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        t0 = perf_counter_ns()
        result = func(*args, **kwargs)
        total[0] += perf_counter_ns() - t0
        return result

    return wrapper


def probed(func, name, module=recorder):
    return module.wrap(func, module.add_record('bench:' + name, name, __file__, 1))


def probed_spans(func, name):
    spans.enabled = True  # only while wrapping: the wrapper is chosen then
    try:
        return probed(func, name + '+spans')
    finally:
        spans.enabled = False


def defsite(with_spans):
    """f and C (a subclass of the module's C) as the probe compiles a target module's source."""
    import ast

    name = 'defsite+spans' if with_spans else 'defsite'
    tree = ast.parse(SOURCE)
    rewrite.rewrite_tree(tree, __file__, [targets.parse_target('bench_%s:*' % name.replace('+', '_'))])
    # The lock 3.8/3.9 take around their updates (hooks.py), as install() binds it there.
    namespace = hooks.variant(with_spans, None, threading.RLock() if hooks.SERIAL else None)
    exec(compile(tree, __file__, 'exec', dont_inherit=True), namespace)
    return namespace['f'], namespace['C']


def load_baseline(bootstrap):
    """The recorder of another copy of the probe, as package tanzhen_baseline."""
    init = os.path.join(bootstrap, 'tanzhen_probe', '__init__.py')
    spec = importlib.util.spec_from_file_location('tanzhen_baseline', init, submodule_search_locations=[os.path.dirname(init)])
    package = importlib.util.module_from_spec(spec)
    sys.modules['tanzhen_baseline'] = package
    spec.loader.exec_module(package)
    return importlib.import_module('tanzhen_baseline.recorder')


class C(object):
    def m(self, n):
        return n


def build(baseline):
    makers = [
        ('bare', None),
        ('decorator', decorator),
        ('timing', timing),
        ('defsite', 'defsite'),
        ('+spans', 'defsite+spans'),
        ('wrapper', lambda fn: probed(fn, fn.__qualname__)),
        ('wrap+spans', lambda fn: probed_spans(fn, fn.__qualname__)),
    ]
    if baseline is not None:
        makers.append(('baseline', lambda fn: probed(fn, fn.__qualname__, baseline)))
    variants = {}
    classes = {}
    for label, wrap in makers:
        if isinstance(wrap, str):
            variants[label], cls = defsite(wrap.endswith('spans'))
            classes[label] = cls()
            continue
        variants[label] = f if wrap is None else wrap(f)
        cls = type('C_' + label, (C,), {})
        if wrap is not None:
            cls.m = wrap(C.m)
        classes[label] = cls()
    return [label for label, _ in makers], variants, classes


def measure(variants, number, rounds, timer):
    """Best time per call (ns) of each variant, rounds interleaved so that noise hits all alike."""
    best = {}
    empty = min(timeit.repeat('pass', number=number, repeat=rounds, timer=timer)) / number * 1e9
    for _ in range(rounds):
        for key, (stmt, namespace) in variants.items():
            t = timeit.timeit(stmt, globals=namespace, number=number, timer=timer) / number * 1e9 - empty
            best[key] = min(best.get(key, t), t)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--number', type=int, default=200000, help='calls per round (default 200000)')
    parser.add_argument('--rounds', type=int, default=25, help='rounds, best kept (default 25)')
    parser.add_argument('--baseline', metavar='DIR', help='another python/bootstrap directory to compare with')
    parser.add_argument('--wall', action='store_true', help='wall-clock time (default: CPU time of this process, which other processes on a busy machine disturb less)')
    args = parser.parse_args()
    baseline = load_baseline(args.baseline) if args.baseline else None
    out = tempfile.mkdtemp(prefix='tanzhen-bench-')
    spans.set_origin()
    spans.enable(os.path.join(out, 'processes'), 10 ** 12)
    spans.enabled = False
    overhead = hooks.calibrate(rewrite.make_empty)
    try:
        labels, functions, instances = build(baseline)
        variants = {}
        for label in labels:
            variants[(label, 'function')] = ('g(1)', {'g': functions[label]})
            variants[(label, 'method')] = ('o.m(1)', {'o': instances[label]})
        best = measure(variants, args.number, args.rounds, time.perf_counter if args.wall else time.process_time)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print('Python %s (%s) on %s' % (platform.python_version(), sys.executable, platform.machine()))
    print('%-10s %12s %12s' % ('ns/call', 'function', 'method'))
    for label in labels:
        print('%-10s %12.0f %12.0f' % (label, best[(label, 'function')], best[(label, 'method')]))
    print('calibration: %d ns subtracted from each defsite duration (not from the wrapper\'s)' % overhead)
    for label in labels[3:]:
        for kind in ('function', 'method'):
            t = best[(label, kind)]
            over = t - best[('bare', kind)]
            print('%s overhead (%s): +%.0f ns over a bare call, %.2fx the timing decorator\'s +%.0f ns'
                  % (label, kind, over, over / max(1.0, best[('timing', kind)] - best[('bare', kind)]), best[('timing', kind)] - best[('bare', kind)]))


if __name__ == '__main__':
    main()
