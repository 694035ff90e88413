"""Per-call cost of tanzhen's Python wrapper, against a bare call and plain decorators.

    python python/bench_overhead.py [--number N] [--rounds R] [--baseline DIR]

Prints nanoseconds per call (timeit, CPU time unless --wall; best of --rounds
interleaved rounds) for:
  bare        f(1)
  decorator   a functools.wraps pass-through decorator: def w(*a, **k): return f(*a, **k)
  timing      the same plus two perf_counter_ns() reads and a running total (the seed's idea)
  tanzhen     tanzhen's wrapper (histogram bucket, max, call tree, self time), as installed by the probe
  +spans      the same with TANZHEN_SPANS=1 (what `tanzhen run --out` sets): a span per call, written to a temporary file
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
import time
import timeit
from time import perf_counter_ns

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bootstrap'))
from tanzhen_probe import recorder, report, spans  # noqa: E402


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
        ('tanzhen', lambda fn: probed(fn, fn.__qualname__)),
        ('+spans', lambda fn: probed_spans(fn, fn.__qualname__)),
    ]
    if baseline is not None:
        makers.append(('baseline', lambda fn: probed(fn, fn.__qualname__, baseline)))
    variants = {}
    classes = {}
    for label, wrap in makers:
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
    for label in labels[3:]:
        for kind in ('function', 'method'):
            t = best[(label, kind)]
            print('%s overhead (%s): +%.0f ns over a bare call, +%.0f ns over a plain decorator'
                  % (label, kind, t - best[('bare', kind)], t - best[('decorator', kind)]))


if __name__ == '__main__':
    main()
