"""The colours and what each means, without Qt: what views and lessons' views read
(the Qt theme, ``visualizer.ui.theme``, builds pens and palettes from them)."""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.sim.records import ErrorCode, LossCause

# One colour, one meaning (DESIGN §11): each family below is kept apart from the others
# (tests/ui/test_theme.py measures it), and every colour is paired with a label, a line
# style or a shape.

#: Failure and nothing else: failed requests, crashes, sessions lost.
FAILURE = "#D62728"
#: Healthy / on: UP badges, sticky on, the store up.
GREEN = "#2A8050"  # white on it reads at 4.9:1
BLUE = "#0072B2"  # the window's highlight (selection), also server-1
#: A response that carried nothing (an empty poll): a grey ring, never a filled dot.
EMPTY = "#8C8C8C"
#: A message on its way to its user: a dark teal diamond (users are light round dots).
MESSAGE = "#005F73"

ERROR_COLORS: dict[ErrorCode, str] = {
    ErrorCode.SESSION_MISSING: "#B35806",
    ErrorCode.SESSION_LOST: FAILURE,
    ErrorCode.SERVER_DOWN: "#4D004B",
    ErrorCode.STORE_UNAVAILABLE: "#2F4F6F",
    ErrorCode.INSUFFICIENT_CONTEXT: "#0000DD",  # (was a green: the status green's)
    ErrorCode.OVERLOADED: "#E7298A",
    ErrorCode.TAMPERED: "#BF812D",
    ErrorCode.REVOKED: "#053061",
    ErrorCode.DB_UNAVAILABLE: "#A000F0",
}


def luminance(color: str) -> float:
    """Relative luminance (WCAG) of a "#RRGGBB" colour."""
    h = color.lstrip("#")

    def channel(k: int) -> float:
        c = int(h[k : k + 2], 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (4.5:1 is the least for text)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


#: Sessions lost are failures: shades of the one red, told apart by symbol and label.
LOSS_COLORS: dict[LossCause, str] = {
    LossCause.CRASH: FAILURE,
    LossCause.MISROUTED: "#F4A582",
    LossCause.STORE_OUTAGE: "#B2182B",
    LossCause.OOM: "#67001F",
}

#: Server colours (plot lines and card swatches): no red, no status green; servers 9-16
#: reuse them as outlines, with their own shapes.
SERVER_COLORS = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#CC79A7",
    "#A08C00",
    "#6A3D9A",
    "#7F7F7F",
    "#17A2B8",
)

#: Users get light tints (stable per user id): told from servers at a glance, visible on
#: dark canvases, never red.
USER_COLORS = (
    "#AEC7E8",
    "#FFBB78",
    "#98DF8A",
    "#C5B0D5",
    "#C49C94",
    "#F7B6D2",
    "#DBDB8D",
    "#9EDAE5",
    "#B5CF6B",
    "#E7BA52",
    "#A6D8C9",
    "#BCBDDC",
)


#: One shape per server, on its card and at the end of its plot lines.
SERVER_SYMBOLS = ("o", "s", "t1", "d", "p", "h", "star", "t")


def server_color(index: int) -> str:
    return SERVER_COLORS[index % len(SERVER_COLORS)]


def server_symbol(index: int) -> str:
    return SERVER_SYMBOLS[index % len(SERVER_SYMBOLS)]


def server_hollow(index: int) -> bool:
    """Servers 9-16 reuse the colours and shapes of 1-8, drawn as outlines."""
    return (index // len(SERVER_COLORS)) % 2 == 1


def user_color_index(user: int) -> int:
    """Stable colour slot for a user id (a multiplicative hash spreads neighbours)."""
    return ((user * 2654435761) & 0xFFFFFFFF) % len(USER_COLORS)


#: A theme: the colours of the canvas, cards, text and plots (the Qt palette is
#: ``visualizer.ui.theme.apply_theme``).
@dataclass(frozen=True)
class Theme:
    name: str
    dark: bool
    canvas: str
    card: str
    card_border: str
    card_down: str
    text: str
    muted: str
    grid: str
    plot_bg: str


LIGHT = Theme(
    name="light",
    dark=False,
    canvas="#F4F5F7",
    card="#FFFFFF",
    card_border="#B9BEC7",
    card_down="#3A3D42",
    text="#16181C",
    muted="#5B616B",
    grid="#D5D8DE",
    plot_bg="#FFFFFF",
)

DARK = Theme(
    name="dark",
    dark=True,
    canvas="#1C1E22",
    card="#2A2D33",
    card_border="#4A4F58",
    card_down="#0B0C0E",
    text="#ECEEF1",
    muted="#A3A9B3",
    grid="#3A3F47",
    plot_bg="#22252A",
)


CONTRAST = Theme(
    name="contrast",
    dark=True,
    canvas="#000000",
    card="#000000",
    card_border="#FFFFFF",
    card_down="#4A0E00",
    text="#FFFFFF",
    muted="#F0F0F0",
    grid="#C8C8C8",
    plot_bg="#000000",
)

THEMES = {t.name: t for t in (LIGHT, DARK, CONTRAST)}
