"""Open and save scenario files from the window (Ctrl+O, Ctrl+S, recent files).

Saving writes the run as it could be replayed: its starting settings and seed, with
the commands given so far (crashes, toggles, parameter changes) as a [[faults]]
schedule, so opening the file and running it reproduces the same numbers. A bad file
gets one message naming the key and what is allowed; the current run is untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu

from visualizer.sim import scenario
from visualizer.sim.schema import ConfigError
from visualizer.ui.export.render import ExportError, file_stem, save
from visualizer.ui.window.plain import tooltip

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from visualizer.ui.window.host import ScenarioHost
    from visualizer.ui.window.settings import AppSettings

FILTER = "Scenario files (*.toml)"


class ScenarioFiles(QObject):
    def __init__(self, host: ScenarioHost, parent: QWidget, settings: AppSettings) -> None:
        super().__init__(parent)
        self.host = host
        self.parent_widget = parent
        self.settings = settings
        self.recent_menu: QMenu | None = None

    # --- dialogs (replaced in tests) ----------------------------------------------------

    def ask_open(self) -> Path | None:
        start = self._folder()
        path, _ = QFileDialog.getOpenFileName(self.parent_widget, "Open a scenario", start, FILTER)
        return Path(path) if path else None

    def ask_save(self, name: str) -> Path | None:
        start = str(Path(self._folder()) / name)
        parent = self.parent_widget
        path, _ = QFileDialog.getSaveFileName(parent, "Save the scenario", start, FILTER)
        return Path(path) if path else None

    def _folder(self) -> str:
        recent = self.settings.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    # --- actions ------------------------------------------------------------------------

    def open_dialog(self) -> bool:
        path = self.ask_open()
        return path is not None and self.open_path(path)

    def open_path(self, path: Path | str) -> bool:
        """Load and start ``path``; on a bad file show why and change nothing."""
        try:
            config = scenario.load_file(Path(path))
        except ConfigError as exc:
            self.host.show_error("Cannot open the scenario", str(exc))
            return False
        self.host.start_scenario(config)
        self.settings.add_recent_file(path)
        self.settings.last_scenario = str(Path(path).resolve())
        self.refresh_recent()
        return True

    def save_dialog(self) -> Path | None:
        name = f"{file_stem(self.host.driver.config.scenario.name)}-session.toml"
        path = self.ask_save(name)
        if path is None:
            return None
        if path.suffix.lower() != ".toml":
            path = path.with_name(path.name + ".toml")
        return self.save_path(path)

    def save_path(self, path: Path | str) -> Path | None:
        """Write the run so far as a scenario that reproduces it (atomically)."""
        config = self.host.driver.reproducible_config()
        try:
            written = save(path, scenario.to_toml(config))
        except ExportError as exc:
            self.host.show_error("Cannot save the scenario", str(exc))
            return None
        self.settings.add_recent_file(written)
        self.refresh_recent()
        self.host.show_status(f"Saved {written}")
        return written

    def refresh_recent(self) -> None:
        menu = self.recent_menu
        if menu is None:
            return
        menu.clear()
        files = self.settings.recent_files()
        for path in files:
            name = Path(path).name.replace("&", "&&")  # a lone & would underline a letter
            action = menu.addAction(name, lambda p=path: self.open_path(p))
            action.setToolTip(tooltip(path))
        menu.setEnabled(bool(files))
