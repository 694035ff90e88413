"""What this process learned about its targets, for its report."""
import sys

matched = []  # target specs that matched at least one function here (ordered, unique)
candidates = {}  # spec -> names that exist where the target matched nothing
warnings = []  # messages already printed once on stderr


def note_matched(spec):
    if spec not in matched:
        matched.append(spec)


def note_candidates(spec, names):
    known = candidates.setdefault(spec, [])
    for name in names:
        if name not in known:
            known.append(name)


def warn(message):
    """One line on stderr, once per distinct message; the program goes on."""
    if message in warnings:
        return
    warnings.append(message)
    try:
        stream = sys.__stderr__ or sys.stderr
        stream.write('tanzhen: warning: %s\n' % message)
        stream.flush()
    except Exception:
        pass  # stderr closed: nothing more we can do without disturbing the program
