"""Writing to a file descriptor whole: os.write may write less than asked."""
import os

_write = os.write


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[_write(fd, view):]
