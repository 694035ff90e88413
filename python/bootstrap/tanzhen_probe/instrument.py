"""Replaces a module's target functions by timing wrappers, in place.

Module-level functions are swapped in the module's namespace, so calls from
inside the module (through its globals) are timed too; methods are swapped in
their class, as descriptors of the same kind (plain function, staticmethod,
classmethod). Functions that are already our wrappers are left alone, which
makes a second pass (importlib.reload, a module seen twice) harmless.
"""
import os
import sys
from types import BuiltinFunctionType, FunctionType

from . import recorder
from .rewrite import is_rewritten
from .state import note_candidates, note_matched, warn

_MISSING = object()
_getcwd = os.getcwd
_SEP = os.sep


def instrument(module, targets):
    """Applies every target of this module; a failure is one warning, never an exception."""
    for target in targets:
        try:
            _apply(module, target)
        except Exception as error:
            warn('%s: %s: %s; not probed' % (target.spec, type(error).__name__, error))


def _apply(module, target):
    parts = target.name
    container = module
    prefix = []
    for part in parts[:-1]:
        raw = _lookup(container, part)
        if not isinstance(raw, type):
            if raw is not _MISSING:
                warn('%s: %s is not a class (it is %s); not probed' % (target.spec, '.'.join(prefix + [part]), _describe(raw)))
            else:
                note_candidates(target.spec, _names(module, container, prefix))
            return
        container = raw
        prefix.append(part)
    last = parts[-1]
    if last == '*':
        if container is module:
            found = _module_all(module, target)
        else:
            found = _class_all(container, prefix, target, module)
        if found:
            note_matched(target.spec)
        return
    raw = _lookup(container, last)
    if raw is _MISSING:
        note_candidates(target.spec, _names(module, container, prefix))
        return
    qualname = '.'.join(prefix + [last])
    if isinstance(raw, type):
        warn('%s: %s is a class; name its methods (%s.method or %s.*); not probed' % (target.spec, qualname, qualname, qualname))
        return
    if _wrap_attribute(container, last, raw, qualname, target, module, explicit=True):
        note_matched(target.spec)


def _lookup(container, name):
    """The raw attribute: from the module's namespace, or along a class's MRO (descriptors unbound)."""
    if isinstance(container, type):
        for klass in container.__mro__:
            value = klass.__dict__.get(name, _MISSING)
            if value is not _MISSING:
                return value
        return _MISSING
    return container.__dict__.get(name, _MISSING)


def _wrap_attribute(container, key, raw, qualname, target, module, explicit, seen=None):
    """Wraps one attribute; True if it is (now, or already) timed."""
    kind = None
    func = raw
    if isinstance(raw, (staticmethod, classmethod)) and isinstance(container, type):
        kind = type(raw)
        func = raw.__func__
    if recorder.is_wrapper(func) or is_rewritten(func):
        return True  # already timed (a wrapper, or code rewritten where it is defined)
    if not isinstance(func, (FunctionType, BuiltinFunctionType)):
        if explicit:
            warn('%s: %s is not a function (it is %s); not probed' % (target.spec, qualname, _describe(raw)))
        return False
    if seen is not None and id(func) in seen:
        wrapper = seen[id(func)]
    else:
        file, line = _where(func, module)
        rec = recorder.add_record(target.spec, qualname, file, line)
        wrapper = recorder.wrap(func, rec)
        if wrapper is None:
            if explicit:
                warn('%s: %s is an async generator function, which tanzhen does not time yet; not probed' % (target.spec, qualname))
            return False
        if seen is not None:
            seen[id(func)] = wrapper
    try:
        setattr(container, key, kind(wrapper) if kind else wrapper)
    except (TypeError, AttributeError) as error:
        warn('%s: cannot replace %s (%s); not probed' % (target.spec, qualname, error))
        return False
    return True


def _module_all(module, target):
    """`module:*`: every function and class method defined in the module itself."""
    name = module.__name__
    seen = {}
    found = 0
    for key, value in list(module.__dict__.items()):
        if recorder.is_wrapper(value) and getattr(value, '__module__', None) == name:
            found += 1
        elif isinstance(value, FunctionType) and value.__module__ == name:
            found += _wrap_attribute(module, key, value, key, target, module, False, seen)
        elif isinstance(value, BuiltinFunctionType) and value.__self__ is module:
            found += _wrap_attribute(module, key, value, key, target, module, False, seen)
        elif isinstance(value, type) and value.__module__ == name and value.__qualname__ == key:
            found += _class_all(value, [key], target, module)
    return found


def _class_all(klass, prefix, target, module, depth=0):
    """`Class.*`: the methods defined in the class body (not inherited ones), nested classes too."""
    found = 0
    seen = {}
    qualprefix = '.'.join(prefix)
    for key, value in list(klass.__dict__.items()):
        qualname = qualprefix + '.' + key
        if isinstance(value, (FunctionType, staticmethod, classmethod)):
            found += _wrap_attribute(klass, key, value, qualname, target, module, False, seen)
        elif isinstance(value, type) and depth < 8 and value.__qualname__ == klass.__qualname__ + '.' + key:
            found += _class_all(value, prefix + [key], target, module, depth + 1)
    return found


def _where(func, module):
    """File and first line of the function the user wrote (through functools.wraps layers)."""
    inner = func
    for _ in range(64):
        nxt = getattr(inner, '__wrapped__', None) if isinstance(inner, FunctionType) else None
        if nxt is None:
            break
        inner = nxt
    code = getattr(inner, '__code__', None)
    if code is None:
        code = getattr(func, '__code__', None)
    if code is not None:
        file = code.co_filename
        if file.startswith('<'):  # '<frozen posixpath>' (3.11+): the module's file says more
            home = sys.modules.get(getattr(inner, '__module__', None) or '')
            file = getattr(home, '__file__', None) or file
        elif not file.startswith(_SEP):
            file = _getcwd() + _SEP + file
        return file, code.co_firstlineno
    return getattr(module, '__file__', None) or '<built-in module %s>' % module.__name__, None


def _names(module, container, prefix):
    """Names a user might have meant, for "did you mean"."""
    if container is not module:
        names = [k for k, v in container.__dict__.items() if isinstance(v, (FunctionType, staticmethod, classmethod, property))]
        return ['.'.join(prefix + [k]) for k in names]
    name = module.__name__
    defined = []
    for key, value in module.__dict__.items():
        if key.startswith('__'):
            continue
        if isinstance(value, (FunctionType, type)) and getattr(value, '__module__', None) == name:
            defined.append(key)
        elif isinstance(value, BuiltinFunctionType) and value.__self__ is module:
            defined.append(key)
    if not defined:
        defined = [k for k, v in module.__dict__.items() if not k.startswith('_') and callable(v)]
    return defined


def _describe(value):
    return 'a %s' % type(value).__name__
