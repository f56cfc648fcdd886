"""All-or-nothing file writes: a reader never sees half a file, a failure leaves none.

Atomic replacement (a temporary file in the same folder, renamed over the target) is for
regular files. A symbolic link is written through: its final target is replaced and the
link stays. Special files are written into directly, because replacing them would break
them: a device (``/dev/null``, ``/dev/full``), a named pipe, and anything named through
``/dev`` or ``/proc``, such as ``/dev/stdout`` (a link to whatever stdout is: a pipe, a
terminal, or a file the shell opened, which must not be replaced behind its back).

All of that is for a path the user named. A name the program chose inside a folder the
user named (``export --out DIR`` writes ``DIR/summary.json``) is written with
``own_name=True``: whatever is there under that name, a link, a pipe or a device node,
is replaced by the new file, never written through, since the user pointed at the
folder and not at what someone left in it.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NamedTuple, TextIO

#: Folders whose entries are kernel objects, never files to replace.
_SPECIAL_ROOTS = ("/dev/", "/proc/", "/sys/")
_OWN_FD = re.compile(r"/proc/(?P<pid>[0-9]+)(?:/task/[0-9]+)?/fd/(?P<fd>[0-9]+)")
_MAX_LINKS = 40  # as the kernel's own limit on links followed in one lookup


def _default_mode() -> int:
    """What ``open()`` would give a new file: 0o666 minus the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


class _Plan(NamedTuple):
    direct: bool  # write into the file in place (else: temporary file + rename)
    target: Path  # the file to write or to replace (links followed, if replaced)
    st: os.stat_result | None  # its stat, if it exists
    fd: int | None  # our own open descriptor the path names (/dev/stdout: 1)


def _special_name(path: Path) -> tuple[bool, int | None]:
    """Whether ``path`` or a link on the way to its target lies in /dev, /proc or /sys,
    and which of our own descriptors it names, if any.

    Those names stand for kernel objects: ``/dev/stdout`` leads through
    ``/proc/self/fd/1`` to stdout, which may look like a regular file (``> out.txt``)
    but is the process's own open file, to be written into and never replaced.
    """
    special = False
    current = path.absolute()
    for _ in range(_MAX_LINKS):
        current = Path(os.path.realpath(current.parent)) / current.name
        own = _OWN_FD.fullmatch(str(current))
        if own and int(own["pid"]) == os.getpid():
            return True, int(own["fd"])
        special = special or str(current).startswith(_SPECIAL_ROOTS)
        if not current.is_symlink():
            break
        current = current.parent / current.readlink()
    return special, None  # (after too many links, the stat or open reports the loop)


def _plan(path: Path, own_name: bool = False) -> _Plan:
    if own_name:
        return _own_plan(path)
    try:
        st: os.stat_result | None = path.stat()  # follows links, as open() would
    except FileNotFoundError:
        st = None
    special, fd = _special_name(path)
    if special or (st is not None and not stat.S_ISREG(st.st_mode)):
        if st is None:  # never create regular files among the kernel's objects
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        return _Plan(True, path, st, fd)
    return _Plan(False, Path(os.path.realpath(path)), st, None)


def _own_plan(path: Path) -> _Plan:
    """Replace the entry ``path`` names, whatever it is (only a folder is refused); its
    folder is the one the user named, links and all."""
    try:
        st: os.stat_result | None = path.lstat()  # the entry itself, not a link's target
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if st is not None and not stat.S_ISREG(st.st_mode):
        st = None  # a link, pipe or device: the new file gets a new file's permissions
    return _Plan(False, Path(os.path.realpath(path.parent)) / path.name, st, None)


def unwritable_reason(path: Path | str) -> str | None:
    """Why ``open_atomic(path)`` would fail before writing a byte, or None if it should not.

    Called before a long run so that a bad target is reported at once instead of when the
    run is over. It creates and removes a probe file where the temporary file would go,
    since permissions alone do not tell (root, read-only mounts, /proc).
    """
    path = Path(path)
    try:
        direct, target, st, _ = _plan(path)
    except IsADirectoryError:
        return "is a folder, expected a file name"
    except FileNotFoundError:  # a new name in /dev or /proc
        return f"cannot create files in folder {path.parent} (it holds the system's own files)"
    except OSError as exc:
        return _reason(exc, path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        return "is a folder, expected a file name"
    if direct:
        return None if os.access(target, os.W_OK) else "is not writable"
    folder = target.parent
    if not folder.exists():
        return f"folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK):
        return f"folder {folder} is not writable"
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        return f"cannot create files in folder {folder} ({exc.strerror or exc})"
    os.close(fd)
    Path(probe).unlink()
    return None


def _reason(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ELOOP:
        return "is a symbolic link loop"
    if exc.errno == errno.ENOTDIR:
        return f"{_first_file_parent(path)} is not a folder"
    return exc.strerror or str(exc)


def _first_file_parent(path: Path) -> Path:
    """The ancestor of ``path`` that is a file where a folder was expected."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return path.parent


@contextmanager
def open_atomic(path: Path | str, *, own_name: bool = False) -> Iterator[TextIO]:
    """A UTF-8 text file to write ``path`` with, all or nothing, as the block runs.

    For a regular file the text streams into a temporary file in the target's folder,
    renamed over the target when the block ends; on any failure (KeyboardInterrupt too)
    the temporary file is removed and the target is untouched. The result has the
    target's permissions, or those ``open()`` would give a new file, not the private
    0600 of a temporary file. Special files are written directly (see the module
    docstring); a failed write there, such as ENOSPC from /dev/full, raises OSError too.
    ``own_name``: the name is the program's own choice in the user's folder, so what is
    there under it is replaced, never written through (see the module docstring).
    Text is written as given (no newline translation); ``fh.buffer`` takes bytes.

    When the block fails, the failure is what propagates: closing the file then may fail
    too (a full disk refuses what is still buffered), and that second error is dropped,
    as the text it could not write is discarded anyway.
    """
    direct, target, st, fd = _plan(Path(path), own_name)
    if direct:
        yield from _write_directly(target, st, fd)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with _closing(os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).chmod(stat.S_IMODE(st.st_mode) if st is not None else _default_mode())
        if st is not None and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
            with suppress(PermissionError):  # keep the owner, as writing in place would
                os.chown(tmp, st.st_uid, st.st_gid)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _closing(fh: TextIO) -> Iterator[TextIO]:
    """Close ``fh`` when the block ends; if the block failed, a failure to close (the
    flush of what is still buffered, on a full disk) does not replace its error."""
    try:
        yield fh
    except BaseException:
        with suppress(OSError):
            fh.close()
        raise
    fh.close()


def _write_directly(path: Path, st: os.stat_result | None, own: int | None) -> Iterator[TextIO]:
    """Write into a device, pipe or open file in place.

    A name for one of our own descriptors (``/dev/stdout``) is written through that
    descriptor, sharing its position: opened anew, a file that stdout was redirected to
    (``> out.txt``) would be written from its start and then overwritten by stdout.
    Another regular file reached this way is appended to.
    """
    if own is not None:
        fd = os.dup(own)
    else:
        flags = os.O_WRONLY | os.O_NOCTTY
        if st is not None and stat.S_ISREG(st.st_mode):
            flags |= os.O_APPEND
        fd = os.open(path, flags)
    with _closing(os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
        yield fh
        fh.flush()  # a full device says so here (ENOSPC), not silently at close


def write_atomic(path: Path | str, data: str | bytes, *, own_name: bool = False) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` all or nothing; see ``open_atomic``."""
    with open_atomic(path, own_name=own_name) as fh:
        if isinstance(data, bytes):
            fh.buffer.write(data)
        else:
            fh.write(data)
