"""Colours, pens and fonts: one colour, one meaning, and every meaningful colour paired
with a label, a line style or a shape."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from visualizer.ui.colors import (
    BLUE,
    contrast,
)


def badge_fill(color: str) -> str:
    """``color`` darkened (its hue kept) until white text on it reads at 4.5:1 at least:
    a code's badge in its own colour, readable (TAMPERED's tan was not)."""
    q = QColor(color)
    while contrast(q.name(), "#FFFFFF") < 4.5:
        q = q.darker(110)
    return q.name().upper()


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
    # Fusion draws check-box and radio indicators with the palette's dark shades, which
    # vanish on black: the high-contrast theme outlines them in white.
    app.setStyleSheet(
        "QCheckBox::indicator, QRadioButton::indicator { border: 2px solid #FFFFFF;"
        " width: 14px; height: 14px; background: #000000; }"
        "QCheckBox::indicator:checked { background: #FFFFFF; }"
        if theme.name == "contrast"
        else ""
    )
    font = app.font()
    font.setPointSizeF(max(font.pointSizeF(), 11.0))
    app.setFont(font)
