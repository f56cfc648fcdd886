"""Outputs under pressure: a disk that fills up while the CSV streams, SIGTERM and SIGHUP
mid-run, and an ``export --out`` folder with links planted under its file names."""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from visualizer.cli import commands as cli


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- a full disk ------------------------------------------------------------------------


class _FillingDisk(io.FileIO):
    """A file on a disk with ``room`` bytes left: writes beyond it fail as the kernel's
    do, short first, then ENOSPC (also for the flush when the file is closed)."""

    def __init__(self, fd: int, room: int) -> None:
        super().__init__(fd, "w")
        self.room = room

    def write(self, data) -> int:  # type: ignore[override]
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = super().write(memoryview(data)[: self.room])
        self.room -= written
        return written


@pytest.fixture
def disk_fills_up(monkeypatch, tmp_path):
    """Temporary files made in ``tmp_path`` (the atomic writes' own) get 8 KB, then the
    disk is full: at the lowest level, the raw writes under Python's buffers."""
    real_mkstemp, real_fdopen = tempfile.mkstemp, os.fdopen
    ours: set[int] = set()

    def mkstemp(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        if Path(name).parent == tmp_path:
            ours.add(fd)
        return fd, name

    def fdopen(fd, mode="r", *args, encoding=None, newline=None, **kwargs):
        if fd not in ours:
            return real_fdopen(fd, mode, *args, encoding=encoding, newline=newline, **kwargs)
        ours.discard(fd)
        raw = io.BufferedWriter(_FillingDisk(fd, 8_192))
        return io.TextIOWrapper(raw, encoding=encoding, newline=newline)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "fdopen", fdopen)
    return tmp_path


@pytest.mark.parametrize(("option", "name"), [("--csv", "c.csv"), ("--trace", "t.jsonl")])
def test_a_disk_filling_up_mid_run_is_exit_2_and_keeps_the_old_file(
    capsys, disk_fills_up, option, name
):
    """The write that finds the disk full says so (exit 2); closing the temporary file
    then fails again on what it still buffers, and that must not replace the message
    with an unexpected failure (exit 1)."""
    target = disk_fills_up / name
    target.write_text("old\n")
    code, out, err = run_cli(
        capsys, "run", "sticky-crash", "--duration", "300", option, str(target)
    )
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"{option} {target}" in err and "no space left on device" in err.lower()
    assert out == ""  # no table that looks like success
    assert target.read_text() == "old\n"
    assert [p.name for p in disk_fills_up.iterdir()] == [name]  # no temporary file left


# --- SIGTERM and SIGHUP -------------------------------------------------------------------


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=str)
def test_a_stop_signal_mid_run_leaves_no_temporary_file(tmp_path, signum):
    """``kill`` (SIGTERM) and closing the terminal (SIGHUP) clean up as Ctrl+C does
    (test_outputs.py): the streaming files' temporaries go, the old file stays, exit
    128 + the signal."""
    csv_path, trace_path = tmp_path / "c.csv", tmp_path / "t.jsonl"
    csv_path.write_text("old\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("VISUALIZER_DEBUG", None)
    run = ["run", "sticky-crash", "--duration", "86400"]
    outputs = ["--csv", str(csv_path), "--trace", str(trace_path)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "visualizer", *run, *outputs],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_temps(tmp_path)) < 2:  # both outputs are streaming
            assert time.monotonic() < deadline, "the run never opened its outputs"
            with pytest.raises(subprocess.TimeoutExpired):  # still running: wait a bit
                proc.wait(timeout=0.05)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 128 + signum, err
    assert err.decode().strip() == f"visualizer: stopped by {signum.name}"
    assert out == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]
    assert csv_path.read_text() == "old\n"


def test_an_ignored_hangup_stays_ignored(monkeypatch):
    """Under ``nohup`` SIGHUP is ignored when we start: it must stay so (the run goes on
    after the terminal closes), and the handlers are put back when the command ends."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        seen = {}

        def scenarios(out) -> int:
            seen["hup"] = signal.getsignal(signal.SIGHUP)
            seen["term"] = signal.getsignal(signal.SIGTERM)
            return 0

        monkeypatch.setattr(cli, "_cmd_scenarios", scenarios)
        assert cli.main(["scenarios"]) == 0
        assert seen["hup"] == signal.SIG_IGN
        assert callable(seen["term"])  # ours while the command ran
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


# --- export --out: links planted under its file names -------------------------------------


def test_export_replaces_what_is_planted_under_its_names_and_follows_nothing(
    tmp_path, capsys, qapp
):
    """The user named the folder, not the links in it: a link under one of the bundle's
    names is replaced by the file, its target is untouched (and a dangling one creates
    nothing); a named pipe there is replaced too, not written into (or the export would
    wait for a reader forever)."""
    out = tmp_path / "out"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("precious\n")
    (out / "summary.json").symlink_to("../precious.txt")
    (out / "window.png").symlink_to("../made-by-export.png")  # dangling
    (tmp_path / "elsewhere").mkdir()
    (out / "canvas.svg").symlink_to("../elsewhere")  # a link to a folder
    os.mkfifo(out / "metrics.csv")
    code, _, err = run_cli(capsys, "export", "sticky-crash", "--at", "1", "--out", str(out))
    assert code == 0, err
    assert precious.read_text() == "precious\n"
    assert not (tmp_path / "made-by-export.png").exists()
    assert list((tmp_path / "elsewhere").iterdir()) == []
    for name in ("summary.json", "window.png", "canvas.svg", "metrics.csv"):
        assert stat.S_ISREG((out / name).lstat().st_mode), name
    assert '"scenario": "sticky-crash"' in (out / "summary.json").read_text()
    assert (out / "metrics.csv").read_text().startswith("t_s,")
    assert not _temps(out)
