"""Scenario files: find presets, load and validate TOML, write a config back as TOML."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from visualizer.sim.config import Config, load_lessons, sections
from visualizer.sim.schema import ConfigError, parse_config, show, show_name, with_values
from visualizer.sim.toml_text import loads_toml, parse_override

DEFAULT_PRESET = "sticky-crash"

#: Largest scenario file read (a generous preset is 2 KB): checked before reading, so a
#: huge file, a device or a runaway generator is refused without filling memory.
MAX_FILE_BYTES = 1_000_000
_MB = 1_000_000


def assets_dir() -> Path:
    """The ``assets`` folder: next to the package in a checkout, inside it when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "assets", here.parent / "assets"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the assets folder is missing from this installation")


#: Folders of presets: each lesson's package registers its own (``presets/``).
_PRESET_DIRS: list[Path] = []


def register_presets(folder: Path) -> None:
    """Offer the ``*.toml`` files of ``folder`` as presets (a lesson's package does)."""
    if folder not in _PRESET_DIRS:
        _PRESET_DIRS.append(folder)
    list_presets_cached.cache_clear()


def unregister_presets(folder: Path) -> None:
    if folder in _PRESET_DIRS:
        _PRESET_DIRS.remove(folder)
    list_presets_cached.cache_clear()


def preset_dirs() -> tuple[Path, ...]:
    """Every lesson's presets folder, in teaching order."""
    load_lessons()
    return tuple(_PRESET_DIRS)


def preset_files() -> list[Path]:
    """Every preset file, by name."""
    files = (path for folder in preset_dirs() for path in folder.glob("*.toml"))
    return sorted(files, key=lambda path: path.stem)


def preset_path(name: str) -> Path:
    """Where the preset ``name`` would be (the first folder holding it, else the first
    folder: a path that does not exist)."""
    folders = preset_dirs()
    found = (folder / f"{name}.toml" for folder in folders)
    return next((path for path in found if _is_file(path)), folders[0] / f"{name}.toml")


@dataclass(frozen=True)
class PresetInfo:
    name: str
    title: str
    description: str
    path: Path
    slide: int = 0  # place in the teaching order (0: not a slide)


def list_presets() -> list[PresetInfo]:
    """Shipped presets in teaching order (their ``slide``), then the others by name."""
    out = []
    for path in preset_files():
        c = load_file(path).scenario
        out.append(PresetInfo(path.stem, c.title, c.description, path, c.slide))
    return sorted(out, key=lambda p: (p.slide == 0, p.slide, p.name))


@cache
def list_presets_cached() -> tuple[PresetInfo, ...]:
    """``list_presets`` read once (the window asks often)."""
    return tuple(list_presets())


def resolve(name_or_path: str) -> Path:
    """A preset name (``sticky-crash``) or a path to a ``.toml`` file.

    A bare name (no ``.toml``, no folder) is the preset of that name when there is one,
    so a folder or file named like a preset in the working directory does not shadow it.
    """
    bare = Path(name_or_path).suffix != ".toml" and os.sep not in name_or_path
    preset = preset_path(name_or_path)
    if bare and _is_file(preset):
        return preset
    candidate = _expand(name_or_path)
    if not bare or os.path.lexists(candidate):
        # no real path is longer than PATH_MAX (4,096): a longer text is cut in messages
        _stat_regular(candidate, show_name(name_or_path, 4096))
        return candidate
    names = ", ".join(p.stem for p in preset_files())
    raise ConfigError(f"unknown scenario {show(name_or_path)}; presets: {names}")


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False too for a name the system refuses (too long, say)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _expand(text: str) -> Path:
    """``~`` and ``~user`` expanded; an unknown user's ``~name`` stays as typed (and then
    does not exist), rather than raising RuntimeError."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        return Path(text)


def _stat_regular(path: Path, where: str) -> os.stat_result:
    """The file's stat (links followed) if it is a regular file, else why not."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ConfigError(f"{where}: {_os_problem(exc)}") from None
    _check_regular(st, where)
    return st


def _os_problem(exc: OSError) -> str:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "no such scenario file"
    if exc.errno == errno.ELOOP:
        return "is a symbolic link loop, not a scenario file"
    return f"cannot read file ({exc.strerror or exc})"


def _check_regular(st: os.stat_result, where: str) -> None:
    """Only regular files: a FIFO would block, a device could be endless or have effects."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        kind = None
    elif stat.S_ISDIR(mode):
        kind = "is a folder"
    elif stat.S_ISFIFO(mode):
        kind = "is a named pipe (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "is a device"
    elif stat.S_ISSOCK(mode):
        kind = "is a socket"
    else:
        kind = "is not a regular file"
    if kind is not None:
        raise ConfigError(f"{where}: {kind}, not a scenario file")
    if st.st_size > MAX_FILE_BYTES:
        raise ConfigError(f"{where}: {_too_big(f'is {st.st_size / _MB:,.1f} MB')}")


def _too_big(what: str) -> str:
    return f"the file {what}; a scenario file is at most {MAX_FILE_BYTES // _MB} MB"


def _read_limited(path: Path, where: str) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``, checked before reading.

    The open does not wait (O_NONBLOCK: a FIFO swapped in after the check cannot hang
    it) and the check is repeated on what was opened; at most one byte over the limit is
    read, for files whose size the system does not know in advance.
    """
    _stat_regular(path, where)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise ConfigError(f"{where}: {_os_problem(exc)}") from None
    with os.fdopen(fd, "rb") as fh:
        _check_regular(os.fstat(fd), where)
        try:
            data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"{where}: {_os_problem(exc)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"{where}: {_too_big(f'is over {MAX_FILE_BYTES // _MB} MB')}")
    return data


def load_file(path: Path) -> Config:
    """Parse and validate one scenario file; every problem is one ``ConfigError`` line.

    The window opens files through here, so every check on what the file is (kind,
    size, encoding, depth, emptiness) lives here, not only in ``resolve``.
    """
    where = str(path)
    raw = _read_limited(Path(path), where)
    try:
        text = raw.decode("utf-8-sig")  # a BOM (as some Windows editors write) is no content
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not a UTF-8 text file") from None
    data = loads_toml(text, where)  # (refuses shapes that would take tomllib minutes)
    if not data:
        raise ConfigError(
            f"{where}: the file has no settings (it is empty or only comments); a minimal "
            "scenario file is a section and a key, e.g. [servers] and on the next line count = 4"
        )
    try:
        return parse_config(data, where)
    except RecursionError:
        raise ConfigError(f"{where}: values nested too deeply") from None


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
    for section in sections():
        if section not in data:
            continue  # another lesson's section
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in data[section].items())
        lines.append("")
    _toml_faults(lines, "faults", data["faults"])
    compare = data.get("compare")
    if compare is not None:
        lines.append("[compare]")
        for section, body in compare.items():
            if section not in ("only_a", "only_b"):
                lines.extend(f"{section}.{k} = {_toml_value(v)}" for k, v in body.items())
        lines.append("")
        for side in ("only_a", "only_b"):
            _toml_faults(lines, f"compare.{side}", compare.get(side, []))
    return "\n".join(lines)


def _toml_faults(lines: list[str], table: str, faults: list[dict[str, Any]]) -> None:
    for fault in faults:
        lines.append(f"[[{table}]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in fault.items())
        lines.append("")


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):  # a set fault's values: { state.mode = "shared", ... }
        # (the keys are the settings' own dotted names, bare keys TOML reads back as such)
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return '"' + str(value).translate(_TOML_ESCAPES) + '"'


#: What a TOML basic string may not hold raw: the quote, the backslash and the control
#: characters U+0000-U+001F and U+007F (tab is allowed but escaped, for readable files).
_TOML_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)} | {
    ord(ch): escaped
    for ch, escaped in {
        "\b": "\\b",
        "\t": "\\t",
        "\n": "\\n",
        "\f": "\\f",
        "\r": "\\r",
        '"': '\\"',
        "\\": "\\\\",
    }.items()
}
