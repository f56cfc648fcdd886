"""The scoreboard of a comparison: a measure per column for A and B, B − A, and the
better side, from the two summaries (and, for what a summary does not hold, the runs'
per-second samples); each lesson names its own measures (its rows). Nothing here
imports Qt."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from visualizer.app.compare import Side
from visualizer.sim.lessons.services import FIGURES as SERVICES_FIGURES
from visualizer.sim.lessons.services_facts import UP_TO_DATE_S
from visualizer.sim.metrics import Sample

if TYPE_CHECKING:
    from visualizer.app.compare import Comparison

#: A side is better only when the difference is at least this share of the larger of
#: the two values. Both sides serve the same users, yet measures that do not depend on
#: the design still differ a little: over seeds 1-5 of compare-polling and
#: compare-sticky, latency p50 and p95 of A and B differ by up to 1% (1.1 ms of 110 ms),
#: one way or the other with the seed. Five times that is a difference of design, not of
#: which requests happened to fall where; a count that is 0 on one side (the lesson's
#: losses, say) always differs by 100%.
SAME_WITHIN = 0.05


@dataclass(frozen=True)
class ScoreRow:
    """One line of the scoreboard: a measure for A and B, B − A, and the better side
    (``None`` on a tie, within ``SAME_WITHIN``, or for a measure that is no score), for a
    view to mark with more than colour."""

    label: str
    a: float | None
    b: float | None
    unit: str = ""
    higher_is_better: bool = False
    indent: bool = False  # a part of the row above (a cause, a code)
    judged: bool = True  # False: a count the design sets, neither more nor less is better

    @property
    def difference(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def better(self) -> Side | None:
        d = self.difference
        if d is None or not self.judged or self.difference_text() == "same":
            return None
        if abs(d) < SAME_WITHIN * max(abs(self.a), abs(self.b)):  # type: ignore[arg-type]
            return None  # as close as two runs of the same design
        b_better = d > 0 if self.higher_is_better else d < 0
        return Side.B if b_better else Side.A

    def text(self, value: float | None, unit: bool = True) -> str:
        """The value as the board prints it; ``unit=False``: the number alone (a view
        that names the unit once, in the column's head)."""
        if value is None:
            return "–"
        if self.unit in ("ms", "MB", "s"):
            return f"{value:,.1f} {self.unit}" if unit else f"{value:,.1f}"
        return f"{value:,.0f}"

    def difference_text(self, unit: bool = True) -> str:
        d = self.difference
        if d is None:
            return "–"
        body = self.text(abs(d), unit)
        if abs(d) < 1e-9 or body == self.text(0.0, unit):
            return "same"  # (or too small to show)
        return ("+" if d > 0 else "−") + body

    @property
    def head(self) -> str:
        """The column's head when the cells print numbers alone: "Latency p50 (ms)"."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


_LAG = SERVICES_FIGURES.index("services_consumer_lag_s")


class Sampled:
    """What the scoreboard needs that a summary does not hold, read from a run's
    per-second samples (fed one by one, or ``of`` a run's list). For the services
    lesson, the notification queue in the cards' terms: ``behind_s``, how far behind the
    consumers are now (the age of the oldest message not yet consumed: the cards'
    "20 s behind"), and ``drain_s``, how long the longest backlog took to drain: from
    the sample where it was furthest behind (the consumers back, catching up) to the
    first one under ``UP_TO_DATE_S`` (the cards' "up to date"); None until one has."""

    def __init__(self, lesson: str) -> None:
        self.services = lesson == "services"
        self.behind_s = 0.0
        self.drain_s: float | None = None
        self._peak: tuple[float, float] | None = None  # (lag, t) of the backlog now

    @classmethod
    def of(cls, lesson: str, samples: Iterable[Sample]) -> Sampled:
        out = cls(lesson)
        if out.services:
            for sample in samples:
                out.add(sample)
        return out

    def add(self, sample: Sample) -> None:
        if not self.services:
            return
        lag = sample.lesson[_LAG]
        self.behind_s = lag
        peak = self._peak
        if lag >= UP_TO_DATE_S:
            if peak is None or lag >= peak[0]:
                self._peak = (lag, sample.t)
        elif peak is not None:
            self._peak = None
            drained = sample.t - peak[1]
            if self.drain_s is None or drained > self.drain_s:
                self.drain_s = drained


#: Both sides' ``Sampled`` measures (None: a summary's alone).
Pair = tuple[Sampled, Sampled] | None


def _sessions_rows(a: Mapping[str, Any], b: Mapping[str, Any], _: Pair) -> list[ScoreRow]:
    rows = [ScoreRow("Sessions lost", a["sessions"]["lost"], b["sessions"]["lost"])]
    for cause, n in a["sessions"]["lost_by_cause"].items():
        m = b["sessions"]["lost_by_cause"][cause]
        if n or m:
            rows.append(ScoreRow(f"by {cause.replace('_', ' ')}", n, m, indent=True))
    return rows


def _counter_rows(a: Mapping[str, Any], b: Mapping[str, Any], _: Pair) -> list[ScoreRow]:
    ca, cb = a["counter"], b["counter"]
    rows = [ScoreRow("Wrong answers", ca["wrong_answers"], cb["wrong_answers"])]
    for key, label in (
        ("lost_updates", "updates lost"),
        ("max_divergence", "largest disagreement"),
        ("tampered_accepted", "forged accepted"),
        ("tampered_rejected", "forged refused"),
    ):
        if ca[key] or cb[key]:
            rows.append(ScoreRow(label, ca[key], cb[key], indent=True))
    return rows


def _auth_rows(a: Mapping[str, Any], b: Mapping[str, Any], _: Pair) -> list[ScoreRow]:
    aa, ab = a["auth"], b["auth"]
    rows = [
        ScoreRow("Accepted after revoke", aa["accepted_after_revoke"], ab["accepted_after_revoke"])
    ]
    rows.append(ScoreRow("revocations", aa["revocations"], ab["revocations"], indent=True))
    rows.append(ScoreRow("Store lookups", aa["store_lookups"], ab["store_lookups"]))
    return rows


def _realtime_rows(a: Mapping[str, Any], b: Mapping[str, Any], _: Pair) -> list[ScoreRow]:
    ra, rb = a["realtime"], b["realtime"]
    return [
        ScoreRow("Delivery delay", ra["delivery_ms_mean"], rb["delivery_ms_mean"], "ms"),
        ScoreRow("p95", ra["delivery_ms_p95"], rb["delivery_ms_p95"], "ms", indent=True),
        ScoreRow("Empty polls", ra["empty_polls"], rb["empty_polls"]),
        ScoreRow("Peak connections", ra["peak_connections"], rb["peak_connections"]),
        ScoreRow(
            "their memory",
            ra["peak_connection_memory_mb"],
            rb["peak_connection_memory_mb"],
            "MB",
            indent=True,
        ),
        ScoreRow("Peak reconnects/s", ra["peak_reconnects_per_s"], rb["peak_reconnects_per_s"]),
    ]


def _services_rows(a: Mapping[str, Any], b: Mapping[str, Any], sampled: Pair) -> list[ScoreRow]:
    """The backlog first, as the cards tell it (how far behind now, how long the backlog
    took to drain: what the lesson is about), then the queue's peak and lag, the mean
    delay of the notifications delivered so far, then failed orders if any. While
    either queue is behind, that mean leaves out the messages still waiting (the late
    ones): it is shown, but judges no side until both are up to date."""
    sa, sb = a["services"], b["services"]
    rows = []
    caught_up = True
    if sampled is not None:
        caught_up = max(s.behind_s for s in sampled) < UP_TO_DATE_S
        rows += [
            ScoreRow("Behind now", sampled[0].behind_s, sampled[1].behind_s, "s"),
            ScoreRow("Drain time", sampled[0].drain_s, sampled[1].drain_s, "s"),
        ]
    rows += [
        ScoreRow("Peak queue", sa["peak_queue_depth"], sb["peak_queue_depth"]),
        ScoreRow("max lag", sa["max_consumer_lag_s"], sb["max_consumer_lag_s"], "s", indent=True),
        ScoreRow(
            "Delivered: mean delay",
            sa["latency_ms_by_tier"]["notifications"],
            sb["latency_ms_by_tier"]["notifications"],
            "ms",
            judged=caught_up,
        ),
    ]
    if sa["orders_failed"] or sb["orders_failed"]:
        rows.append(ScoreRow("Orders failed", sa["orders_failed"], sb["orders_failed"]))
    return rows


#: Each lesson's own rows at the head of the scoreboard (what the comparison is about).
LESSON_ROWS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any], Pair], list[ScoreRow]]] = {
    "sessions": _sessions_rows,
    "counter": _counter_rows,
    "auth": _auth_rows,
    "realtime": _realtime_rows,
    "services": _services_rows,
}


#: Whether serving more requests is better, by lesson. Where the design sets how many
#: requests the same users make (polls, reconnects: the waste the realtime lesson is
#: about) fewer is better; elsewhere the count is shown but judged by no one: users log
#: in again after a lost session, retry after a failure, refresh a token, so more
#: requests served is not more work done (the lesson's own rows and failures say that).
REQUESTS_SERVED: dict[str, bool | None] = {"realtime": False}


def scoreboard(a: Mapping[str, Any], b: Mapping[str, Any], sampled: Pair = None) -> list[ScoreRow]:
    """The rows the scoreboard shows, from the two summaries (and ``sampled``, both
    sides' measures from their samples, where a lesson's rows need them): the lesson's
    own (sessions lost by cause; wrong answers; requests accepted after revoke; the
    backlog), failed requests (by code), latency p50 and p95, peak memory, requests
    served. Causes and codes appear when either side has any."""
    lesson = a.get("lesson", "sessions")
    rows = LESSON_ROWS[lesson](a, b, sampled)
    rows.append(ScoreRow("Failed requests", a["requests"]["failed"], b["requests"]["failed"]))
    for code, n in a["requests"]["by_code"].items():
        m = b["requests"]["by_code"][code]
        if n or m:
            rows.append(ScoreRow(code, n, m, indent=True))
    for q in ("p50", "p95"):
        rows.append(ScoreRow(f"Latency {q}", a["latency_ms"][q], b["latency_ms"][q], "ms"))
    if a["memory_mb"]["peak_total"] or b["memory_mb"]["peak_total"]:  # (sessions held)
        rows.append(
            ScoreRow(
                "Peak memory", a["memory_mb"]["peak_total"], b["memory_mb"]["peak_total"], "MB"
            )
        )
        rows.append(
            ScoreRow(
                "in the store",
                a["memory_mb"]["peak_store"],
                b["memory_mb"]["peak_store"],
                "MB",
                indent=True,
            )
        )
    more_is_better = REQUESTS_SERVED.get(lesson)
    rows.append(
        ScoreRow(
            "Requests served",
            a["requests"]["ok"],
            b["requests"]["ok"],
            higher_is_better=bool(more_is_better),
            judged=more_is_better is not None,
        )
    )
    return rows


def board(comparison: Comparison) -> list[ScoreRow]:
    """The scoreboard of a comparison at the moment it shows: its summaries and what
    its runs' samples say."""
    a, b = comparison.summaries()
    lesson = a.get("lesson", "sessions")
    sampled = (Sampled.of(lesson, comparison.a.samples), Sampled.of(lesson, comparison.b.samples))
    return scoreboard(a, b, sampled)
