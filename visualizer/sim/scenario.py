"""Scenario files: find presets, load and validate TOML, write a config back as TOML."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from visualizer.sim.config import SECTIONS, Config
from visualizer.sim.schema import ConfigError, parse_config, parse_override, with_values

DEFAULT_PRESET = "sticky-crash"


def assets_dir() -> Path:
    """The ``assets`` folder: next to the package in a checkout, inside it when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "assets", here.parent / "assets"):
        if (candidate / "scenarios").is_dir():
            return candidate
    raise FileNotFoundError("the assets/scenarios folder is missing from this installation")


def presets_dir() -> Path:
    return assets_dir() / "scenarios"


@dataclass(frozen=True)
class PresetInfo:
    name: str
    title: str
    description: str
    path: Path


def list_presets() -> list[PresetInfo]:
    """Shipped presets, sorted by name."""
    out = []
    for path in sorted(presets_dir().glob("*.toml")):
        config = load_file(path)
        out.append(PresetInfo(path.stem, config.scenario.title, config.scenario.description, path))
    return out


@cache
def list_presets_cached() -> tuple[PresetInfo, ...]:
    """``list_presets`` read once (the window asks often)."""
    return tuple(list_presets())


def resolve(name_or_path: str) -> Path:
    """A preset name (``sticky-crash``) or a path to a ``.toml`` file."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix == ".toml" or os.sep in name_or_path or candidate.exists():
        if not candidate.is_file():
            raise ConfigError(f"{name_or_path}: no such scenario file")
        return candidate
    preset = presets_dir() / f"{name_or_path}.toml"
    if not preset.is_file():
        names = ", ".join(p.stem for p in sorted(presets_dir().glob("*.toml")))
        raise ConfigError(f"unknown scenario {name_or_path!r}; presets: {names}")
    return preset


def load_file(path: Path) -> Config:
    """Parse and validate one scenario file; every problem is one ``ConfigError`` line."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from None
    return parse_config(data, where)


def load(name_or_path: str, overrides: list[str] | None = None) -> Config:
    """Load a preset or file and apply ``section.key=value`` overrides (all validated)."""
    config = load_file(resolve(name_or_path))
    if overrides:
        changes: dict[str, Any] = {}
        for text in overrides:
            key, value = parse_override(text)
            changes[key] = value
        config = with_values(config, changes, "--set")
    return config


def to_toml(config: Config) -> str:
    """The config as a scenario file that loads back to an equal ``Config``."""
    data = config.to_dict()
    lines: list[str] = []
    for section in SECTIONS:
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in data[section].items())
        lines.append("")
    for fault in data["faults"]:
        lines.append("[[faults]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in fault.items())
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
