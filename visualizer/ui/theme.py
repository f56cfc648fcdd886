"""The themes in Qt: which one to use, and the application's palette and font for it
(the colours themselves, and their meanings, are ``visualizer.ui.colors``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from visualizer.ui.colors import BLUE, DARK, LIGHT, THEMES, Theme


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
