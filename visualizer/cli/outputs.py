"""Where the command line's outputs go (``--csv``, ``--trace``, ``--json``): each named
file checked before the run starts, streamed to while it goes, and renamed into place
when it ends (all or nothing); stdout for ``-``. A file that cannot be written is bad
input (``UsageError``, exit 2) naming its option."""

from __future__ import annotations

import csv
import json
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TextIO

from visualizer.atomic import open_atomic, unwritable_reason


class UsageError(Exception):
    """Bad command-line input; the message is shown as one line and the exit code is 2."""


def output_path(text: str, option: str, command: str = "run") -> Path:
    """The file an output option names, checked now rather than when the run is over:
    its folder exists and takes new files, and it is not a folder itself."""
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # ~name of a user this system does not have
        user = text[1:].partition("/")[0]
        raise UsageError(
            f"visualizer {command}: {option} {text}: there is no user {user!r}, "
            f"so ~{user} names no folder"
        ) from None
    reason = unwritable_reason(path)
    if reason is not None:
        raise UsageError(f"visualizer {command}: {option} {text}: {reason}")
    return path


def same_file(a: Path, b: Path) -> bool:
    """Whether two outputs would land in one file, the second overwriting the first.
    A character device (/dev/null, a terminal) can take both."""
    try:
        sa, sb = a.stat(), b.stat()
    except OSError:  # one does not exist yet: compare where they would be created
        return os.path.realpath(a) == os.path.realpath(b)
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino) and not stat.S_ISCHR(sa.st_mode)


def cannot_write(option: str, text: str, exc: OSError, command: str = "run") -> UsageError:
    return UsageError(
        f"visualizer {command}: {option} {text}: cannot write ({exc.strerror or exc})"
    )


@contextmanager
def csv_output(text: str | None, path: Path | None, command: str = "run") -> Iterator[CsvOut]:
    """Where the CSV goes: stdout for ``-``, a file written as the run goes and committed
    when the block ends (all or nothing), or nowhere. A failed write of the CSV is an
    input error naming it; other failures in the block pass through unchanged."""
    opened = (
        open_atomic(path) if path is not None else nullcontext(sys.stdout if text == "-" else None)
    )
    in_block = False
    try:
        with opened as fh:
            in_block = True
            yield CsvOut(fh, text or "", command)
            in_block = False
    except BrokenPipeError:
        raise
    except OSError as exc:
        if in_block:
            raise
        raise cannot_write("--csv", text or "", exc, command) from None


@contextmanager
def trace_output(text: str | None, path: Path | None) -> Iterator[TraceOut | None]:
    """Where the traces go (JSON Lines): stdout for ``-``, a file written as the run goes
    and committed when it ends, or nowhere (None: the engine keeps no traces)."""
    if text is None:
        yield None
        return
    opened = open_atomic(path) if path is not None else nullcontext(sys.stdout)
    in_block = False
    try:
        with opened as fh:
            in_block = True
            yield TraceOut(fh, text)
            in_block = False
    except BrokenPipeError:
        raise
    except OSError as exc:
        if in_block:
            raise
        raise cannot_write("--trace", text, exc) from None


class TraceOut:
    def __init__(self, fh: TextIO, text: str) -> None:
        self._fh = fh
        self._text = text

    def write(self, traces: list[Any]) -> None:
        from visualizer.sim.trace_format import trace_record

        if not traces:
            return
        lines = "".join(json.dumps(trace_record(t)) + "\n" for t in traces)
        try:
            self._fh.write(lines)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise cannot_write("--trace", self._text, exc) from None


class CsvOut:
    """Rows of the per-second CSV, or nothing when no CSV was asked for."""

    def __init__(self, fh: TextIO | None, text: str, command: str = "run") -> None:
        self._writer = csv.writer(fh, lineterminator="\n") if fh is not None else None
        self._text = text
        self._command = command

    def write(self, row: list[Any]) -> None:
        if self._writer is None:
            return
        try:
            self._writer.writerow(row)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise cannot_write("--csv", self._text, exc, self._command) from None
