"""The sign-in lesson's rows on a comparison's scoreboard: revoked users getting in, and
the store lookups that stop them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from visualizer.lessons.score import Pair, ScoreRow


def auth_rows(a: Mapping[str, Any], b: Mapping[str, Any], _: Pair) -> list[ScoreRow]:
    aa, ab = a["auth"], b["auth"]
    rows = [
        ScoreRow("Accepted after revoke", aa["accepted_after_revoke"], ab["accepted_after_revoke"])
    ]
    rows.append(ScoreRow("revocations", aa["revocations"], ab["revocations"], indent=True))
    rows.append(ScoreRow("Store lookups", aa["store_lookups"], ab["store_lookups"]))
    return rows
