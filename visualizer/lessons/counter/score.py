"""The counter lesson's rows on a comparison's scoreboard: wrong answers and why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from visualizer.lessons.score import Pair, ScoreRow


def counter_rows(a: Mapping[str, Any], b: Mapping[str, Any], _: Pair) -> list[ScoreRow]:
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
