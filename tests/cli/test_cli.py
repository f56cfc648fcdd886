"""The command line: listing, headless runs, JSON/CSV output and exit codes."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from visualizer.cli import commands as cli
from visualizer.sim import scenario
from visualizer.sim.metrics import ERROR_CODES, LOSS_CAUSES
from visualizer.sim.table import SERVER_FIELDS


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scenarios_lists_every_preset_with_its_title(capsys):
    code, out, _ = run_cli(capsys, "scenarios")
    assert code == 0
    for preset in scenario.list_presets():
        assert any(
            line.startswith(preset.name) and preset.title in line for line in out.splitlines()
        )
    assert "(default)" in out


def test_run_prints_a_readable_summary(capsys):
    code, out, err = run_cli(capsys, "run", "sticky-crash", "--duration", "70")
    assert code == 0, err
    assert "sticky-crash: Sticky sessions, then a crash" in out
    assert "requests" in out and "latency" in out and "sessions" in out
    assert "crash " in out  # lost by cause
    assert "server-2" in out


def test_json_to_stdout_is_the_json_alone_with_the_documented_fields(capsys):
    code, out, _ = run_cli(capsys, "run", "sticky-crash", "--duration", "65", "--json", "-")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == 1 and data["lesson"] == "sessions"
    assert set(data) == {
        "schema",
        "lesson",
        "scenario",
        "seed",
        "duration_s",
        "config",
        "requests",
        "latency_ms",
        "sessions",
        "memory_mb",
        "servers",
        "users",
    }
    assert set(data["requests"]) == {"total", "ok", "failed", "logins", "by_code"}
    assert set(data["requests"]["by_code"]) == {c.value for c in ERROR_CODES}
    assert set(data["latency_ms"]) == {"mean", "p50", "p95", "p99"}
    assert set(data["sessions"]) == {"created", "lost", "lost_by_cause", "peak_active"}
    assert set(data["sessions"]["lost_by_cause"]) == {c.value for c in LOSS_CAUSES}
    assert set(data["memory_mb"]) == {"peak_total", "peak_store", "peak_by_server"}
    assert set(data["servers"]["server-1"]) == {
        "served",
        "failed",
        "crashes",
        "peak_sessions",
        "utilization",
    }
    assert set(data["users"]) == {"arrived", "completed", "abandoned", "relogins"}
    assert data["scenario"] == "sticky-crash" and data["duration_s"] == 65
    assert data["config"]["servers"]["count"] == 4
    assert data["config"]["faults"][0] == {"at_s": 60.0, "action": "crash", "target": "server-2"}
    req = data["requests"]
    assert req["total"] >= req["ok"] + req["failed"]
    assert data["sessions"]["lost_by_cause"]["crash"] > 0


def test_json_and_csv_files(tmp_path, capsys):
    j, c = tmp_path / "out.json", tmp_path / "metrics.csv"
    code, out, _ = run_cli(
        capsys,
        "run",
        "store-outage",
        "--duration",
        "30",
        "--seed",
        "9",
        "--set",
        "servers.count=3",
        "--json",
        str(j),
        "--csv",
        str(c),
    )
    assert code == 0
    assert "store-outage" in out  # the table still goes to stdout
    data = json.loads(j.read_text())
    assert data["seed"] == 9 and data["config"]["servers"]["count"] == 3
    with c.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 30
    assert [float(r["t_s"]) for r in rows] == [float(t) for t in range(1, 31)]
    header = rows[0].keys()
    for name in ("sent", "ok", "failed", "p50_ms", "p95_ms", "active_sessions", "store_sessions"):
        assert name in header
    assert {f"err_{c.value.lower()}" for c in ERROR_CODES} <= header
    assert {f"server-3_{f}" for f in SERVER_FIELDS} <= header
    assert "server-4_sessions" not in header
    assert sum(int(r["ok"]) for r in rows) <= data["requests"]["ok"]
    assert not list(tmp_path.glob(".*tmp"))  # atomic writes leave no temp files


def test_same_seed_gives_byte_identical_json_through_the_cli(tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for path in (a, b):
        assert (
            run_cli(capsys, "run", "shared-store", "--duration", "40", "--json", str(path))[0] == 0
        )
    assert a.read_bytes() == b.read_bytes()
    run_cli(capsys, "run", "shared-store", "--duration", "40", "--seed", "2", "--json", str(b))
    assert a.read_bytes() != b.read_bytes()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "nope"], "unknown scenario 'nope'"),
        (["run", "sticky-crash", "--set", "servers.count=0"], "servers.count = 0"),
        (["run", "sticky-crash", "--set", "state.mode=sticky"], "state.mode = 'sticky'"),
        (["run", "sticky-crash", "--set", "servers.cpus=2"], "unknown key servers.cpus"),
        (["run", "sticky-crash", "--set", "servers"], "expected section.key=value"),
        (["run", "sticky-crash", "--set", "balancer.sticky=maybe"], "balancer.sticky"),
        (["run", "sticky-crash", "--duration", "-5"], "--duration"),
        (["run", "sticky-crash", "--duration", "soon"], "--duration"),
        (["run", "sticky-crash", "--seed", "x"], "--seed"),
        (["run", "sticky-crash", "--json", "/nonexistent/dir/out.json"], "does not exist"),
        (["run", "sticky-crash", "--csv", "/"], "is a folder"),
        (["run"], "required: NAME|FILE"),
        (["frobnicate"], "invalid choice"),
        (["--scenario", "nope"], "unknown scenario 'nope'"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(capsys, argv, expected):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert expected in err
    assert "Traceback" not in err


def test_bad_scenario_file_names_the_file_and_key(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text("[store]\nlatency_ms = -1\n")
    code, _, err = run_cli(capsys, "run", str(path))
    assert code == 2
    assert "mine.toml" in err and "store.latency_ms = -1" in err and "0 to" in err


def test_set_with_faults_that_no_longer_fit_names_the_fault(capsys):
    code, _, err = run_cli(capsys, "run", "sticky-crash", "--set", "servers.count=1")
    assert code == 2
    assert "faults[1]" in err and "server-2 never exists" in err


def test_unexpected_failure_exits_1_without_a_traceback(capsys, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli, "_cmd_run", boom)
    monkeypatch.delenv("VISUALIZER_DEBUG", raising=False)
    code, _, err = run_cli(capsys, "run", "sticky-crash")
    assert code == 1
    assert "unexpected failure: RuntimeError: disk on fire" in err
    assert "Traceback" not in err


def test_the_installed_entry_points_work():
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    out = subprocess.run(
        [sys.executable, "-m", "visualizer", "scenarios"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "sticky-crash" in out.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "visualizer", "run", "sticky-crash", "--set", "x.y=1"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 2 and "unknown key x.y" in bad.stderr


def test_the_readable_summary_leaves_out_lines_a_lesson_would_always_zero(capsys):
    code, out, err = run_cli(capsys, "run", "counter-diverges", "--duration", "10")
    assert code == 0, err
    heads = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert "counter" in heads and "sessions" not in heads and "memory" not in heads
    code, out, err = run_cli(capsys, "run", "websocket-memory", "--duration", "10")
    heads = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert "memory" in heads and "sessions" not in heads  # connections hold memory
