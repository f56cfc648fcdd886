"""The services lesson's rows on a comparison's scoreboard: the notification backlog as
the cards tell it, read from the runs' samples (``Backlog``) and their summaries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from visualizer.lessons.score import Pair, ScoreRow
from visualizer.lessons.services.facts import UP_TO_DATE_S
from visualizer.lessons.services.model import FIGURES as SERVICES_FIGURES
from visualizer.sim.metrics import Sample

_LAG = SERVICES_FIGURES.index("services_consumer_lag_s")


class Backlog:
    """What the scoreboard needs that a summary does not hold, read from a run's
    per-second samples (fed one by one): the notification queue in the cards' terms:
    ``behind_s``, how far behind the consumers are now (the age of the oldest message
    not yet consumed: the cards' "20 s behind"), and ``drain_s``, how long the longest
    backlog took to drain: from the sample where it was furthest behind (the consumers
    back, catching up) to the first one under ``UP_TO_DATE_S`` (the cards' "up to
    date"); None until one has."""

    def __init__(self) -> None:
        self.behind_s = 0.0
        self.drain_s: float | None = None
        self._peak: tuple[float, float] | None = None  # (lag, t) of the backlog now

    def add(self, sample: Sample) -> None:
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


def services_rows(a: Mapping[str, Any], b: Mapping[str, Any], sampled: Pair) -> list[ScoreRow]:
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
