"""Helpers for tests that look at folders."""

from __future__ import annotations

from pathlib import Path


def names(folder: Path) -> list[str]:
    """The names in ``folder``, sorted."""
    return sorted(p.name for p in folder.iterdir())
