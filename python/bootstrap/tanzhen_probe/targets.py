"""The target grammar `<module>:<name>`, read back from TANZHEN_TRACE.

Same grammar as the Node agent, split at the last ':'. Targets that can only
mean a Node module (paths, `node:` specifiers, npm package paths) are ignored
here without a word: the Node side reports on them. A bare name that is also
a Node built-in (`os`, `http`, `zlib`) is a Python module here as well: a
`os:getcwd` target times os.getcwd in Python and is simply unmatched in Node.
"""

class Target(object):
    __slots__ = ('spec', 'module', 'name')

    def __init__(self, spec, module, name):
        self.spec = spec  # as the user wrote it: the key results are reported under
        self.module = module  # dotted module name
        self.name = name  # ['sleep'], ['Client', 'query'], ['*'], ['Client', '*']

    def __repr__(self):
        return 'Target(%r)' % self.spec


def split_trace_list(value):
    """Entries separated by ';' or newlines."""
    return [s.strip() for s in value.replace('\n', ';').split(';') if s.strip()]


def parse_target(raw):
    """A Target, or None for a target that is not for Python (or not valid)."""
    spec = raw.strip()
    colon = spec.rfind(':')
    if colon <= 0 or colon == len(spec) - 1:
        return None
    module, name = spec[:colon], spec[colon + 1:]
    if module.startswith(('.', '/', 'node:')):
        return None
    if not all(part.isidentifier() for part in module.split('.')):
        return None  # '@scope/pkg', 'express/lib/router', 'fs/promises'...
    parts = name.split('.')
    for i, part in enumerate(parts):
        if part == '*' and i == len(parts) - 1:
            continue
        if not part.isidentifier():
            return None
    return Target(spec, module, parts)
