"""The scoreboard of a comparison: a measure per column for A and B, B − A, and the
better side, from the two summaries; each lesson names its own measures (its rows).
Nothing here imports Qt."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from visualizer.app.compare import Side


@dataclass(frozen=True)
class ScoreRow:
    """One line of the scoreboard: a measure for A and B, B − A, and the better side
    (``None`` on a tie), for a view to mark with more than colour."""

    label: str
    a: float | None
    b: float | None
    unit: str = ""
    higher_is_better: bool = False
    indent: bool = False  # a part of the row above (a cause, a code)

    @property
    def difference(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def better(self) -> Side | None:
        d = self.difference
        if d is None or self.difference_text() == "same":
            return None
        b_better = d > 0 if self.higher_is_better else d < 0
        return Side.B if b_better else Side.A

    def text(self, value: float | None) -> str:
        if value is None:
            return "–"
        if self.unit in ("ms", "MB", "s"):
            return f"{value:,.1f} {self.unit}"
        return f"{value:,.0f}"

    def difference_text(self) -> str:
        d = self.difference
        if d is None:
            return "–"
        body = self.text(abs(d))
        if abs(d) < 1e-9 or body == self.text(0.0):
            return "same"  # (or too small to show)
        return ("+" if d > 0 else "−") + body


def _sessions_rows(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ScoreRow]:
    rows = [ScoreRow("Sessions lost", a["sessions"]["lost"], b["sessions"]["lost"])]
    for cause, n in a["sessions"]["lost_by_cause"].items():
        m = b["sessions"]["lost_by_cause"][cause]
        if n or m:
            rows.append(ScoreRow(f"by {cause.replace('_', ' ')}", n, m, indent=True))
    return rows


def _counter_rows(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ScoreRow]:
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


def _auth_rows(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ScoreRow]:
    aa, ab = a["auth"], b["auth"]
    rows = [
        ScoreRow("Accepted after revoke", aa["accepted_after_revoke"], ab["accepted_after_revoke"])
    ]
    rows.append(ScoreRow("revocations", aa["revocations"], ab["revocations"], indent=True))
    rows.append(ScoreRow("Store lookups", aa["store_lookups"], ab["store_lookups"]))
    return rows


def _realtime_rows(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ScoreRow]:
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


def _services_rows(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ScoreRow]:
    """The queue first (a backlog's delay, its peak and lag), then failed orders if any."""
    sa, sb = a["services"], b["services"]
    rows = [
        ScoreRow(
            "Notification delay",
            sa["latency_ms_by_tier"]["notifications"],
            sb["latency_ms_by_tier"]["notifications"],
            "ms",
        ),
        ScoreRow("Peak queue", sa["peak_queue_depth"], sb["peak_queue_depth"]),
        ScoreRow("max lag", sa["max_consumer_lag_s"], sb["max_consumer_lag_s"], "s", indent=True),
    ]
    if sa["orders_failed"] or sb["orders_failed"]:
        rows.append(ScoreRow("Orders failed", sa["orders_failed"], sb["orders_failed"]))
    return rows


#: Each lesson's own rows at the head of the scoreboard (what the comparison is about).
LESSON_ROWS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], list[ScoreRow]]] = {
    "sessions": _sessions_rows,
    "counter": _counter_rows,
    "auth": _auth_rows,
    "realtime": _realtime_rows,
    "services": _services_rows,
}


def scoreboard(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ScoreRow]:
    """The rows the scoreboard shows, from the two summaries: the lesson's own (sessions
    lost by cause; wrong answers; requests accepted after revoke), failed requests (by
    code), latency p50 and p95, peak memory, requests served. Causes and codes appear
    when either side has any."""
    rows = LESSON_ROWS[a.get("lesson", "sessions")](a, b)
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
    rows.append(
        ScoreRow(
            "Requests served",
            a["requests"]["ok"],
            b["requests"]["ok"],
            higher_is_better=True,
        )
    )
    return rows
