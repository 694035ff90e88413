"""Per-call cost of tanzhen's Python wrapper, against a bare call and plain decorators.

    python python/bench_overhead.py [--number N] [--rounds R]

Prints nanoseconds per call (timeit; best of --rounds interleaved rounds) for:
  bare        f(1)
  decorator   a functools.wraps pass-through decorator: def w(*a, **k): return f(*a, **k)
  timing      the same plus two perf_counter_ns() reads and a running total (the seed's idea)
  tanzhen     tanzhen's wrapper (histogram bucket, total, max), as installed by the probe
and the same for a method called on an instance. Standard library only.
"""
import argparse
import functools
import os
import platform
import sys
import timeit
from time import perf_counter_ns

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bootstrap'))
from tanzhen_probe import recorder  # noqa: E402


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


def probed(func, name):
    return recorder.wrap(func, recorder.Record('bench:' + name, name, __file__, 1))


class C(object):
    def m(self, n):
        return n


def build():
    variants = {
        'bare': f,
        'decorator': decorator(f),
        'timing': timing(f),
        'tanzhen': probed(f, 'f'),
    }
    classes = {}
    for label, wrap in (('bare', None), ('decorator', decorator), ('timing', timing), ('tanzhen', lambda fn: probed(fn, 'C.m'))):
        cls = type('C_' + label, (C,), {})
        if wrap is not None:
            cls.m = wrap(C.m)
        classes[label] = cls()
    return variants, classes


def measure(variants, number, rounds):
    """Best time per call (ns) of each variant, rounds interleaved so that noise hits all alike."""
    best = {}
    empty = min(timeit.repeat('pass', number=number, repeat=rounds)) / number * 1e9
    for _ in range(rounds):
        for key, (stmt, namespace) in variants.items():
            t = timeit.timeit(stmt, globals=namespace, number=number) / number * 1e9 - empty
            best[key] = min(best.get(key, t), t)
    return best


LABELS = ('bare', 'decorator', 'timing', 'tanzhen')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--number', type=int, default=200000, help='calls per round (default 200000)')
    parser.add_argument('--rounds', type=int, default=25, help='rounds, best kept (default 25)')
    args = parser.parse_args()
    functions, instances = build()
    variants = {}
    for label in LABELS:
        variants[(label, 'function')] = ('g(1)', {'g': functions[label]})
        variants[(label, 'method')] = ('o.m(1)', {'o': instances[label]})
    best = measure(variants, args.number, args.rounds)
    print('Python %s (%s) on %s' % (platform.python_version(), sys.executable, platform.machine()))
    print('%-10s %12s %12s' % ('ns/call', 'function', 'method'))
    for label in LABELS:
        print('%-10s %12.0f %12.0f' % (label, best[(label, 'function')], best[(label, 'method')]))
    for kind in ('function', 'method'):
        t = best[('tanzhen', kind)]
        print('tanzhen overhead (%s): +%.0f ns over a bare call, +%.0f ns over a plain decorator'
              % (kind, t - best[('bare', kind)], t - best[('decorator', kind)]))


if __name__ == '__main__':
    main()
