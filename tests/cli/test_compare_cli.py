"""``visualizer compare``: two designs, the same users, B − A."""

from __future__ import annotations

import csv
import json

import pytest

from visualizer.cli import commands as cli
from visualizer.sim.table import header


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def compare_json(capsys, *argv: str) -> dict:
    code, out, err = run_cli(capsys, "compare", *argv, "--json", "-")
    assert code == 0, err
    return json.loads(out)


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run_cli(capsys, "run", *argv, "--json", "-")
    assert code == 0, err
    return json.loads(out)


def test_a_shared_store_loses_nothing_and_pays_the_round_trip(capsys):
    doc = compare_json(capsys, "sticky-crash", "--b", "state.mode=shared")
    a, b = doc["a"], doc["b"]
    assert doc["schema"] == 1
    assert a["sessions"]["lost"] > 0 and b["sessions"]["lost"] == 0
    store_ms = a["config"]["store"]["latency_ms"]
    extra = b["latency_ms"]["p50"] - a["latency_ms"]["p50"]
    # one round trip, plus the queueing the longer-held worker adds
    assert store_ms * 0.8 <= extra <= store_ms * 2


def test_each_side_is_exactly_what_run_prints(capsys):
    doc = compare_json(capsys, "sticky-crash", "--b", "state.mode=shared", "--duration", "70")
    assert doc["a"] == run_json(capsys, "sticky-crash", "--duration", "70")
    assert doc["b"] == run_json(
        capsys, "sticky-crash", "--duration", "70", "--set", "state.mode=shared"
    )


def test_diff_holds_b_minus_a_in_the_same_nesting(capsys):
    doc = compare_json(capsys, "sticky-crash", "--b", "servers.count=6", "--duration", "70")
    a, b, d = doc["a"], doc["b"], doc["diff"]
    assert set(d) == {"requests", "latency_ms", "sessions", "memory_mb"}
    assert d["requests"]["ok"] == b["requests"]["ok"] - a["requests"]["ok"]
    assert d["sessions"]["lost_by_cause"]["crash"] == (
        b["sessions"]["lost_by_cause"]["crash"] - a["sessions"]["lost_by_cause"]["crash"]
    )
    assert (
        d["memory_mb"]["peak_by_server"]["server-6"] == b["memory_mb"]["peak_by_server"]["server-6"]
    )  # (A has no server-6: counted as none)


def test_a_only_change_stays_on_a(capsys):
    doc = compare_json(
        capsys,
        "sticky-crash",
        "--a",
        "servers.count=3",
        "--b",
        "state.mode=shared",
        "--duration",
        "30",
    )
    assert doc["a"]["config"]["servers"]["count"] == 3
    assert doc["b"]["config"]["servers"]["count"] == 4
    assert doc["b"]["config"]["state"]["mode"] == "shared"


def test_a_file_with_a_compare_section_needs_no_b(capsys):
    doc = compare_json(capsys, "compare-crash", "--duration", "70")
    assert doc["a"]["config"]["state"]["mode"] == "local"
    assert doc["b"]["config"]["state"]["mode"] == "shared"
    assert doc["a"]["users"]["arrived"] == doc["b"]["users"]["arrived"] > 0


def test_the_table_names_both_sides_and_the_better_one(capsys):
    code, out, err = run_cli(capsys, "compare", "compare-crash", "--duration", "70")
    assert code == 0, err
    assert "A: sticky, server memory" in out and "B: shared store" in out
    lost = next(line for line in out.splitlines() if line.startswith("Sessions lost"))
    assert lost.split()[-1] == "B" and "−" in lost


def test_csv_has_both_runs_side_by_side(capsys, tmp_path):
    path = tmp_path / "both.csv"
    code, _, err = run_cli(
        capsys,
        "compare",
        "sticky-crash",
        "--b",
        "servers.count=6",
        "--duration",
        "10",
        "--csv",
        str(path),
    )
    assert code == 0, err
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["t_s"] + [f"a_{c}" for c in header(4)[1:]] + [
        f"b_{c}" for c in header(6)[1:]
    ]
    assert [r[0] for r in rows[1:]] == [str(t) for t in range(1, 11)]
    assert all(len(r) == len(rows[0]) for r in rows)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sticky-crash"], "A and B would be the same"),
        (["sticky-crash", "--b", "scenario.seed=2"], "cannot differ between A and B"),
        (["sticky-crash", "--b", "state.mode=bogus"], "--b: state.mode = 'bogus' is not allowed"),
        (["sticky-crash", "--a", "oops"], "--a 'oops': expected section.key=value"),
        (
            ["sticky-crash", "--b", "state.mode=shared", "--json", "-", "--csv", "-"],
            "would both go to stdout",
        ),
    ],
)
def test_bad_input_is_one_clear_line(capsys, argv, message):
    code, out, err = run_cli(capsys, "compare", *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_run_on_a_comparison_runs_side_a(capsys):
    code, out, err = run_cli(capsys, "run", "compare-crash", "--duration", "70", "--json", "-")
    assert code == 0
    assert "side A" in err
    assert json.loads(out) == compare_json(capsys, "compare-crash", "--duration", "70")["a"]
