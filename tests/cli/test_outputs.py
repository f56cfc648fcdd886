"""``visualizer run`` output targets: checked before the run, written through links and
into devices, streamed, refused when they clash, and quiet when the reader goes away."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from visualizer.cli import commands as cli
from visualizer.sim import scenario, simulation


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if a simulation starts: the checks must come before the run."""

    class Refuse:
        def __init__(self, *args, **kwargs):
            raise AssertionError("the run started before the outputs were checked")

    monkeypatch.setattr(simulation, "Simulation", Refuse)


def one_line(err: str) -> str:
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "unexpected failure" not in err
    return err


# --- checked before the run -----------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "path", "expected"),
    [
        ("--csv", "/proc/rrv-metrics.csv", "cannot create files in folder /proc"),
        ("--json", "/proc/self/rrv.json", "cannot create files in folder /proc/"),
        ("--json", "~nosuchuser-rrv/out.json", "there is no user 'nosuchuser-rrv'"),
        ("--csv", "~nosuchuser-rrv/m.csv", "there is no user 'nosuchuser-rrv'"),
    ],
)
def test_an_unwritable_target_is_refused_before_the_run(capsys, no_run, option, path, expected):
    code, out, err = run_cli(capsys, "run", "sticky-crash", option, path)
    assert code == 2 and out == ""
    assert f"{option} {path}" in one_line(err) and expected in err


def test_a_target_under_a_file_is_refused_before_the_run(capsys, no_run, tmp_path):
    (tmp_path / "file").write_text("")
    bad = tmp_path / "file" / "out.csv"
    code, _, err = run_cli(capsys, "run", "sticky-crash", "--csv", str(bad))
    assert code == 2 and str(bad) in one_line(err) and "is not a folder" in err


# --- the same file twice --------------------------------------------------------------


def test_json_and_csv_to_the_same_file_is_refused(capsys, no_run, tmp_path):
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "run", "sticky-crash", "--json", str(out), "--csv", str(out))
    assert code == 2 and "same file" in one_line(err)


def test_json_and_csv_to_the_same_file_through_a_link_is_refused(
    capsys, no_run, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    Path("real.json").write_text("{}")
    Path("link.csv").symlink_to("real.json")
    code, _, err = run_cli(
        capsys, "run", "sticky-crash", "--json", "./real.json", "--csv", "link.csv"
    )
    assert code == 2 and "same file" in one_line(err)
    assert Path("real.json").read_text() == "{}"


def test_json_and_csv_both_to_stdout_is_refused(capsys, no_run):
    code, _, err = run_cli(capsys, "run", "sticky-crash", "--json", "-", "--csv", "-")
    assert code == 2 and "stdout" in one_line(err)


def test_json_and_csv_both_to_dev_null_is_fine(capsys, tmp_path):
    """A device takes both (links, so that a regression replaces links, not /dev/null)."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to("/dev/null")
    b.symlink_to("/dev/null")
    code, out, err = run_cli(
        capsys, "run", "sticky-crash", "--duration", "3", "--json", str(a), "--csv", str(b)
    )
    assert code == 0, err
    assert "sticky-crash" in out
    assert a.is_symlink() and b.is_symlink()


# --- special files and links ------------------------------------------------------------


def test_csv_dash_is_the_csv_alone_on_stdout(capsys):
    code, out, err = run_cli(capsys, "run", "sticky-crash", "--duration", "5", "--csv", "-")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [float(r["t_s"]) for r in rows] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_json_through_a_link_to_dev_stdout_keeps_the_link(capfd, tmp_path):
    link = tmp_path / "stdout.json"
    link.symlink_to("/dev/stdout")
    code = cli.main(["run", "sticky-crash", "--duration", "4", "--json", str(link)])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert link.is_symlink()
    text, _, table = out.partition("\n}\n")
    assert json.loads(text + "\n}")["duration_s"] == 4  # the JSON, then the table
    assert "sticky-crash: Sticky sessions" in table


def test_csv_to_a_link_to_dev_full_exits_2_naming_the_file(capsys, tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("this system has no /dev/full")
    link = tmp_path / "full.csv"
    link.symlink_to("/dev/full")
    code, out, err = run_cli(capsys, "run", "sticky-crash", "--duration", "3", "--csv", str(link))
    assert code == 2 and out == ""
    assert f"--csv {link}" in one_line(err) and "No space left on device" in err
    assert link.is_symlink()


def test_csv_to_a_full_device_node_exits_2_and_keeps_the_device(capsys, tmp_path, full_device):
    node = full_device
    code, _, err = run_cli(capsys, "run", "sticky-crash", "--duration", "3", "--csv", str(node))
    assert code == 2 and "No space left on device" in one_line(err)
    assert stat.S_ISCHR(node.lstat().st_mode)


def test_a_full_disk_when_writing_exits_2_and_leaves_nothing(capsys, tmp_path, monkeypatch):
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    j, c = tmp_path / "out.json", tmp_path / "m.csv"
    code, _, err = run_cli(
        capsys, "run", "sticky-crash", "--duration", "3", "--json", str(j), "--csv", str(c)
    )
    assert code == 2 and "No space left on device" in one_line(err)
    assert str(c) in err or str(j) in err
    assert list(tmp_path.iterdir()) == []


# --- streaming ------------------------------------------------------------------------------


def test_the_csv_is_on_disk_while_the_run_goes(capsys, tmp_path, monkeypatch):
    target = tmp_path / "metrics.csv"
    seen: list[int] = []
    real = cli._run_with_progress

    def halfway(sim, duration: float, traces=None) -> None:
        sim.advance(duration / 2)
        temps = [p for p in tmp_path.iterdir() if p.name != target.name]
        assert not target.exists() and len(temps) == 1
        seen.append(temps[0].stat().st_size)
        real(sim, duration, traces)

    monkeypatch.setattr(cli, "_run_with_progress", halfway)
    code, _, err = run_cli(
        capsys, "run", "sticky-crash", "--duration", "1200", "--csv", str(target)
    )
    assert code == 0, err
    assert seen and seen[0] > 50_000  # hundreds of rows already written out
    assert len(target.read_text().splitlines()) == 1201
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.csv"]


def test_ctrl_c_during_the_run_leaves_no_file(capsys, tmp_path, monkeypatch):
    def interrupted(sim, duration: float, traces=None) -> None:
        sim.advance(duration / 2)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_run_with_progress", interrupted)
    code, _, err = run_cli(
        capsys, "run", "sticky-crash", "--duration", "100", "--csv", str(tmp_path / "m.csv")
    )
    assert code == 130 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []


# --- the reader goes away -----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["scenarios"],
        ["run", "sticky-crash", "--duration", "5"],
        ["run", "sticky-crash", "--duration", "5", "--json", "-"],
        ["run", "sticky-crash", "--duration", "5", "--csv", "-"],
    ],
)
def test_a_closed_pipe_on_stdout_ends_quietly(argv):
    """As ``visualizer run ... | head`` when head has quit: exit 141 and say nothing."""
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    env.pop("VISUALIZER_DEBUG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "visualizer", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # nobody will read: every write to stdout fails with EPIPE
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert err == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["scenarios"],
        ["run", "sticky-crash", "--duration", "3"],
        ["run", "sticky-crash", "--duration", "3", "--csv", "-"],
    ],
)
def test_stdout_on_a_full_disk_is_one_line_and_exit_2(argv):
    if not Path("/dev/full").exists():
        pytest.skip("this system has no /dev/full")
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    env.pop("VISUALIZER_DEBUG", None)
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "visualizer", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
    err = done.stderr.decode()
    assert done.returncode == 2
    assert "No space left on device" in one_line(err)


# --- what a scenario file says is shown, not obeyed -----------------------------------------


EVIL = "Totally\u202e fine\u200b title\u2028"


def test_run_escapes_invisible_and_control_characters_from_the_file(capsys, tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(f'[scenario]\nname = "evil\u202ename"\ntitle = "{EVIL}"\n', encoding="utf-8")
    code, out, err = run_cli(capsys, "run", str(path), "--duration", "2")
    assert code == 0, err
    assert "Totally\\u202e fine\\u200b title\\u2028" in out
    assert "evil\\u202ename" in out
    assert all(ch.isprintable() for line in out.splitlines() for ch in line)


def test_scenarios_escapes_the_titles_it_lists(capsys, tmp_path, monkeypatch):
    (tmp_path / "evil.toml").write_text(f'[scenario]\ntitle = "{EVIL}"\n', encoding="utf-8")
    monkeypatch.setattr(scenario, "preset_dirs", lambda: (tmp_path,))
    code, out, _ = run_cli(capsys, "scenarios")
    assert code == 0
    assert "Totally\\u202e fine\\u200b title\\u2028" in out
    assert all(ch.isprintable() for line in out.splitlines() for ch in line)


def test_printable_escapes_what_a_terminal_would_obey():
    assert cli.printable("plain — text ≥ 1 …") == "plain — text ≥ 1 …"
    assert cli.printable("\x1b[2J\x07\x00\x7f") == "\\x1b[2J\\x07\\x00\\x7f"
    assert cli.printable("\x9b\u202e\U000e0041") == "\\x9b\\u202e\\U000e0041"


def test_error_messages_escape_the_file_name(capsys, tmp_path):
    bad = tmp_path / "bad\x1b[2J.toml"
    bad.write_text("[servers]\ncount = 0\n")
    code, _, err = run_cli(capsys, "run", str(bad))
    assert code == 2 and "\x1b" not in err and "bad\\x1b[2J.toml" in err
