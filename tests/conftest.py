"""Shared test setup: Qt runs offscreen and settings live in a throwaway folder."""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSettings

# Never read or write the real user's settings (QSettings is per organisation/app name).
_SETTINGS_DIR = tempfile.mkdtemp(prefix="rrv-test-settings-")
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, _SETTINGS_DIR)
QCoreApplication.setOrganizationName("request-routing-visualizer-tests")
