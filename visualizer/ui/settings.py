"""What the window remembers between runs (QSettings): layout, theme, files, folders."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


class AppSettings:
    """Typed access to the app's QSettings (one place for keys, types and defaults)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.q = settings if settings is not None else QSettings()

    @classmethod
    def throwaway(cls) -> AppSettings:
        """Settings in a temporary file: defaults in, nothing kept (headless exports)."""
        folder = tempfile.mkdtemp(prefix="rrv-settings-")
        return cls(QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat))

    # --- window layout ------------------------------------------------------------------

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self.q.value("window/geometry")
        state = self.q.value("window/state")
        return (
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)

    # --- view -----------------------------------------------------------------------------

    @property
    def theme(self) -> str:
        """ "system", "light", "dark" or "contrast"."""
        value = str(self.q.value("view/theme", "system"))
        return value if value in ("system", "light", "dark", "contrast") else "system"

    @theme.setter
    def theme(self, name: str) -> None:
        self.q.setValue("view/theme", name)

    @property
    def reduced_motion(self) -> bool:
        return bool(self.q.value("view/reduced_motion", False, type=bool))

    @reduced_motion.setter
    def reduced_motion(self, on: bool) -> None:
        self.q.setValue("view/reduced_motion", on)

    # --- files ------------------------------------------------------------------------------

    @property
    def last_scenario(self) -> str | None:
        value = self.q.value("scenario/last")
        return str(value) if value else None

    @last_scenario.setter
    def last_scenario(self, name_or_path: str) -> None:
        self.q.setValue("scenario/last", name_or_path)

    def recent_files(self) -> list[str]:
        value = self.q.value("scenario/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(v) for v in items if v and Path(str(v)).is_file()]

    def add_recent_file(self, path: Path | str) -> None:
        path = str(Path(path).resolve())
        recent = [path, *(p for p in self.recent_files() if p != path)][:MAX_RECENT]
        self.q.setValue("scenario/recent", recent)

    @property
    def export_folder(self) -> str:
        value = self.q.value("export/folder")
        if value and Path(str(value)).is_dir():
            return str(value)
        return str(Path.home())

    @export_folder.setter
    def export_folder(self, folder: Path | str) -> None:
        self.q.setValue("export/folder", str(folder))

    def sync(self) -> None:
        self.q.sync()
