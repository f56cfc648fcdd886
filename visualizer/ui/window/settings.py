"""What the window remembers between runs (QSettings): layout, theme, files, folders."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


class AppSettings:
    """Typed access to the app's QSettings (one place for keys, types and defaults)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.q = settings if settings is not None else QSettings()
        self._remove: weakref.finalize | None = None

    @classmethod
    def throwaway(cls) -> AppSettings:
        """Settings in a temporary folder: defaults in, nothing kept (headless exports).

        The folder is removed by ``close()``, or failing that when the object is dropped
        or the program exits, so no ``rrv-settings-*`` folder piles up in the temp dir.
        """
        folder = tempfile.mkdtemp(prefix="rrv-settings-")
        settings = cls(QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat))
        settings._remove = weakref.finalize(settings, _remove_folder, settings.q, folder)
        return settings

    def close(self) -> None:
        """Done with these settings: write them out, or for throwaway ones, remove them.

        Qt recreates the folder if anything is written afterwards, so close after the
        window that uses them has closed (it saves its layout on close).
        """
        if self._remove is not None:
            self._remove()  # runs once; later calls do nothing
        else:
            self.q.sync()

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


def _remove_folder(q: QSettings, folder: str) -> None:
    """Write pending changes first, so that nothing is left for Qt to write (and the
    folder to come back) when the QSettings object is deleted, then remove the folder."""
    q.sync()
    shutil.rmtree(folder, ignore_errors=True)
