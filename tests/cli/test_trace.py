"""visualizer run --trace: one JSON object per request, with documented short strings."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import run_cli

ROUTES = {
    "sticky-hit",
    "sticky-new",
    "sticky-repin",
    "round_robin",
    "random",
    "least_connections",
    "hash",
    "no-server",
}
LOOKUPS = {
    "login",
    "local-found",
    "local-missing",
    "local-lost",
    "store-found",
    "store-down",
    "store-missing",
    "store-lost",
    "token",
    "token-expired",
    "none",
}
FIELDS = {"id", "user", "kind", "t_sent", "server", "route", "route_detail", "candidates"}
FIELDS |= {"lookup", "outcome", "latency_ms", "parts_ms"}


@pytest.mark.parametrize("preset", ["sticky-crash", "store-outage", "local-no-sticky"])
def test_trace_lines_cover_every_finished_request(capsys, tmp_path, preset):
    path = tmp_path / "trace.jsonl"
    code, traced, err = run_cli(capsys, "run", preset, "--trace", str(path), "--json", "-")
    assert code == 0, err
    code, out, _ = run_cli(capsys, "run", preset, "--json", "-")
    plain = json.loads(out)
    assert json.loads(traced) == plain  # tracing changes no number
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == plain["requests"]["ok"] + plain["requests"]["failed"]
    assert sum(line["outcome"] == "ok" for line in lines) == plain["requests"]["ok"]
    codes = {code for code, n in plain["requests"]["by_code"].items() if n}
    assert {line["outcome"] for line in lines} == {"ok", *codes}
    for line in lines:
        assert set(line) == FIELDS
        assert line["route"] in ROUTES and line["lookup"] in LOOKUPS
        assert line["kind"] in ("login", "action", "logout")
        parts = sum(line["parts_ms"].values())
        assert parts == pytest.approx(line["latency_ms"], abs=0.01)


def test_trace_to_stdout_is_the_trace_alone(capsys):
    code, out, err = run_cli(capsys, "run", "stateless-tokens", "--duration", "5", "--trace", "-")
    assert code == 0, err
    lines = out.splitlines()
    assert lines and all(json.loads(line)["lookup"] in ("login", "token") for line in lines)


def test_two_outputs_on_stdout_are_refused(capsys):
    code, _, err = run_cli(capsys, "run", "sticky-crash", "--trace", "-", "--csv", "-")
    assert code == 2 and "--csv - and --trace -" in err


def test_trace_and_json_on_one_file_are_refused(capsys, tmp_path):
    path = str(tmp_path / "out")
    code, _, err = run_cli(capsys, "run", "sticky-crash", "--trace", path, "--json", path)
    assert code == 2 and "same file" in err
