"""Definition-site timing: a target module's source, rewritten at import (stdlib ast).

Each target function defined by a `def` at module level or in a class body
(conditional definitions included; `outer.<locals>.inner` is not a target)
gets a try/except/finally around its body that calls the hooks of hooks.py;
its docstring stays first. Nothing else changes: the module is compiled with
its own file name, the inserted statements carry the `def` line, and the
user's statements keep their lines and columns, so tracebacks, coverage and
debuggers see the program's own lines. The function object the module
creates is the program's own (identity, defaults, signature, decorators
applied to it as written), so references captured while the module runs
(route tables, registries, atexit, thread targets) reach timed code, and no
frame of ours stays on the stack while it runs.

A module whose source does not parse is left to its loader (the program
gets its own SyntaxError); one whose rewritten tree does not compile (too
many nested blocks on 3.8, say) is loaded as it was, with one warning, and
falls back to the attribute wrappers of instrument.py.
"""
import ast
import os
import sys

from . import hooks, recorder
from .state import warn

# The hooks are plain Python functions: calling one takes a frame for an instant.
# At the very recursion limit that call fails where the program's own code
# would not, so it is skipped there (the call is then not counted) and the
# program goes on as without the probe: on 3.9+ a caught RecursionError is
# harmless. Not on 3.7 and 3.8, whose interpreter lets the next 50 frames through after
# one and then aborts the process, so they let the error through (the deepest
# recursion that works is one frame shorter probed there).
if sys.version_info >= (3, 9):
    _TEMPLATE = '''
try:
    __tz_t__ = %(enter)s(%(fi)d)
except RecursionError:
    __tz_t__ = None
try:
    pass
except BaseException:
    if __tz_t__ is not None:
        %(fail)s(%(fi)d, __tz_t__)
    raise
finally:
    if __tz_t__ is not None:
        %(leave)s(%(fi)d, __tz_t__)
'''
else:
    _TEMPLATE = '''
__tz_t__ = %(enter)s(%(fi)d)
try:
    pass
except BaseException:
    %(fail)s(%(fi)d, __tz_t__)
    raise
finally:
    %(leave)s(%(fi)d, __tz_t__)
'''
_HOOKS = {
    'sync': dict(enter='__tanzhen_enter__', leave='__tanzhen_leave__', fail='__tanzhen_fail__'),
    'async': dict(enter='__tanzhen_aenter__', leave='__tanzhen_sleave__', fail='__tanzhen_sfail__'),
    'gen': dict(enter='__tanzhen_genter__', leave='__tanzhen_sleave__', fail='__tanzhen_sfail__'),
    'agen': dict(enter='__tanzhen_aenter__', leave='__tanzhen_sleave__', fail='__tanzhen_sfail__'),
}
_BLOCKS = ('body', 'orelse', 'finalbody', 'handlers', 'cases')
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def load(loader, module, targets):
    """(code, specs matched by a rewritten def) for a target module, or (None, ()) to load it as usual."""
    name = module.__name__
    try:
        filename = loader.get_filename(name)
        # Bytes, decoded by the parser itself (coding line included): get_source() would
        # import tokenize, which imports functools, re... possibly the module loading now.
        source = loader.get_data(filename)
    except Exception:
        return None, ()
    if source is None or not isinstance(filename, str) or not filename.endswith('.py'):
        return None, ()
    try:
        tree = ast.parse(source, filename)
    except (SyntaxError, ValueError):
        return None, ()  # the loader will raise the program's own error
    if not os.path.isabs(filename):
        filename = os.path.join(os.getcwd(), filename)
    matched = rewrite_tree(tree, filename, targets)
    if not matched:
        return None, ()
    try:
        return compile(tree, filename, 'exec', dont_inherit=True), matched
    except Exception as error:
        warn('%s: the rewritten module does not compile (%s: %s); probed by wrappers instead' % (name, type(error).__name__, error))
        return None, ()


def rewrite_tree(tree, filename, targets):
    """Rewrites the target defs of a module's tree in place; the specs they match."""
    matched = set()
    for fn, qualname, kind in _defs(tree.body, []):
        found = [t for t in targets if _matches(t.name, qualname)]
        if not found:
            continue
        rec = recorder.add_record(found[0].spec, '.'.join(qualname), filename, _first_line(fn))
        hooks.state_for(rec)
        _rewrite(fn, rec.index, kind)
        matched.update(t.spec for t in found)
    return matched


def _defs(stmts, prefix, depth=0):
    """(def node, qualname parts, kind) of the functions defined directly in these statements or classes."""
    for node in stmts:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, prefix + [node.name], _kind(node)
        elif isinstance(node, ast.ClassDef):
            if depth < 8:
                for found in _defs(node.body, prefix + [node.name], depth + 1):
                    yield found
        elif isinstance(node, ast.stmt) or type(node).__name__ in ('ExceptHandler', 'match_case'):
            for field in _BLOCKS:
                inner = getattr(node, field, None)
                if inner:
                    for found in _defs(inner, prefix, depth):
                        yield found


def _matches(name, qualname):
    if name[-1] == '*':
        scope = name[:-1]
        return len(qualname) > len(scope) and qualname[:len(scope)] == scope
    return name == qualname


def _first_line(fn):
    """co_firstlineno: the first decorator's line, else the def's."""
    return min([fn.lineno] + [d.lineno for d in fn.decorator_list])


def _own_nodes(node):
    """The nodes of a function body that belong to it, not to nested scopes."""
    stack = list(node.body)
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(child, _SCOPES):
            stack.extend(ast.iter_child_nodes(child))


def _kind(fn):
    yields = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _own_nodes(fn) if not isinstance(n, _SCOPES))
    if isinstance(fn, ast.AsyncFunctionDef):
        return 'agen' if yields else 'async'
    return 'gen' if yields else 'sync'


def _place(nodes, where):
    for top in nodes:
        for n in ast.walk(top):
            if 'lineno' in n._attributes:
                n.lineno = where.lineno
                n.col_offset = where.col_offset
                n.end_lineno = where.lineno
                n.end_col_offset = where.col_offset


def _rewrite(fn, fi, kind):
    body = fn.body
    doc = []
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and _is_text(first.value):
        doc, body = [first], body[1:]
    if kind in ('gen', 'agen'):
        body = [_Yields().visit(stmt) for stmt in body]
    values = dict(_HOOKS[kind], fi=fi)
    statements = ast.parse(_TEMPLATE % values).body
    _place(statements, fn)
    statements[-1].body = body or [ast.copy_location(ast.Pass(), fn)]
    fn.body = doc + statements


def _is_text(node):
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return type(node).__name__ == 'Str'  # 3.7 parses string literals as ast.Str


class _Yields(ast.NodeTransformer):
    """`yield v` -> `__tanzhen_resume__(tok, (yield __tanzhen_suspend__(tok, v)))`, in this scope only.

    `yield from it` likewise: the generator counts as suspended for the whole
    delegation (the iterator is made first), so the consumer's code never runs
    with it as the current call; calls made by the iterator nest under the
    consumer, and the delegation is out of the generator's self time.
    """

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = visit_FunctionDef

    def visit_YieldFrom(self, node):
        return self.visit_Yield(node)

    def visit_Yield(self, node):
        self.generic_visit(node)
        value = node.value if node.value is not None else ast.Constant(value=None)
        token = ast.Name(id='__tz_t__', ctx=ast.Load())
        suspend = ast.Call(func=ast.Name(id='__tanzhen_suspend__', ctx=ast.Load()), args=[token, value], keywords=[])
        inner = type(node)(value=suspend)
        outer = ast.Call(func=ast.Name(id='__tanzhen_resume__', ctx=ast.Load()), args=[ast.Name(id='__tz_t__', ctx=ast.Load()), inner], keywords=[])
        for n in (token, suspend, suspend.func, inner, outer, outer.func, outer.args[0]) + ((value,) if node.value is None else ()):
            ast.copy_location(n, node)
        return outer


def is_rewritten(func):
    """True for a function whose code this module rewrote (the wrappers leave it alone)."""
    code = getattr(func, '__code__', None)
    return code is not None and '__tz_t__' in getattr(code, 'co_varnames', ())


def adopt_loaded(module, targets):
    """A target module imported before the probe started (os.path, what site.py loaded):
    its functions get rewritten code objects in place (function.__code__), so they too are
    timed however they are reached. Only where the source file is the one the running
    code was compiled from (same bytecode, same free variables); the specs timed so."""
    filename = getattr(module, '__file__', None)
    if not isinstance(filename, str) or not filename.endswith('.py'):
        return set()
    from types import FunctionType

    with open(filename, 'rb') as f:  # bytes: the parser honours the coding line
        source = f.read()
    # Compiled under the name the running code has ('<frozen posixpath>' on 3.11+): tracebacks stay as they were.
    named = [f.__code__.co_filename for f in _functions(module, FunctionType)]
    compiled_as = named[0] if named else filename
    tree = ast.parse(source, filename)
    plain = _codes(compile(tree, compiled_as, 'exec', dont_inherit=True))
    matched = rewrite_tree(tree, filename, targets)
    if not matched:
        return set()
    fresh = _codes(compile(tree, compiled_as, 'exec', dont_inherit=True))
    timed = set()
    by_def = {}
    for fn, qualname, kind in _defs(ast.parse(source, filename).body, []):
        by_def[(fn.name, _first_line(fn))] = qualname
    seen = set()
    for func in _functions(module, FunctionType):
        code = func.__code__
        key = (code.co_name, code.co_firstlineno)
        old, new = plain.get(key), fresh.get(key)
        if id(func) in seen or old is None or new is None or new is old or '__tz_t__' not in new.co_varnames:
            continue
        seen.add(id(func))
        if old.co_code != code.co_code or old.co_freevars != code.co_freevars or new.co_freevars != code.co_freevars:
            continue  # the file changed since it was imported, or not this function
        func.__code__ = new
        qualname = by_def.get(key)
        timed.update(t.spec for t in targets if qualname and _matches(t.name, qualname))
    return timed


def _codes(code):
    """Every function code object inside a module's code, by (name, first line)."""
    out = {}
    stack = [code]
    while stack:
        c = stack.pop()
        for const in c.co_consts:
            if hasattr(const, 'co_code'):
                out.setdefault((const.co_name, const.co_firstlineno), const)
                stack.append(const)
    return out


def _functions(module, function_type):
    """The functions a module's namespace and its classes hold (staticmethod/classmethod unwrapped)."""
    name = module.__name__
    for value in list(vars(module).values()):
        if isinstance(value, function_type) and value.__module__ == name:
            yield value
        elif isinstance(value, type) and value.__module__ == name:
            for item in list(vars(value).values()):
                item = getattr(item, '__func__', item)
                if isinstance(item, function_type):
                    yield item


def make_empty(enter, leave, fail):
    """An empty function rewritten exactly like a target, bound to the given hooks (calibration)."""
    tree = ast.parse('def empty():\n    pass\n')
    _rewrite(tree.body[0], 0, 'sync')
    ast.fix_missing_locations(tree)
    namespace = {'__tanzhen_enter__': enter, '__tanzhen_leave__': leave, '__tanzhen_fail__': fail}
    exec(compile(tree, '<tanzhen calibration>', 'exec', dont_inherit=True), namespace)
    return namespace['empty']
