"""The import hook: a sys.meta_path finder (find_spec) for the target modules.

For a target module it asks the finders behind it for the real spec, swaps the
spec's loader for a thin proxy, and lets the import system go on as usual. The
proxy delegates create_module and exec_module, instruments the module right
after exec_module (before any importer sees it), then puts the real loader
back on the module and its spec. Every other loader attribute (get_code,
get_resource_reader, is_package, archive...) is forwarded, so
importlib.resources and friends work while the module runs its body too.
Modules that are not targets cost one set lookup.
"""
import sys


class TanzhenFinder(object):
    _tanzhen_finder = True

    def __init__(self, modules, on_loaded, rewrite=None):
        self._modules = modules  # dotted name -> [Target]
        self._on_loaded = on_loaded
        self._rewrite = rewrite  # (loader, module, targets) -> (code or None, specs it times)

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self._modules:
            return None
        spec = _find_elsewhere(self, fullname, path, target)
        if spec is None:
            return None
        loader = spec.loader
        if loader is None or isinstance(loader, (_LoaderProxy, _LegacyLoaderProxy)):
            return None  # let the import system find it again, untouched
        if hasattr(loader, 'exec_module'):
            spec.loader = _LoaderProxy(loader, fullname, self._on_loaded, self._rewrite, self._modules[fullname])
        elif hasattr(loader, 'load_module'):
            spec.loader = _LegacyLoaderProxy(loader, fullname, self._on_loaded)  # zipimporter before 3.10
        else:
            return None
        return spec

    def invalidate_caches(self):
        pass

    def __repr__(self):
        return '<tanzhen import hook>'


def _find_elsewhere(me, fullname, path, target):
    """The spec the rest of sys.meta_path would give (what the import system does without us)."""
    for finder in list(sys.meta_path):
        if finder is me or getattr(finder, '_tanzhen_finder', False) is True:
            continue
        find_spec = getattr(finder, 'find_spec', None)
        if find_spec is not None:
            spec = find_spec(fullname, path, target)
        else:
            find_module = getattr(finder, 'find_module', None)  # legacy finders, Python < 3.12
            if find_module is None:
                continue
            loader = find_module(fullname, path)
            if loader is None:
                continue
            from importlib.util import spec_from_loader

            spec = spec_from_loader(fullname, loader)
        if spec is not None:
            return spec
    return None



def _unproxy(module, proxy, loader):
    """The module keeps the real loader, not our proxy, as __loader__ and __spec__.loader."""
    try:
        ns = module.__dict__
        if ns.get('__loader__') is proxy:
            ns['__loader__'] = loader
        spec = ns.get('__spec__')
        if spec is not None and spec.loader is proxy:
            spec.loader = loader
    except Exception:
        pass


class _LoaderProxy(object):
    def __init__(self, loader, name, on_loaded, rewrite=None, targets=()):
        self.__dict__['_tanzhen_loader'] = loader
        self.__dict__['_tanzhen_name'] = name
        self.__dict__['_tanzhen_on_loaded'] = on_loaded
        self.__dict__['_tanzhen_rewrite'] = rewrite
        self.__dict__['_tanzhen_targets'] = targets

    def create_module(self, spec):
        create = getattr(self._tanzhen_loader, 'create_module', None)
        return create(spec) if create is not None else None

    def exec_module(self, module):
        loader = self._tanzhen_loader
        code, timed = None, ()
        if self._tanzhen_rewrite is not None:
            code, timed = self._tanzhen_rewrite(loader, module, self._tanzhen_targets)
        if code is None:
            loader.exec_module(module)
        else:  # what the source loader does with its own code object
            exec(code, module.__dict__)
        _unproxy(module, self, loader)
        self._tanzhen_on_loaded(module, self._tanzhen_name, timed)

    def __getattr__(self, name):
        return getattr(self.__dict__['_tanzhen_loader'], name)

    def __setattr__(self, name, value):
        setattr(self._tanzhen_loader, name, value)

    def __repr__(self):
        return repr(self._tanzhen_loader)


class _LegacyLoaderProxy(object):
    """The same for a loader with load_module() only (no exec_module to delegate)."""

    def __init__(self, loader, name, on_loaded):
        self.__dict__['_tanzhen_loader'] = loader
        self.__dict__['_tanzhen_name'] = name
        self.__dict__['_tanzhen_on_loaded'] = on_loaded

    def load_module(self, fullname):
        loader = self._tanzhen_loader
        module = loader.load_module(fullname)
        _unproxy(module, self, loader)
        self._tanzhen_on_loaded(module, self._tanzhen_name)
        return module

    def __getattr__(self, name):
        return getattr(self.__dict__['_tanzhen_loader'], name)

    def __setattr__(self, name, value):
        setattr(self._tanzhen_loader, name, value)

    def __repr__(self):
        return repr(self._tanzhen_loader)
