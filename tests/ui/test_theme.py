"""One colour, one meaning: the failure red is used for nothing else, and servers, users
and error codes each have colours the others do not come close to."""

from __future__ import annotations

import colorsys
import itertools

import pytest

from visualizer.sim.records import ErrorCode, LossCause
from visualizer.ui.canvas.dots import badge_fill
from visualizer.ui.canvas.nodes import sticky_badge
from visualizer.ui.colors import (
    CONTRAST,
    DARK,
    ERROR_COLORS,
    FAILURE,
    GREEN,
    LIGHT,
    LOSS_COLORS,
    SERVER_COLORS,
    USER_COLORS,
    contrast,
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


def _hue(color: str) -> float:
    r, g, b = (v / 255 for v in _rgb(color))
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def test_no_error_code_wears_the_status_green():
    """The green of UP, STICKY ✓ and 'better' means healthy: an error code in a green
    (INSUFFICIENT_CONTEXT was one) reads as good news."""
    for code, color in ERROR_COLORS.items():
        apart = abs(_hue(color) - _hue(GREEN))
        assert min(apart, 360 - apart) >= 45, (code, color)


@pytest.mark.parametrize("theme", [LIGHT, DARK, CONTRAST], ids=lambda t: t.name)
def test_the_sticky_badge_reads_in_every_theme(theme):
    for sticky in (True, False):
        fill, ink, _ = sticky_badge(theme, sticky)
        assert contrast(fill, ink) >= 4.5, (theme.name, sticky, fill, ink)


def test_every_codes_badge_reads_white_text_in_its_own_hue():
    """A failure label is white on its code's colour, darkened as far as it takes
    (TAMPERED's tan read at 2.9:1, washed out on the projector)."""
    for code, color in ERROR_COLORS.items():
        fill = badge_fill(color)
        assert contrast(fill, "#FFFFFF") >= 4.5, (code, color, fill)
        apart = abs(_hue(fill) - _hue(color))
        assert min(apart, 360 - apart) < 6, (code, color, fill)
