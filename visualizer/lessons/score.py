"""The scoreboard's vocabulary, shared by every lesson's rows: the two sides of a
comparison and one row of the board (a measure for A and B, B − A and the better side).
Each lesson's package says its own rows (``LessonSpec.score_rows``). Nothing here imports
Qt."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Side(StrEnum):
    """A side of a comparison."""

    A = "a"
    B = "b"


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


#: Both sides' measures read from their per-second samples, where a lesson's rows need
#: what a summary does not hold (None: the summaries' alone).
Pair = tuple[Any, Any] | None

#: A lesson's own rows at the head of the scoreboard, from the two summaries.
Rows = Callable[[Mapping[str, Any], Mapping[str, Any], Pair], list["ScoreRow"]]
