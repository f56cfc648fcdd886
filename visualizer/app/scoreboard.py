"""The scoreboard of a comparison: a measure per column for A and B, B − A, and the
better side, from the two summaries (and, for what a summary does not hold, the runs'
per-second samples). Each lesson's spec names its own rows (``visualizer.lessons``);
the rows every lesson shares follow them. Nothing here imports Qt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from visualizer.lessons import SPECS
from visualizer.lessons.score import SAME_WITHIN, Pair, ScoreRow
from visualizer.sim.config import Lesson

if TYPE_CHECKING:
    from visualizer.app.compare import Comparison

__all__ = ["SAME_WITHIN", "ScoreRow", "board", "sample_readers", "scoreboard"]


def scoreboard(a: Mapping[str, Any], b: Mapping[str, Any], sampled: Pair = None) -> list[ScoreRow]:
    """The rows the scoreboard shows, from the two summaries (and ``sampled``, both
    sides' measures from their samples, where a lesson's rows need them): the lesson's
    own (sessions lost by cause; wrong answers; requests accepted after revoke; the
    backlog), failed requests (by code), latency p50 and p95, peak memory, requests
    served. Causes and codes appear when either side has any."""
    spec = SPECS[lesson_of(a)]
    rows = spec.score_rows(a, b, sampled)
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
    more_is_better = spec.more_requests_better
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
    sampled = sample_readers(lesson_of(a))
    for reader, run in zip(sampled, (comparison.a, comparison.b), strict=True):
        for sample in run.samples:
            reader.add(sample)
    return scoreboard(a, b, sampled)


def lesson_of(summary: Mapping[str, Any]) -> Lesson:
    """The lesson a run's summary is of."""
    return Lesson(summary.get("lesson", "sessions"))


def sample_readers(lesson: Lesson) -> tuple[Any, Any]:
    """A reader of each side's samples, for what the lesson's rows need of them."""
    spec = SPECS[lesson]
    return spec.sample_reader(), spec.sample_reader()
