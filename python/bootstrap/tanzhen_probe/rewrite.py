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
# harmless. Not on 3.8, whose interpreter lets the next 50 frames through after
# one and then aborts the process, so 3.8 lets the error through (the deepest
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
        source = loader.get_source(name)
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
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        doc, body = [first], body[1:]
    if kind in ('gen', 'agen'):
        body = [_Yields().visit(stmt) for stmt in body]
    values = dict(_HOOKS[kind], fi=fi)
    statements = ast.parse(_TEMPLATE % values).body
    _place(statements, fn)
    statements[-1].body = body or [ast.copy_location(ast.Pass(), fn)]
    fn.body = doc + statements


class _Yields(ast.NodeTransformer):
    """`yield v` -> `__tanzhen_resume__(tok, (yield __tanzhen_suspend__(tok, v)))`, in this scope only."""

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = visit_FunctionDef

    def visit_Yield(self, node):
        self.generic_visit(node)
        value = node.value if node.value is not None else ast.Constant(value=None)
        token = ast.Name(id='__tz_t__', ctx=ast.Load())
        suspend = ast.Call(func=ast.Name(id='__tanzhen_suspend__', ctx=ast.Load()), args=[token, value], keywords=[])
        inner = ast.Yield(value=suspend)
        outer = ast.Call(func=ast.Name(id='__tanzhen_resume__', ctx=ast.Load()), args=[ast.Name(id='__tz_t__', ctx=ast.Load()), inner], keywords=[])
        for n in (token, suspend, suspend.func, inner, outer, outer.func, outer.args[0]) + ((value,) if node.value is None else ()):
            ast.copy_location(n, node)
        return outer


def make_empty(enter, leave, fail):
    """An empty function rewritten exactly like a target, bound to the given hooks (calibration)."""
    tree = ast.parse('def empty():\n    pass\n')
    _rewrite(tree.body[0], 0, 'sync')
    ast.fix_missing_locations(tree)
    namespace = {'__tanzhen_enter__': enter, '__tanzhen_leave__': leave, '__tanzhen_fail__': fail}
    exec(compile(tree, '<tanzhen calibration>', 'exec', dont_inherit=True), namespace)
    return namespace['empty']
