"""Colours, pens and fonts. Okabe–Ito for everything that carries meaning, and every
meaningful colour is paired with a label, a line style or a shape."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from visualizer.sim.records import ErrorCode, LossCause

# Okabe & Ito (2008), colour-blind safe.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"

ERROR_COLORS: dict[ErrorCode, str] = {
    ErrorCode.SESSION_MISSING: ORANGE,
    ErrorCode.SESSION_LOST: VERMILLION,
    ErrorCode.SERVER_DOWN: "#555555",
    ErrorCode.STORE_UNAVAILABLE: PURPLE,
    ErrorCode.INSUFFICIENT_CONTEXT: SKY,
    ErrorCode.OVERLOADED: "#8C6D1F",
}

LOSS_COLORS: dict[LossCause, str] = {
    LossCause.CRASH: VERMILLION,
    LossCause.MISROUTED: ORANGE,
    LossCause.STORE_OUTAGE: PURPLE,
    LossCause.OOM: BLUE,
}

#: Server colours (plot lines and card swatches); servers 9-16 reuse them dashed.
SERVER_COLORS = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, "#7F7F7F", "#B8A200")
FAILURE = VERMILLION

#: Users get one of these (stable per user id); distinct from each other, not pure red.
USER_COLORS = (
    "#1F77B4",
    "#2CA02C",
    "#9467BD",
    "#17BECF",
    "#BCBD22",
    "#E377C2",
    "#8C564B",
    "#FF9F1C",
    "#3A86FF",
    "#06A77D",
    "#8338EC",
    "#F4A261",
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

    def q(self, attr: str) -> QColor:
        return QColor(getattr(self, attr))


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


def theme_named(name: str) -> Theme:
    """ "light", "dark", "contrast", or "system" (dark if the system asks for it)."""
    if name in THEMES:
        return THEMES[name]
    return DARK if system_prefers_dark() else LIGHT


def system_prefers_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Fusion style with a palette matching the theme; larger base font for projectors."""
    app.setStyle("Fusion")
    pal = QPalette()
    if theme.dark:
        base = QColor("#000000" if theme.name == "contrast" else "#22252A")
        window = QColor("#000000" if theme.name == "contrast" else "#2A2D33")
        text = QColor(theme.text)
        pal.setColor(QPalette.ColorRole.Window, window)
        pal.setColor(QPalette.ColorRole.WindowText, text)
        pal.setColor(QPalette.ColorRole.Base, base)
        pal.setColor(QPalette.ColorRole.AlternateBase, window)
        pal.setColor(QPalette.ColorRole.Text, text)
        pal.setColor(QPalette.ColorRole.Button, QColor("#33373E"))
        pal.setColor(QPalette.ColorRole.ButtonText, text)
        pal.setColor(QPalette.ColorRole.ToolTipBase, QColor("#33373E"))
        pal.setColor(QPalette.ColorRole.ToolTipText, text)
        pal.setColor(QPalette.ColorRole.Highlight, QColor(BLUE))
        pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#FFFFFF"))
        pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(theme.muted))
    else:
        pal = app.style().standardPalette()
        pal.setColor(QPalette.ColorRole.Highlight, QColor(BLUE))
    app.setPalette(pal)
    font = app.font()
    font.setPointSizeF(max(font.pointSizeF(), 11.0))
    app.setFont(font)
