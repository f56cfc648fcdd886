"""The scoreboard ticks what the lesson says is better: no tick for a difference within
what two runs of the same design differ by, none for a count the design sets, and the
services lesson's backlog in the cards' terms."""

from __future__ import annotations

from visualizer.app.compare import Comparison, Side
from visualizer.app.scoreboard import SAME_WITHIN, ScoreRow, board
from visualizer.cli import commands as cli
from visualizer.lessons.services.facts import UP_TO_DATE_S
from visualizer.sim.scenario import load


def by_label(rows: list[ScoreRow]) -> dict[str, ScoreRow]:
    return {r.label: r for r in rows}


def test_a_difference_within_the_noise_ticks_no_side():
    near = ScoreRow("Latency p95", 110.0, 110.0 * (1 - SAME_WITHIN / 2), "ms")
    assert near.difference_text().startswith("−")  # shown, but no side is better
    assert near.better is None
    far = ScoreRow("Latency p95", 110.0, 110.0 * (1 - 2 * SAME_WITHIN), "ms")
    assert far.better is Side.B
    assert ScoreRow("Sessions lost", 3, 0).better is Side.B  # 0 against any count: 100%


def test_polling_is_not_ticked_for_the_requests_it_wastes():
    both = Comparison(load("compare-polling"))
    both.advance(60.0)
    rows = by_label(board(both))
    served = rows["Requests served"]
    assert served.a > served.b  # polls: the waste the lesson is about
    assert served.better is Side.B
    for row in rows.values():  # no tick for a difference within the noise
        if row.better is not None:
            assert abs(row.difference) >= SAME_WITHIN * max(abs(row.a), abs(row.b))
    p95 = rows["Latency p95"]  # the same servers answer the same requests on both sides
    assert abs(p95.difference) < SAME_WITHIN * p95.a and p95.better is None


def test_requests_served_ticks_no_side_where_the_design_sets_how_many():
    both = Comparison(load("compare-crash"))
    both.advance(75.0)
    served = by_label(board(both))["Requests served"]
    assert served.a != served.b and not served.judged and served.better is None


def test_the_services_scoreboard_says_what_the_cards_say_and_the_drain_time():
    both = Comparison(load("compare-drain"))  # consumers stopped from 60 s to 90 s
    both.advance(80.0)
    rows = by_label(board(both))
    behind = rows["Behind now"]
    for run, value in ((both.a, behind.a), (both.b, behind.b)):
        assert value == run.snapshot().lesson.consumer_lag_s >= 10  # the cards' "s behind"
    assert rows["Drain time"].a is None and rows["Drain time"].b is None  # not yet drained
    assert rows["Delivered: mean delay"].better is None  # (it leaves out the waiting ones)
    both.advance(150.0)
    rows = by_label(board(both))
    drain = rows["Drain time"]
    assert drain.better is Side.B
    for run, value in ((both.a, drain.a), (both.b, drain.b)):
        facts = run.snapshot().lesson
        backlog = max(s.lesson[2] for s in run.samples)  # queue depth at its peak
        theory = backlog / (facts.consumer_capacity_per_s - facts.order_rate_per_s)
        assert abs(value - theory) <= 0.25 * theory + 1.0  # whole seconds of samples
        up = [s.t for s in run.samples if s.t > 90.0 and s.lesson[3] < UP_TO_DATE_S]
        assert value == up[0] - 90.0  # from the restart, the lag's peak, to "up to date"


def test_compare_on_the_command_line_prints_the_drain_time(capsys):
    assert cli.main(["compare", "compare-drain"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("Drain time"))
    assert line.rstrip().endswith("B")
