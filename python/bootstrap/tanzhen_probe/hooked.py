"""Timing wrappers that record through the hooks of rewritten functions (Python 3.8/3.9).

recorder.py's wrappers update their figures in place, which only 3.10+ keeps
whole when threads switch (see hooks.py). On 3.8/3.9 a wrapper calls the same
hooks a rewritten function calls, looked up in builtins like theirs (so the
--calls variant applies too), and its updates are serialized with theirs. Its
figures are the function's hooks.STATE entry.
"""


def wrap(kind, func, fi):
    """A wrapper of func ('sync', 'async' or 'gen') that times it as function index fi."""
    if kind == 'async':
        return _coroutine(func, fi)
    if kind == 'gen':
        return _generator(func, fi)
    return _sync(func, fi)


def _sync(func, fi):
    def wrapper(*args, **kwargs):
        tok = __tanzhen_enter__(fi)  # noqa: F821 (builtins: hooks.install)
        try:
            return func(*args, **kwargs)
        except BaseException:
            __tanzhen_fail__(fi, tok)  # noqa: F821
            raise
        finally:
            __tanzhen_leave__(fi, tok)  # noqa: F821

    return wrapper


def _coroutine(func, fi):
    async def wrapper(*args, **kwargs):
        # Timed from the first step of the coroutine until its result, as a rewritten one.
        tok = __tanzhen_aenter__(fi)  # noqa: F821
        try:
            return await func(*args, **kwargs)
        except BaseException:
            __tanzhen_sfail__(fi, tok)  # noqa: F821
            raise
        finally:
            __tanzhen_sleave__(fi, tok)  # noqa: F821

    return wrapper


def _generator(func, fi):
    def wrapper(*args, **kwargs):
        # Driven by hand (PEP 380's expansion of `yield from`), suspended at each
        # of its yields exactly as a rewritten generator is: the consumer's calls
        # made between items do not nest under it.
        gen = func(*args, **kwargs)
        tok = __tanzhen_genter__(fi)  # noqa: F821
        try:
            # The item lives in `box` only until it is yielded: no local keeps it alive.
            box = [gen.send(None)]
            while True:
                thrown = sent = None
                __tanzhen_suspend__(tok, None)  # noqa: F821
                try:
                    sent = yield box.pop()
                except BaseException as error:
                    thrown = error
                __tanzhen_resume__(tok, None)  # noqa: F821
                try:
                    if thrown is None:
                        box.append(gen.send(sent))
                    elif isinstance(thrown, GeneratorExit):
                        gen.close()
                        raise thrown
                    else:
                        box.append(gen.throw(thrown))
                finally:
                    thrown = sent = None
        except StopIteration as stop:
            return stop.value
        except GeneratorExit:
            raise
        except BaseException:
            __tanzhen_sfail__(fi, tok)  # noqa: F821
            raise
        finally:
            __tanzhen_sleave__(fi, tok)  # noqa: F821

    return wrapper
