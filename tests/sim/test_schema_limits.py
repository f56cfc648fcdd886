"""Limits on what a scenario file may ask for, checked at load: a file is something people
share, and opening one must not hang, fill memory or stop a run halfway."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visualizer.sim import scenario
from visualizer.sim.config import Fault, FaultAction
from visualizer.sim.schema import (
    MAX_FAULTS,
    MAX_MESSAGES_WAITING,
    MAX_REQUESTS_IN_FLIGHT,
    MAX_SERVER_NAMES,
    ConfigError,
    parse_config,
    server_slots,
    with_values,
)
from visualizer.sim.simulation import Simulation
from visualizer.sim.toml_text import MAX_KEY_PARTS, parse_override


def error(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(data, "mine.toml")
    message = str(info.value)
    assert "\n" not in message
    return message


def load_text(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return scenario.load_file(path)


def text_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    message = str(info.value)
    assert "\n" not in message and "mine.toml" in message
    return message


def set_fault(at_s: float, key: str, value: Any) -> dict[str, Any]:
    return {"at_s": at_s, "action": "set", "key": key, "value": value}


@pytest.fixture
def never_parsed(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("tomllib was given a text the shape check should refuse")

    monkeypatch.setattr(tomllib, "loads", refuse)


# --- how much a schedule may hold -----------------------------------------------------------


def test_a_schedule_may_hold_max_faults_and_no_more():
    faults = [{"at_s": float(i), "action": "crash_store"} for i in range(MAX_FAULTS)]
    assert len(parse_config({"faults": faults}).faults) == MAX_FAULTS
    message = error({"faults": [*faults, {"at_s": 0, "action": "restore_store"}]})
    assert f"{MAX_FAULTS + 1:,} scheduled commands" in message
    assert f"at most {MAX_FAULTS:,} are allowed" in message


def test_one_side_of_a_comparison_may_hold_max_faults_and_no_more():
    faults = [{"at_s": 1.0, "action": "crash_store"}] * (MAX_FAULTS + 1)
    message = error({"compare": {"only_b": faults}})
    assert "[compare] only_b" in message and f"at most {MAX_FAULTS:,}" in message


def flaps(n: int) -> list[dict[str, Any]]:
    """servers.count 64 then 1 at one instant, ``n`` times: 63 new names each time."""
    out = []
    for i in range(n):
        out += [set_fault(float(i), "servers.count", 64), set_fault(float(i), "servers.count", 1)]
    return out


def test_flapping_the_server_count_is_refused_once_it_names_too_many_servers():
    # 4 servers, then 60 names on the first flap and 63 on each after: 1,009 at flap 16
    message = error({"faults": flaps(20)})
    assert "faults[31] (at_s = 15)" in message
    assert "1,009" in message and f"at most {MAX_SERVER_NAMES:,} server names" in message


def test_a_schedule_naming_exactly_the_limit_loads():
    # from one server: add then remove, each add a new name, up to the limit exactly
    faults = []
    for i in range(MAX_SERVER_NAMES - 1):
        faults += [{"at_s": float(i), "action": "add_server"}]
        faults += [{"at_s": float(i), "action": "remove_server"}]
    config = parse_config({"servers": {"count": 1}, "faults": faults})
    assert server_slots(config) == MAX_SERVER_NAMES
    message = error(
        {"servers": {"count": 1}, "faults": [*faults, {"at_s": 1e6, "action": "add_server"}]}
    )
    assert f"faults[{len(faults) + 1}]" in message and f"{MAX_SERVER_NAMES + 1:,}" in message


def test_b_s_own_faults_count_toward_b_s_server_names():
    message = error({"compare": {"only_b": flaps(20)}})
    assert "[compare] side B: compare.only_b[31]" in message


# --- requests in flight (realtime, short polling) ---------------------------------------------


def realtime(users_per_s: float, online_s: float, latency_ms: float, poll_s: float, **more):
    return {
        "scenario": {"lesson": "realtime"},
        "traffic": {"users_per_s": users_per_s},
        "realtime": {"online_s": online_s, "poll_interval_s": poll_s, **more},
        "network": {"latency_ms": latency_ms},
    }


def test_short_polls_on_their_way_are_bounded_with_the_arithmetic_in_the_message():
    # 2 users/s online for a day, polling every 10 ms over a 10-minute network: each user
    # has 60,000 polls on their way, 172,800 users online
    message = error(realtime(2, 86_400, 600_000, 0.01))
    assert (
        "traffic.users_per_s × realtime.online_s × network.latency_ms ÷ "
        "realtime.poll_interval_s = 2 × 86400 s × 600 s ÷ 0.01 s ≈ 10,368,000,000 polls"
    ) in message
    assert f"at most {MAX_REQUESTS_IN_FLIGHT:,} are allowed" in message


@pytest.mark.parametrize("transport", ["long_poll", "websocket"])
def test_long_polls_and_websockets_have_one_request_out_per_user(transport):
    parse_config(realtime(2, 86_400, 600_000, 0.01, transport=transport))


def test_just_under_the_polls_limit_loads():
    # 9,900 users online, 1 s away, polling 100 times a second: 990,000 polls on the way
    parse_config(realtime(10, 990, 1_000, 0.01))
    assert "polls on their way" in error(realtime(10, 1_010, 1_000, 0.01))


def test_messages_waiting_for_their_users_are_bounded_with_the_arithmetic():
    # 300,000 users online, 100 messages a second each, polled every 5 s: 150 million
    # messages wait at once (32 bytes each: about 5 GB)
    data = realtime(1_000, 300, 0, 5.0, messages_per_min=6_000)
    message = error(data)
    assert "300,000 × 100 × 5.04 s ≈ 151,200,000 messages waiting at once" in message
    assert f"at most {MAX_MESSAGES_WAITING:,} are allowed" in message
    assert "realtime.poll_interval_s" in message
    data["realtime"]["transport"] = "websocket"  # pushed at once: only until connected
    parse_config(data)
    data["network"]["latency_ms"] = 1_000  # ... but 300,000 × 100 × 1.04 s is too many
    assert "(network latency + service time)" in error(data)


def test_users_who_came_online_polling_keep_polling_after_the_transport_changes():
    data = realtime(2, 86_400, 0, 5.0)
    data["faults"] = [
        set_fault(10, "realtime.transport", "websocket"),
        set_fault(20, "realtime.poll_interval_s", 0.01),
        set_fault(30, "network.latency_ms", 600_000),
    ]
    assert "faults[3] (at_s = 30, set network.latency_ms" in error(data)
    data["realtime"]["transport"] = "websocket"  # nobody ever polled: nothing on the way
    parse_config(data)


# --- every scheduled state passes the live checks ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {
                "traffic": {"users_per_s": 100},
                "faults": [set_fault(10, "traffic.think_time_s", 3000)],
            },
            ["faults[1] (at_s = 10, set traffic.think_time_s = 3000", "users online at once"],
        ),
        (
            {
                "scenario": {"lesson": "services"},
                "faults": [
                    set_fault(5, "services.users_share", 0.2),
                    set_fault(9, "services.order_share", 0.9),
                ],
            },
            ["faults[2] (at_s = 9, set services.order_share = 0.9)", "0.9 + 0.2 is more than 1"],
        ),
        (
            {
                "scenario": {"lesson": "counter"},
                "counter": {"scope": "global", "placement": "store"},
                "faults": [set_fault(10, "counter.placement", "client")],
            },
            ["faults[1] (at_s = 10, set counter.placement = 'client')", 'scope = "global"'],
        ),
        (
            {
                "traffic": {"users_per_s": 100},
                "compare": {"only_b": [set_fault(10, "traffic.think_time_s", 3000)]},
            },
            ["[compare] side B: compare.only_b[1] (at_s = 10", "users online at once"],
        ),
        (
            {  # B's own setting makes the shared schedule too much for B only
                "traffic": {"users_per_s": 100, "think_time_s": 2},
                "faults": [set_fault(10, "traffic.users_per_s", 1000)],
                "compare": {"traffic": {"think_time_s": 100}},
            },
            ["[compare] side B: faults[1] (at_s = 10, set traffic.users_per_s"],
        ),
    ],
)
def test_a_set_that_breaks_a_cross_key_rule_is_refused_at_load(data, expected):
    message = error(data)
    assert message.startswith("mine.toml: ")
    for part in expected:
        assert part in message


def test_sets_apply_in_time_order_then_file_order_as_the_engine_applies_them():
    # at 10 s the users come down before the think time goes up: fine in that order
    data = {
        "traffic": {"users_per_s": 100},
        "faults": [
            set_fault(10, "traffic.think_time_s", 3000),
            set_fault(5, "traffic.users_per_s", 1),
        ],
    }
    parse_config(data)
    data["faults"][1]["at_s"] = 10  # same instant: file order, think time first
    assert "faults[1] (at_s = 10" in error(data)


def test_a_set_override_is_checked_against_the_schedule_too():
    config = parse_config({"faults": [set_fault(10, "traffic.users_per_s", 100)]})
    with pytest.raises(ConfigError, match=r"--set: faults\[1\] \(at_s = 10, set traffic"):
        with_values(config, {"traffic.think_time_s": 3000}, "--set")


# Keys that take part in a cross-key rule, with values from both ends of their ranges.
_SETS = {
    "sessions": {
        "traffic.users_per_s": [0.0, 20.0, 10_000.0],
        "traffic.think_time_s": [0.0, 2.0, 3_600.0],
        "traffic.requests_per_user": [1.0, 10_000.0],
        "network.latency_ms": [0.0, 600_000.0],
        "servers.service_ms": [40.0, 600_000.0],
        "state.ttl_s": [1.0, 31_536_000.0],
        "servers.count": [1, 64],
    },
    "realtime": {
        "traffic.users_per_s": [0.0, 20.0, 10_000.0],
        "realtime.online_s": [1.0, 86_400.0],
        "realtime.poll_interval_s": [0.01, 5.0],
        "network.latency_ms": [0.0, 600_000.0],
    },
    "services": {
        "services.order_share": [0.0, 0.5, 1.0],
        "services.users_share": [0.0, 0.5, 1.0],
        "traffic.users_per_s": [0.0, 20.0],
    },
    "counter": {
        "counter.scope": ["user", "global"],
        "counter.placement": ["server", "store", "client"],
        "traffic.users_per_s": [0.0, 20.0],
    },
}


@st.composite
def schedules(draw) -> tuple[str, list[tuple[float, str, Any]]]:
    lesson = draw(st.sampled_from(sorted(_SETS)))
    keys = _SETS[lesson]
    sets = draw(
        st.lists(
            st.tuples(
                st.sampled_from([0.0, 0.01, 0.02]),
                st.sampled_from(sorted(keys)).flatmap(
                    lambda k: st.tuples(st.just(k), st.sampled_from(keys[k]))
                ),
            ),
            min_size=1,
            max_size=4,
        )
    )
    return lesson, [(at, key, value) for at, (key, value) in sets]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_load_time_and_run_time_agree_on_every_scheduled_set(schedule):
    """A file that loads runs through all its scheduled sets; one refused at load for a
    set would indeed have been impossible there (the engine skips it, saying so)."""
    lesson, sets = schedule
    start = {"scenario": {"lesson": lesson}, "traffic": {"users_per_s": 1.0}}
    faults = [set_fault(at, key, value) for at, key, value in sets]
    try:
        config = parse_config({**start, "faults": faults})
    except ConfigError as exc:
        assert "(at_s = " in str(exc)  # the start is fine: only a set can be refused
        unchecked = dataclasses.replace(
            parse_config(start),
            faults=tuple(Fault(at, FaultAction.SET, key=k, value=v) for at, k, v in sets),
        )
        sim = Simulation(unchecked)
        sim.advance(0.03)
        assert any("skipped" in m.label for m in sim.markers)
        return
    Simulation(config).advance(0.03)


# --- numbers Python will not convert --------------------------------------------------------

BIG_INT = "1" + "0" * 5_000  # more digits than int() converts
BIG_FLOAT_INT = "1" + "0" * 309  # an integer past the largest float


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"[traffic]\nusers_per_s = {BIG_FLOAT_INT}\n", "traffic.users_per_s = 1.00e+309"),
        (f"[servers]\ncount = {BIG_INT}\n", "servers.count = a number of 5,001 digits"),
        (
            f"[scenario]\nseed = {BIG_INT}\n",
            "seed = a number of 5,001 digits is not allowed (out of range); expected an integer "
            "from 0 to 9,223,372,036,854,775,807",
        ),
        (
            f'[[faults]]\nat_s = 1\naction = "crash_store"\n[[faults]]\nat_s = {BIG_INT}\n',
            "faults[2].at_s = a number of 5,001 digits",
        ),
        (
            f'[[faults]]\nat_s = 1\naction = "set"\nkey = "traffic.users_per_s"\n'
            f"value = {BIG_FLOAT_INT}\n",
            "faults[1]: traffic.users_per_s = 1.00e+309",
        ),
        (f"[compare]\ntraffic.users_per_s = {BIG_FLOAT_INT}\n", "traffic.users_per_s = 1.00e+309"),
        (f"[compare]\nservers.count = {BIG_INT}\n", "servers.count = a number of 5,001 digits"),
        (
            f'[[faults]]\nat_s = 1\naction = "crash"\ntarget = "server-{BIG_INT}"\n',
            "target server-10000000",
        ),
    ],
)
def test_a_huge_number_is_out_of_range_naming_its_key(tmp_path, text, expected):
    message = text_error(tmp_path, text)
    assert expected in message and len(message) < 300


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (f"traffic.users_per_s={BIG_FLOAT_INT}", "traffic.users_per_s = 1.00e+309"),
        (f"servers.count={BIG_INT}", "servers.count = a number of 5,001 digits"),
    ],
)
def test_a_huge_number_in_an_override_is_out_of_range_naming_its_key(override, expected):
    with pytest.raises(ConfigError) as info:
        with_values(parse_config({}), dict([parse_override(override)]), "--set")
    assert expected in str(info.value) and "out of range" in str(info.value)


# --- shapes that would take tomllib minutes ---------------------------------------------------

_LONG = 100_000  # parts: a 200 KB file that tomllib reads for minutes


@pytest.mark.parametrize(
    "text",
    [
        "a" + ".a" * (_LONG - 1) + " = 1\n",  # a dotted key
        "[" + "a." * (_LONG - 1) + "a]\n",  # a table name
        "[[" + "a." * (_LONG - 1) + "a]]\n",  # an array of tables
        "x = {" + "a." * (_LONG - 1) + "a = 1}\n",  # in an inline table
        '"a".' * (_LONG - 1) + '"a" = 1\n',  # quoted parts
        "a . " * (_LONG - 1) + "a = 1\n",  # spaced parts
        # strings and comments before it must not hide it (skipped as tomllib reads them)
        'x = """q""""\n' + "a." * 9 + "a = 1\n",
        "x = '''q'''''\n" + "a." * 9 + "a = 1\n",
        'x = "q\\"#"\n' + "a." * 9 + "a = 1\n",
        "x = 'q\"'\n" + "a." * 9 + "a = 1\n",
        "# it's \"\n" + "a." * 9 + "a = 1\n",
        '"=".' * 9 + "a = 1\n",  # what ends a key, inside a quoted part, does not
    ],
)
def test_a_key_of_too_many_parts_is_refused_before_parsing(tmp_path, never_parsed, text):
    message = text_error(tmp_path, text)
    assert f"more than {MAX_KEY_PARTS} dotted parts" in message and len(message) < 300


_DOTTED_COMMENT = "# " + "x." * 50 + "\n"  # (so that the shape check reads the file)


@pytest.mark.parametrize(
    "text",
    [
        _DOTTED_COMMENT + "a." * (MAX_KEY_PARTS - 1) + "a = 1\n",  # exactly the limit
        _DOTTED_COMMENT + "[" + "a." * (MAX_KEY_PARTS - 1) + "a]\n" + "b." * 7 + "b = 1\n",
    ],
)
def test_a_key_at_the_limit_is_parsed(tmp_path, text):
    assert "unknown section [a]" in text_error(tmp_path, text)


def test_dots_in_strings_comments_and_numbers_are_not_key_parts(tmp_path):
    dots = "a." * 200
    text = (
        f'[scenario]\ntitle = "{dots[:190]}"  # {dots}\n'
        f"description = '''{dots}\n{dots}'''\n"
        f'notes = """{dots}\\"""{dots}"""\n'
        "[servers]\nservice_ms = 12.5\n"
        "[traffic]\nusers_per_s = 1.5\n"
    )
    config = load_text(tmp_path, text)
    assert config.servers.service_ms == 12.5 and config.scenario.description.startswith("a.a.")


def test_an_override_value_of_too_many_parts_is_a_word_not_parsed(never_parsed):
    value = "{" + "a." * _LONG + "a = 1}"
    assert parse_override(f"scenario.title={value}") == ("scenario.title", value)
