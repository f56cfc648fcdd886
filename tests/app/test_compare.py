"""Two runs on one clock: same users, commands at the same moment, one file to reopen."""

from __future__ import annotations

import dataclasses
import json
import tomllib

import pytest

from visualizer.app.compare import (
    Comparison,
    Side,
    diff,
    sides,
    titles,
    with_b_changes,
)
from visualizer.app.eventlog import Cursor
from visualizer.app.scoreboard import board, scoreboard
from visualizer.sim import commands as ev
from visualizer.sim.config import CompareSection
from visualizer.sim.records import EventKind, event_of
from visualizer.sim.scenario import load, to_toml
from visualizer.sim.schema import ConfigError, parse_config


def short(name: str = "sticky-crash", **b) -> Comparison:
    return Comparison(with_b_changes(load(name), b))


def arrivals(run) -> list[tuple[int, float]]:
    events = map(event_of, run.log.read(Cursor(0)))
    return [(e.user, e.t) for e in events if e.kind is EventKind.USER_ARRIVED]


def test_no_difference_gives_byte_identical_summaries():
    both = short()
    both.advance(75.0)
    a, b = both.summaries()
    assert json.dumps(a) == json.dumps(b)
    assert a["sessions"]["lost"] > 0  # (a run that did something)


def test_flipping_stickiness_keeps_every_arrival():
    both = short(**{"balancer.sticky": False})
    both.advance(40.0)
    a, b = both.summaries()
    assert a["users"]["arrived"] == b["users"]["arrived"] > 500
    assert arrivals(both.a) == arrivals(both.b)
    assert a["requests"]["by_code"] != b["requests"]["by_code"]  # the designs did differ


def test_a_command_reaches_both_runs_at_the_same_moment():
    both = short(**{"state.mode": "shared"})
    both.advance(20.5)
    assert both.apply(ev.CrashServer(2))
    both.advance(30.0)
    for run in both.runs:
        assert run.commands == [(20.5, ev.CrashServer(2))]
        assert not run.snapshot().servers[2].up
    assert both.a.now == both.b.now == 30.0


def test_a_command_for_one_side_reaches_that_side_only():
    both = short(**{"state.mode": "shared"})
    both.advance(20.5)
    assert both.apply(ev.CrashServer(2), Side.B)
    both.advance(21.0)
    assert both.a.commands == []
    assert both.b.commands == [(20.5, ev.CrashServer(2))]
    assert both.a.snapshot().servers[2].up and not both.b.snapshot().servers[2].up


def test_a_value_one_side_refuses_changes_neither():
    # B keeps sessions 10x longer, so a rate A takes would keep too many sessions in B
    both = short(**{"state.ttl_s": 3000.0})
    both.advance(5.0)
    with pytest.raises(ConfigError, match=r"state\.ttl_s"):
        both.apply(ev.SetValue("traffic.users_per_s", 1000.0))
    for run in both.runs:
        assert run.commands == []
        assert run.config.traffic.users_per_s == 20


def test_advancing_within_a_budget_keeps_one_clock():
    both = short(**{"state.mode": "shared"})
    while not both.advance_some(12.0, 300):
        assert both.a.now == both.b.now
    assert both.a.now == both.b.now == 12.0


def test_seek_and_undo_act_on_both():
    both = short(**{"state.mode": "shared"})
    both.advance(40.0)
    at_40 = [run.summary() for run in both.runs]
    both.advance(80.0)
    both.seek(40.0)
    assert [json.dumps(run.summary()) for run in both.runs] == [json.dumps(s) for s in at_40]
    both.apply(ev.CrashStore(), Side.B)  # in the past: B's future changes, A's does not
    assert both.b.end == 40.0 and both.a.end == 80.0 and both.end == 40.0
    assert both.undo()
    assert both.b.end == 80.0 and both.b.commands == []
    assert not both.can_undo


def test_a_saved_comparison_reopens_to_the_same_numbers():
    both = short(**{"state.mode": "shared"})
    both.advance(20.0)
    both.apply(ev.CrashServer(1))
    both.advance(25.0)
    both.apply(ev.CrashStore(), Side.B)
    both.advance(26.0)
    both.apply(ev.SetValue("servers.workers", 2), Side.A)
    both.advance(40.0)
    saved = to_toml(both.reproducible_config())
    reopened = Comparison(parse_config(tomllib.loads(saved)))
    reopened.advance(40.0)
    assert [json.dumps(s) for s in reopened.summaries()] == [
        json.dumps(s) for s in both.summaries()
    ]
    compare = parse_config(tomllib.loads(saved)).compare
    assert compare.changes == (("state.mode", "shared"),)
    assert [f.action.value for f in compare.only_a] == ["set"]
    assert [f.action.value for f in compare.only_b] == ["crash_store"]


def reopen(both: Comparison) -> Comparison:
    reopened = Comparison(parse_config(tomllib.loads(to_toml(both.reproducible_config()))))
    reopened.advance(both.now)
    return reopened


def test_commands_at_one_instant_reopen_in_the_order_they_were_given():
    # at one moment: both add a server, A alone adds another and crashes it, then both
    # shrink the fleet; sorted into shared and one-sided lists naively, A's crash of
    # server-6 would come after the shrink that removed it, and the file would not open
    both = short(**{"state.mode": "shared"})
    both.advance(10.0)
    both.apply(ev.AddServer())
    both.apply(ev.AddServer(), Side.A)
    both.apply(ev.CrashServer(5), Side.A)
    both.apply(ev.SetValue("servers.count", 2))
    both.advance(15.0)
    reopened = reopen(both)
    assert [json.dumps(s) for s in reopened.summaries()] == [
        json.dumps(s) for s in both.summaries()
    ]
    assert [(f.action.value, f.target) for f in reopened.config.compare.only_a] == [
        ("add_server", None),
        ("crash", "server-6"),
        ("set", None),
    ]


def test_servers_b_adds_itself_can_be_named_by_shared_faults():
    # B starts with one server and adds three at 5 s, so the preset's crash of server-2
    # at 60 s names a server on both sides: the file opens and B crashes its server-2
    grows = "".join('[[compare.only_b]]\nat_s = 5\naction = "add_server"\n\n' for _ in "abc")
    text = to_toml(load("sticky-crash")) + "\n[compare]\nservers.count = 1\n\n" + grows
    _, b = sides(parse_config(tomllib.loads(text)))
    assert b.servers.count == 1 and [f.action.value for f in b.faults] == [
        *["add_server"] * 3,
        "crash",
        "restart",
    ]
    both = Comparison(parse_config(tomllib.loads(text)))
    both.advance(61.0)
    assert not both.b.snapshot().servers[1].up and len(both.b.snapshot().servers) == 4


def test_sides_are_ordinary_scenarios():
    a, b = sides(load("compare-crash"))
    assert a.compare is None and b.compare is None
    assert a.state.mode.value == "local" and b.state.mode.value == "shared"
    assert a.faults == b.faults and a.scenario == b.scenario


def test_each_side_is_titled_by_what_differs():
    a, b = sides(with_b_changes(load("sticky-crash"), {"state.mode": "shared"}))
    assert titles(a, b) == ("A: sticky, server memory", "B: shared store")
    a, b = sides(with_b_changes(load("sticky-crash"), {"servers.count": 6}))
    assert titles(a, b) == (
        "A: sticky, server memory, 4 servers",
        "B: sticky, server memory, 6 servers",
    )
    # the parts, typed: views pick words without splitting the text
    assert (a_title := titles(a, b)[0]).side == "A"
    assert a_title.words == ("sticky", "server memory", "4 servers")


def test_legends_keep_the_words_that_tell_the_sides_apart():
    from visualizer.ui.compare.plots import legend_titles

    a, b = sides(with_b_changes(load("sticky-crash"), {"balancer.sticky": False}))
    assert legend_titles(titles(a, b)) == ("B: not sticky", "A: sticky")[::-1]
    a, b = sides(with_b_changes(load("sticky-crash"), {"servers.count": 6}))
    assert legend_titles(titles(a, b)) == ("A: 4 servers", "B: 6 servers")
    assert legend_titles(("A", "B")) == ("A", "B")  # plain names stay as they are


def test_diff_is_b_minus_a_for_every_number():
    both = short(**{"state.mode": "shared"})
    both.advance(70.0)
    a, b = both.summaries()
    d = diff(a, b)
    assert d["sessions"]["lost"] == b["sessions"]["lost"] - a["sessions"]["lost"] < 0
    assert d["requests"]["by_code"]["SESSION_LOST"] == -a["requests"]["by_code"]["SESSION_LOST"]
    assert d["latency_ms"]["p50"] == round(b["latency_ms"]["p50"] - a["latency_ms"]["p50"], 3)
    assert d["memory_mb"]["peak_by_server"].keys() == a["memory_mb"]["peak_by_server"].keys()


def test_scoreboard_marks_the_better_side_by_its_name():
    both = short(**{"state.mode": "shared"})
    both.advance(70.0)
    rows = {r.label: r for r in scoreboard(*both.summaries())}
    assert rows["Sessions lost"].better is Side.B
    assert rows["Sessions lost"].difference_text().startswith("−")
    assert rows["Latency p50"].better is Side.A  # the store round trip
    assert not rows["Requests served"].judged  # relogins count too: more is not better
    assert rows["by crash"].indent


def test_a_compare_section_with_a_bad_key_says_which():
    text = to_toml(load("sticky-crash")) + "\n[compare]\nscenario.seed = 2\n"
    with pytest.raises(ConfigError, match=r"scenario\.seed cannot differ between A and B"):
        parse_config(tomllib.loads(text))
    text = to_toml(load("sticky-crash")) + "\n[compare]\nservers.count = 99\n"
    with pytest.raises(ConfigError, match=r"\[compare\]: servers.count = 99 is not allowed"):
        parse_config(tomllib.loads(text))


def test_with_b_changes_refuses_a_bad_value_and_keeps_earlier_changes():
    config = with_b_changes(load("sticky-crash"), {"state.mode": "shared"})
    config = with_b_changes(config, {"store.latency_ms": 5.0})
    assert dict(config.compare.changes) == {"state.mode": "shared", "store.latency_ms": 5.0}
    with pytest.raises(ConfigError):
        with_b_changes(config, {"servers.count": 0})
    assert dataclasses.replace(config, compare=None) == load("sticky-crash")
    assert isinstance(config.compare, CompareSection)


def test_a_lessons_comparison_leads_with_that_lessons_numbers():
    both = Comparison(load("compare-counter"))
    both.advance(60.0)
    rows = scoreboard(*both.summaries())
    assert rows[0].label == "Wrong answers" and rows[0].a > 0 and rows[0].b == 0
    assert rows[0].better is Side.B
    assert "Peak memory" not in [r.label for r in rows]  # no sessions held on either side
    assert both.titles == ("A: not sticky, counts on the servers", "B: count in the store")
    auth = Comparison(load("compare-auth"))
    auth.advance(200.0)
    rows = scoreboard(*auth.summaries())
    assert [r.label for r in rows[:3]] == ["Accepted after revoke", "revocations", "Store lookups"]
    assert auth.titles == ("A: JWT", "B: JWT + blocklist")


def test_a_services_comparison_leads_with_the_queue_and_names_what_differs():
    both = short("queue-backlog", **{"services.queue_consumers": 12})
    both.advance(100.0)  # the consumers stopped from 60 s to 90 s
    rows = board(both)
    assert [r.label for r in rows[:4]] == ["Behind now", "Drain time", "Peak queue", "max lag"]
    assert rows[0].better is Side.B  # more consumers drain the same backlog sooner
    assert rows[1].a is None and rows[1].b is not None  # B has drained, A not yet
    assert rows[3].text(rows[3].a) == "30.1 s"
    assert both.titles == (
        "A: stateless gateway, 4 consumers",
        "B: stateless gateway, 12 consumers",
    )
    sticky = with_b_changes(load("queue-backlog"), {"balancer.sticky": True})
    assert titles(*sides(sticky)) == ("A: stateless gateway", "B: stateless gateway, sticky")


def test_undo_of_a_one_side_command_leaves_both_sides_at_one_moment():
    # B alone is given a command in the past; both play on; Ctrl+Z brings B's old future
    # back at the moment of the command, and A goes there too: the scoreboard compares
    # one instant, and the next one-side command lands at the same time on both clocks
    both = short(**{"state.mode": "shared"})
    both.advance(30.0)
    both.seek(10.0)
    both.apply(ev.CrashStore(), Side.B)
    both.advance(15.0)
    assert both.undo()
    assert both.a.now == both.b.now == 10.0
    straight = short(**{"state.mode": "shared"})
    straight.advance(10.0)
    assert [json.dumps(s) for s in both.summaries()] == [
        json.dumps(s) for s in straight.summaries()
    ]
    both.apply(ev.CrashServer(1), Side.A)
    assert both.a.commands[-1][0] == 10.0


def test_b_changes_are_checked_against_b_itself_not_a():
    # A alone is scheduled to think for 3,000 s at 10 s (20 users a second: 360,000 online,
    # within the limit); B, without that command, may take 200 users a second. Checked as
    # A's settings plus B's changes it was refused
    config = parse_config(
        tomllib.loads(
            to_toml(load("sticky-crash"))
            + '\n[[compare.only_a]]\nat_s = 10\naction = "set"\nkey = "traffic.think_time_s"\n'
            + "value = 3000\n"
        )
    )
    b = with_b_changes(config, {"traffic.users_per_s": 200.0})
    assert sides(b)[1].traffic.users_per_s == 200.0
    a_too = to_toml(config).replace("users_per_s = 20.0", "users_per_s = 200.0")
    with pytest.raises(ConfigError, match=r"only_a\[1\].*users online"):
        parse_config(tomllib.loads(a_too))  # (A with that command could not take them)
