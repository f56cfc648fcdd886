"""The realtime lesson's rows on a comparison's scoreboard: delivery, waste, connections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from visualizer.lessons.score import Pair, ScoreRow


def realtime_rows(a: Mapping[str, Any], b: Mapping[str, Any], _: Pair) -> list[ScoreRow]:
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
