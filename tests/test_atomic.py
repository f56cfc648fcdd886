"""Atomic writes: regular files are replaced whole, links are written through, and
special files (devices, pipes, /dev/stdout) are written into, never replaced."""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import pytest

from tests.files import names
from visualizer.atomic import open_atomic, unwritable_reason, write_atomic


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and link.readlink() == real
    assert real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the target keeps its permissions
    assert names(tmp_path) == ["link.json", "real.json"]


def test_a_relative_link_chain_into_another_folder_writes_the_last_target(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    real = tmp_path / "b" / "real.csv"
    real.write_text("old")
    (tmp_path / "b" / "hop").symlink_to("real.csv")
    link = tmp_path / "a" / "out.csv"
    link.symlink_to("../b/hop")
    write_atomic(link, b"new")
    assert real.read_bytes() == b"new"
    assert link.is_symlink() and (tmp_path / "b" / "hop").is_symlink()
    assert names(tmp_path / "a") == ["out.csv"] and names(tmp_path / "b") == ["hop", "real.csv"]


def test_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    write_atomic(link, "{}")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "{}"


def test_a_new_file_gets_the_permissions_open_would_give(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


def test_a_fifo_is_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    write_atomic(fifo, "through the pipe\n")
    reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got == [b"through the pipe\n"]


def test_a_link_to_a_full_device_reports_the_full_device_and_stays_a_link(tmp_path, full_device):
    link = tmp_path / "link"
    link.symlink_to(full_device)
    with pytest.raises(OSError) as caught:
        write_atomic(link, "x" * 100_000)
    assert caught.value.errno == errno.ENOSPC
    assert link.is_symlink()
    assert names(tmp_path) == ["full", "link"]


def test_a_device_node_is_written_into_not_replaced(tmp_path, full_device):
    """As root a rename can replace a device node; the write must go to the device."""
    node = full_device
    with pytest.raises(OSError) as caught:
        write_atomic(node, b"x")
    assert caught.value.errno == errno.ENOSPC
    assert stat.S_ISCHR(node.lstat().st_mode)


def test_a_link_to_stdout_writes_to_the_stdout_of_the_process(tmp_path, capfd):
    link = tmp_path / "out"
    link.symlink_to("/dev/stdout")
    write_atomic(link, "to stdout\n")
    assert capfd.readouterr().out == "to stdout\n"
    assert link.is_symlink() and names(tmp_path) == ["out"]


def test_open_atomic_streams_into_a_temporary_file_and_renames_at_the_end(tmp_path):
    target = tmp_path / "metrics.csv"
    target.write_text("old\n")
    with open_atomic(target) as fh:
        for k in range(20_000):
            fh.write(f"{k},{k * k}\n")
        fh.flush()
        (temp,) = (p for p in tmp_path.iterdir() if p != target)
        assert temp.stat().st_size > 100_000  # on disk already, not held in memory
        assert target.read_text() == "old\n"  # readers see the old file until the end
    assert names(tmp_path) == ["metrics.csv"]
    assert target.read_text().splitlines()[-1] == "19999,399960001"


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failure_while_streaming_leaves_the_old_file_and_no_temporary(tmp_path, error):
    target = tmp_path / "metrics.csv"
    target.write_text("old\n")
    with pytest.raises(error), open_atomic(target) as fh:
        fh.write("half\n")
        raise error()
    assert names(tmp_path) == ["metrics.csv"] and target.read_text() == "old\n"


def test_a_failing_commit_leaves_no_temporary(tmp_path, monkeypatch):
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(tmp_path / "x.json", "{}")
    assert names(tmp_path) == []


def test_unwritable_reason_names_what_is_wrong(tmp_path):
    (tmp_path / "file").write_text("")
    assert unwritable_reason(tmp_path / "new.json") is None
    assert unwritable_reason(tmp_path / "file") is None
    assert unwritable_reason(tmp_path) == "is a folder, expected a file name"
    assert "does not exist" in str(unwritable_reason(tmp_path / "nope" / "x.json"))
    assert "is not a folder" in str(unwritable_reason(tmp_path / "file" / "x.json"))
    assert "cannot create files" in str(unwritable_reason(Path("/proc/x.csv")))
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert unwritable_reason(loop) == "is a symbolic link loop"
    assert names(tmp_path) == ["file", "loop"]  # checking leaves nothing behind


def test_a_name_for_an_open_descriptor_writes_at_its_position(tmp_path):
    """``--json /dev/stdout > out.txt``: the JSON and what stdout prints after it must
    follow each other, not overwrite each other from the start of the file."""
    out = tmp_path / "out.txt"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        os.write(fd, b"before\n")
        link = tmp_path / "link"
        link.symlink_to(f"/dev/fd/{fd}")
        write_atomic(link, "json\n")
        os.write(fd, b"after\n")
    finally:
        os.close(fd)
    assert out.read_text() == "before\njson\nafter\n"
    assert link.is_symlink()
