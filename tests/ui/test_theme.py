"""One colour, one meaning: the failure red is used for nothing else, and servers, users
and error codes each have colours the others do not come close to."""

from __future__ import annotations

import itertools

import pytest

from visualizer.sim.records import ErrorCode, LossCause
from visualizer.ui.theme import (
    ERROR_COLORS,
    FAILURE,
    GREEN,
    LOSS_COLORS,
    SERVER_COLORS,
    USER_COLORS,
)


def _rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def distance(a: str, b: str) -> float:
    """The "redmean" colour distance: close to what eyes see, cheap to compute."""
    (r1, g1, b1), (r2, g2, b2) = _rgb(a), _rgb(b)
    rm = (r1 + r2) / 2
    return (
        (2 + rm / 256) * (r1 - r2) ** 2
        + 4 * (g1 - g2) ** 2
        + (2 + (255 - rm) / 256) * (b1 - b2) ** 2
    ) ** 0.5


CODES = [c for code, c in ERROR_COLORS.items() if c != FAILURE]
FAMILIES = {
    "servers": list(SERVER_COLORS),
    "users": list(USER_COLORS),
    "error codes": CODES,
    "status": [GREEN],
}


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(FAMILIES, 2)))
def test_families_of_meaning_are_far_apart(a, b):
    closest = min(distance(x, y) for x in FAMILIES[a] for y in FAMILIES[b])
    assert closest >= 75, (a, b, closest)


def test_the_failure_red_means_failure_only():
    others = [c for family in FAMILIES.values() for c in family]
    assert min(distance(FAILURE, c) for c in others) >= 100
    assert FAILURE == ERROR_COLORS[ErrorCode.SESSION_LOST] == LOSS_COLORS[LossCause.CRASH]


def test_servers_and_error_codes_are_told_apart_among_themselves():
    for family in (SERVER_COLORS, list(ERROR_COLORS.values())):
        assert min(distance(a, b) for a, b in itertools.combinations(family, 2)) >= 90
