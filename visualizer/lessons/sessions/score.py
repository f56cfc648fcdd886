"""The sessions lesson's rows on a comparison's scoreboard: sessions lost, by cause."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from visualizer.lessons.score import Pair, ScoreRow


def sessions_rows(a: Mapping[str, Any], b: Mapping[str, Any], _: Pair) -> list[ScoreRow]:
    rows = [ScoreRow("Sessions lost", a["sessions"]["lost"], b["sessions"]["lost"])]
    for cause, n in a["sessions"]["lost_by_cause"].items():
        m = b["sessions"]["lost_by_cause"][cause]
        if n or m:
            rows.append(ScoreRow(f"by {cause.replace('_', ' ')}", n, m, indent=True))
    return rows
