"""Atomic writes of a name the program chose (``own_name``): what is planted under it is
replaced, never written through; and a failing block's error is the one that surfaces,
even when closing the file fails too."""

from __future__ import annotations

import errno
import os
import stat
import threading

import pytest

from tests.files import names
from visualizer.atomic import open_atomic, write_atomic


def test_a_planted_link_is_replaced_and_its_target_untouched(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("precious\n")
    precious.chmod(0o600)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").symlink_to("../precious.txt")
    old = os.umask(0o022)
    try:
        write_atomic(out / "summary.json", "{}\n", own_name=True)
    finally:
        os.umask(old)
    assert precious.read_text() == "precious\n"
    link = out / "summary.json"
    assert stat.S_ISREG(link.lstat().st_mode) and link.read_text() == "{}\n"
    assert stat.S_IMODE(link.stat().st_mode) == 0o644  # a new file's, not the target's
    assert names(out) == ["summary.json"]


def test_a_named_link_is_still_written_through(tmp_path):
    """Without ``own_name`` nothing changes: a link the user named is followed."""
    (tmp_path / "real.json").write_text("old")
    (tmp_path / "link.json").symlink_to("real.json")
    write_atomic(tmp_path / "link.json", "new")
    assert (tmp_path / "link.json").is_symlink()
    assert (tmp_path / "real.json").read_text() == "new"


def test_a_planted_pipe_is_replaced_not_written_into(tmp_path):
    """Written into, a named pipe without a reader would block for ever."""
    fifo = tmp_path / "metrics.csv"
    os.mkfifo(fifo)
    done = threading.Event()

    def unblock() -> None:
        """Should the write wait for a reader (the bug), be one, so the test fails
        instead of hanging."""
        if not done.wait(5.0):
            with fifo.open("rb") as fh:
                fh.read()

    watcher = threading.Thread(target=unblock, daemon=True)
    watcher.start()
    try:
        write_atomic(fifo, "t_s\n", own_name=True)
    finally:
        done.set()
        watcher.join()
    assert stat.S_ISREG(fifo.lstat().st_mode) and fifo.read_text() == "t_s\n"


def test_a_regular_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "plots.png"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new", own_name=True)
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_folder_under_the_name_is_refused(tmp_path):
    (tmp_path / "canvas.svg").mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path / "canvas.svg", "<svg/>", own_name=True)
    assert names(tmp_path) == ["canvas.svg"]


def test_a_failing_block_is_not_replaced_by_the_close_on_a_full_device(tmp_path, full_device):
    """The block fails with text still buffered for a full device; closing then fails
    with ENOSPC, and that must not hide the block's own error."""
    node = full_device

    class MineError(Exception):
        pass

    with pytest.raises(MineError), open_atomic(node) as fh:
        fh.write("x" * 100)  # buffered: nothing reached the device yet
        raise MineError
    with pytest.raises(OSError) as caught, open_atomic(node) as fh:  # and alone, it shows
        fh.write("x" * 100)
    assert caught.value.errno == errno.ENOSPC
