"""Hostile or careless input on the command line: exit 2 with one short line naming the
file or option, the key and what is allowed, before anything runs."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from visualizer.cli import commands as cli
from visualizer.sim.simulation import Simulation

BIG_INT = "1" + "0" * 5_000  # more digits than Python's int() converts
BIG_FLOAT_INT = "1" + "0" * 309  # an integer past the largest float
HUGE = "k" * 100_000  # a 100 KB name


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def nothing_runs(monkeypatch):
    """Bad input is refused before a simulation is built (not halfway through it)."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("a simulation was started on input that should be refused")

    monkeypatch.setattr(Simulation, "__init__", refuse)


def refused(capsys, *argv: str) -> str:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2, err
    assert out == "" and "Traceback" not in err and "unexpected" not in err
    assert len(err.strip().splitlines()) == 1
    return err


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def set_fault(at_s: float, key: str, value: str) -> str:
    return f'[[faults]]\nat_s = {at_s}\naction = "set"\nkey = "{key}"\nvalue = {value}\n'


# --- numbers Python will not convert (item: exit 1 before) -----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"[traffic]\nusers_per_s = {BIG_FLOAT_INT}\n", "traffic.users_per_s = 1.00e+309"),
        (f"[servers]\ncount = {BIG_INT}\n", "servers.count = a number of 5,001 digits"),
        (
            f'[[faults]]\nat_s = 1\naction = "crash"\ntarget = "server-{BIG_INT}"\n',
            "faults[1] (at_s = 1): target server-1000",
        ),
        (
            f'[[faults]]\nat_s = {BIG_INT}\naction = "crash_store"\n',
            "faults[1].at_s = a number of 5,001 digits",
        ),
        (set_fault(1, "traffic.users_per_s", BIG_FLOAT_INT), "traffic.users_per_s = 1.00e+309"),
        (set_fault(1, "servers.count", BIG_INT), "servers.count = a number of 5,001 digits"),
        (f"[compare]\ntraffic.users_per_s = {BIG_FLOAT_INT}\n", "[compare]: traffic.users_per_s"),
    ],
)
def test_a_huge_number_in_a_file_names_its_key(tmp_path, capsys, nothing_runs, text, expected):
    err = refused(capsys, "run", write(tmp_path, text))
    assert "mine.toml" in err and expected in err and len(err) < 400


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["run", "sticky-crash", "--set", f"traffic.users_per_s={BIG_FLOAT_INT}"],
            "--set: traffic.users_per_s = 1.00e+309",
        ),
        (
            ["run", "sticky-crash", "--set", f"servers.count={BIG_INT}"],
            "--set: servers.count = a number of 5,001 digits",
        ),
        (
            ["compare", "sticky-crash", "--b", f"traffic.users_per_s={BIG_FLOAT_INT}"],
            "--b: traffic.users_per_s = 1.00e+309",
        ),
        (
            ["compare", "sticky-crash", "--b", f"servers.count={BIG_INT}"],
            "--b: servers.count = a number of 5,001 digits",
        ),
        (["run", "sticky-crash", "--seed", BIG_INT], "--seed: '1000"),
        (["run", "sticky-crash", "--duration", BIG_FLOAT_INT], "--duration: '1000"),
    ],
)
def test_a_huge_number_on_the_command_line_names_its_option(capsys, nothing_runs, argv, expected):
    err = refused(capsys, *argv)
    assert expected in err and len(err) < 400


def test_a_seed_too_large_says_how_large_one_may_be(capsys, nothing_runs):
    for seed in (BIG_INT, str(2**63)):
        assert "too large; a seed is at most 9,223,372,036,854,775,807" in refused(
            capsys, "run", "sticky-crash", "--seed", seed
        )


# --- what a schedule may do ----------------------------------------------------------------


def test_flapping_the_server_count_is_refused_at_load(tmp_path, capsys, nothing_runs):
    flaps = "".join(
        set_fault(i, "servers.count", 64) + set_fault(i, "servers.count", 1) for i in range(20)
    )
    err = refused(capsys, "run", write(tmp_path, flaps))
    assert "faults[31] (at_s = 15)" in err and "at most 1,000 server names" in err


def test_too_many_polls_in_flight_is_refused_with_the_product(tmp_path, capsys, nothing_runs):
    text = (
        '[scenario]\nlesson = "realtime"\n[traffic]\nusers_per_s = 2\n'
        "[realtime]\nonline_s = 86400\npoll_interval_s = 0.01\n[network]\nlatency_ms = 600000\n"
    )
    err = refused(capsys, "run", write(tmp_path, text))
    assert "2 × 86400 s × 600 s ÷ 0.01 s ≈ 10,368,000,000 polls on their way" in err
    assert "at most 1,000,000 are allowed" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[traffic]\nusers_per_s = 100\n" + set_fault(47, "traffic.think_time_s", 3000),
            "faults[1] (at_s = 47, set traffic.think_time_s = 3000",
        ),
        (
            '[scenario]\nlesson = "services"\n' + set_fault(47, "services.order_share", 0.9),
            "faults[1] (at_s = 47, set services.order_share = 0.9)",
        ),
        (
            "[traffic]\nusers_per_s = 100\n[compare]\ntraffic.think_time_s = 1\n"
            + set_fault(47, "traffic.think_time_s", 3000).replace("faults", "compare.only_b"),
            "[compare] side B: compare.only_b[1] (at_s = 47",
        ),
    ],
)
def test_a_scheduled_set_that_breaks_a_rule_is_refused_before_the_run(
    tmp_path, capsys, nothing_runs, text, expected
):
    command = "compare" if "[compare]" in text else "run"
    err = refused(capsys, command, write(tmp_path, text))
    assert "mine.toml" in err and expected in err


def test_a_set_option_that_a_scheduled_set_breaks_later_is_refused(tmp_path, capsys, nothing_runs):
    path = write(tmp_path, set_fault(30, "traffic.users_per_s", 100))
    err = refused(capsys, "run", path, "--set", "traffic.think_time_s=3000")
    assert "--set: faults[1] (at_s = 30, set traffic.users_per_s = 100" in err


def test_a_b_option_that_b_s_own_schedule_breaks_is_refused(tmp_path, capsys, nothing_runs):
    only_b = set_fault(30, "traffic.users_per_s", 100).replace("faults", "compare.only_b")
    path = write(tmp_path, "[compare]\n" + only_b)
    err = refused(capsys, "compare", path, "--b", "traffic.think_time_s=3000")
    assert "--b: [compare] side B: compare.only_b[1] (at_s = 30" in err


# --- shapes that would hang the parser ------------------------------------------------------


def test_a_100000_part_key_is_refused_without_parsing(tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("tomllib was reached")

    monkeypatch.setattr(tomllib, "loads", refuse)
    err = refused(capsys, "run", write(tmp_path, "a" + ".a" * 99_999 + " = 1\n"))
    assert "line 1: a key or table name of more than 8 dotted parts" in err


# --- another lesson's keys ------------------------------------------------------------------


_BELONGS = (
    "[counter] belongs to the counter lesson; this scenario's lesson is sessions "
    '(set [scenario] lesson = "counter" to use it)'
)


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", "sticky-crash", "--b", "counter.placement=client"],
        ["compare", "sticky-crash", "--a", "counter.placement=client", "--b", "state.mode=shared"],
        ["run", "sticky-crash", "--set", "counter.placement=client"],
    ],
)
def test_another_lessons_key_on_the_command_line_is_refused(capsys, nothing_runs, argv):
    assert _BELONGS in refused(capsys, *argv)


@pytest.mark.parametrize(
    "text",
    [
        '[compare]\ncounter.placement = "client"\n',
        set_fault(10, "counter.placement", '"client"'),
        set_fault(10, "counter.placement", '"client"').replace("faults", "compare.only_b"),
    ],
)
def test_another_lessons_key_in_a_file_is_refused_as_its_section_is(
    tmp_path, capsys, nothing_runs, text
):
    command = "compare" if "compare" in text else "run"
    assert _BELONGS in refused(capsys, command, write(tmp_path, text))


# --- what messages quote from the input -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"[servers]\n{HUGE} = 1\n",
        f"[{HUGE}]\nx = 1\n",
        f'[[faults]]\nat_s = 1\naction = "crash_store"\n{HUGE} = 1\n',
        f'[[faults]]\nat_s = 1\naction = "{HUGE}"\n',
        f'[[faults]]\nat_s = 1\naction = "crash"\ntarget = "{HUGE}"\n',
        f'[[faults]]\nat_s = 1\naction = "set"\nkey = "{HUGE}"\nvalue = 1\n',
        f"[compare]\nstate.{HUGE} = 1\n",
        f"[compare]\n{HUGE} = 1\n",
        f"[{HUGE}]\n[{HUGE}]\n",  # tomllib's own message quotes the key
        f'[servers]\n"\\u001b[2J{HUGE}" = 1\n',  # and a control character
    ],
)
def test_a_100_kb_name_in_a_file_gives_a_short_message(tmp_path, capsys, nothing_runs, text):
    err = refused(capsys, "run", write(tmp_path, text, "m.toml"))
    assert "k" * 30 in err and "k" * 61 not in err and "…" in err and "\x1b" not in err
    assert len(err) < (2_000 if "[compare]" in text else 500)  # (B may change: every key)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "sticky-crash", "--set", f"servers.{HUGE}=1"],
        ["run", "sticky-crash", "--set", HUGE],
        ["compare", "sticky-crash", "--b", f"scenario.{HUGE}=1"],
        ["run", HUGE],
        [HUGE],
        ["run", "sticky-crash", HUGE],
        ["export", "sticky-crash", "--at", "1", "--out", "x", "--scale", HUGE],
    ],
)
def test_a_100_kb_argument_gives_a_short_message(capsys, nothing_runs, argv):
    err = refused(capsys, *argv)
    assert "k" * 30 in err and "k" * 61 not in err and "…" in err
    assert len(err) < 2_000  # (a list of what is allowed, every key or preset, stays whole)


# --- a comparison whose sides differ only by their own commands -------------------------------


def test_a_file_whose_b_differs_only_by_its_own_commands_compares(tmp_path, capsys):
    text = '[state]\nmode = "shared"\n[[compare.only_b]]\nat_s = 20\naction = "crash_store"\n'
    code, out, err = run_cli(
        capsys, "compare", write(tmp_path, text), "--duration", "30", "--json", "-"
    )
    assert code == 0, err
    both = json.loads(out)
    assert both["a"]["sessions"]["lost"] == 0 < both["b"]["sessions"]["lost"]
