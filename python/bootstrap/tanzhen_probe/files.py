"""Writing into the run directory safely (src/common/files.ts does the same in Node).

The directory may sit in a shared place (/tmp): files are created exclusively
(O_EXCL|O_NOFOLLOW) under unpredictable temporary names and renamed into
place, appends go only into a regular file of ours with a single link, reached
without following a symlink, and directories must be ours and writable by no
one else. Every os function is bound at import: a program probing os
functions must not see our own calls in its figures.
"""
import os
import stat

_write = os.write
_open = os.open
_close = os.close
_fstat = os.fstat
_lstat = os.lstat
_mkdir = os.mkdir
_read = os.read
_urandom = os.urandom
_geteuid = getattr(os, 'geteuid', None)
_SEP = os.sep
_S_ISDIR = stat.S_ISDIR
_S_ISREG = stat.S_ISREG
_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)
_NONBLOCK = getattr(os, 'O_NONBLOCK', 0)
_CLOEXEC = getattr(os, 'O_CLOEXEC', 0)
EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
_APPEND = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _CLOEXEC
_READ = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC


def write_all(fd, data):
    """os.write may write less than asked."""
    view = memoryview(data)
    while view:
        view = view[_write(fd, view):]


def temp_name(name):
    """An unpredictable name for a file to be renamed to `name` (the launcher removes these by pattern)."""
    return '.%s.%s.tmp' % (name, _urandom(8).hex())


def _mkdirs(path):
    try:
        _mkdir(path, 0o700)
    except FileExistsError:
        pass
    except FileNotFoundError:
        parent = path.rstrip(_SEP).rpartition(_SEP)[0]
        if not parent or parent == path:
            raise
        _mkdirs(parent)
        _mkdir(path, 0o700)


def ensure_private_dir(path):
    """Makes `path` (0700) if missing; then it must be a directory of ours that no one else can write to."""
    _mkdirs(path)
    st = _lstat(path)
    if not _S_ISDIR(st.st_mode):
        raise OSError('%s is not a directory' % path)
    if _geteuid is not None and st.st_uid != _geteuid():
        raise OSError('%s is owned by another user (uid %d)' % (path, st.st_uid))
    if st.st_mode & 0o022:
        raise OSError('%s is writable by other users' % path)


def append_private(path, data):
    """Appends to `path` (created 0600): never through a symlink, into a FIFO, or into someone else's or a hard-linked file."""
    fd = _open(path, _APPEND, 0o600)
    try:
        st = _fstat(fd)
        if not _S_ISREG(st.st_mode) or st.st_nlink != 1 or (_geteuid is not None and st.st_uid != _geteuid()):
            raise OSError('%s is not a file tanzhen created' % path)
        write_all(fd, data)
    finally:
        _close(fd)


def read_private(path):
    """A regular file's bytes, without following a final symlink or blocking on a FIFO."""
    fd = _open(path, _READ)
    try:
        if not _S_ISREG(_fstat(fd).st_mode):
            raise OSError('%s is not a regular file' % path)
        chunks = []
        while True:
            chunk = _read(fd, 1 << 16)
            if not chunk:
                return b''.join(chunks)
            chunks.append(chunk)
    finally:
        _close(fd)
