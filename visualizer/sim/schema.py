"""Validation of scenario data, ``--set`` overrides and live changes.

All three go through here, so every bad value gets the same kind of message: where it
came from, the key, the value, and what is allowed. A ``ConfigError`` carries exactly
that one line; nothing is applied when it is raised.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
import typing
from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from functools import cache
from typing import Any

from visualizer.sim.config import (
    MAX_SERVERS,
    CompareSection,
    Config,
    Fault,
    FaultAction,
    Lesson,
    lesson_sections,
    on_sections_changed,
    section_owner,
    sections,
)

_TARGETED = {FaultAction.CRASH, FaultAction.RESTART, FaultAction.REMOVE_SERVER}
_TARGET_RE = re.compile(r"server-([1-9][0-9]*)")
_MAX_TEXT = {
    "name": 80,
    "title": 200,
    "description": 2_000,
    "notes": 1_000,
    "explanation": 600,
    "plots": 80,
}
#: Text keys that may hold line breaks and tabs (the others are one line).
_MULTILINE = ("description", "notes", "explanation")


class ConfigError(ValueError):
    """A bad scenario value; ``str(error)`` is the whole message for the user."""


@dataclasses.dataclass(frozen=True)
class KeySpec:
    """One setting, as its field in ``config`` declares it: the one spec validation, the
    control panel, the dialogs, ``visualizer settings`` and the README read."""

    section: str
    name: str
    type: type
    default: Any
    lo: float | None
    hi: float | None
    doc: str
    words: tuple[str, ...] | None = None
    label: str = ""
    unit: str = ""  # "ms", "s", "KB", "MB", "/s", "/min", "B", or "" (a count, a share)
    decimals: int = -1  # digits typed after the point (-1: a whole number, or not a number)
    special: str = ""  # words shown for the lowest value ("no cap" for a memory cap of 0)
    choice_words: tuple[tuple[str, str], ...] = ()  # (value, words) of a choice

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def lesson(self) -> str | None:
        """The lesson whose section holds it (None: a section every lesson has)."""
        lesson = section_owner(self.section)
        return None if lesson is None else lesson.value

    @property
    def kind(self) -> str:
        """``int``, ``float``, ``bool``, ``choice`` or ``text``."""
        t = self.type
        if _is_choice(t):
            return "choice"
        if t is bool:
            return "bool"
        if t is str:
            return "text"
        return "int" if t is int else "float"

    @property
    def choices(self) -> tuple[str, ...]:
        """The values a choice (or a list of words) may take."""
        if _is_choice(self.type):
            return tuple(m.value for m in _members(self.type))
        return tuple(self.words or ())

    def words_for(self, value: Any) -> str:
        """A choice's words ("on each server" for ``counter.placement = "server"``)."""
        plain = getattr(value, "value", value)
        return dict(self.choice_words).get(plain, str(plain))

    def as_json(self) -> dict[str, Any]:
        """What ``visualizer settings --json`` prints for it."""
        out: dict[str, Any] = {
            "key": self.dotted,
            "lesson": self.lesson,
            "type": self.kind,
            "default": getattr(self.default, "value", self.default),
        }
        if self.kind in ("int", "float"):
            out |= {"min": self.lo, "max": self.hi, "unit": self.unit}
        if self.choices:
            out["choices"] = list(self.choices)
        return out | {"label": self.label, "help": self.doc}

    def allowed(self) -> str:
        """Plain-English description of the allowed values."""
        t = self.type
        if _is_choice(t):
            return "one of " + ", ".join(repr(m.value) for m in _members(t))
        if t is bool:
            return "true or false"
        if t is str and self.words:
            return "one or more of " + ", ".join(repr(w) for w in self.words)
        if t is str:
            return f"text of at most {_MAX_TEXT.get(self.name, 200)} characters"
        kind = "an integer" if t is int else "a number"
        return f"{kind} from {_fmt(self.lo)} to {_fmt(self.hi)}"


def _is_choice(t: type) -> bool:
    return issubclass(t, StrEnum | Lesson)


def _members(t: type) -> tuple[Any, ...]:
    """A choice's values: an enum's members, or every lesson."""
    return Lesson.known() if t is Lesson else tuple(t)  # type: ignore[arg-type]


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    if isinstance(x, int):
        return f"{x:,}"  # (2**63 - 1 as a float would print one more)
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"


@cache
def key_specs() -> dict[str, KeySpec]:
    """Every settable key, by dotted name, in file order (built again when a lesson's
    section comes or goes)."""
    specs: dict[str, KeySpec] = {}
    for section, cls in sections().items():
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            meta, kind = f.metadata, hints[f.name]
            unit = meta.get("unit")
            decimals = meta.get("decimals")
            number = kind in (int, float) and not issubclass(kind, bool)
            spec = KeySpec(
                section=section,
                name=f.name,
                type=kind,
                default=f.default,
                lo=meta.get("lo"),
                hi=meta.get("hi"),
                doc=meta.get("doc", ""),
                words=meta.get("words"),
                label=meta.get("label", ""),
                unit=(_unit_of(f.name) if unit is None else unit) if number else "",
                decimals=(1 if kind is float else -1) if decimals is None else decimals,
                special=meta.get("special", ""),
                choice_words=tuple((meta.get("choices") or {}).items()),
            )
            specs[spec.dotted] = spec
    return specs


on_sections_changed(key_specs.cache_clear)

#: Units read off a key's name (units are in the key names).
_UNITS = (
    ("_per_s", "/s"),
    ("_per_min", "/min"),
    ("_ms", "ms"),
    ("_s", "s"),
    ("_kb", "KB"),
    ("_mb", "MB"),
    ("_bytes", "B"),
)


def _unit_of(name: str) -> str:
    return next((unit for end, unit in _UNITS if name.endswith(end)), "")


def coerce(spec: KeySpec, value: Any, where: str) -> Any:
    """Check ``value`` for ``spec`` and return it typed; raise ``ConfigError`` otherwise."""

    original = value

    def bad(why: str = "") -> ConfigError:
        shown = show(original)
        reason = f" ({why})" if why else ""
        return ConfigError(
            f"{where}: {spec.dotted} = {shown} is not allowed{reason}; expected {spec.allowed()}"
        )

    t = spec.type
    if _is_choice(t):
        if not isinstance(value, str):
            raise bad()
        try:
            return t(value)
        except ValueError:
            raise bad() from None
    if t is bool:
        if not isinstance(value, bool):
            raise bad()
        return value
    if t is str:
        if not isinstance(value, str) or len(value) > _MAX_TEXT.get(spec.name, 200):
            raise bad()
        allowed = "\n\t" if spec.name in _MULTILINE else ""
        control = next((ch for ch in value if _is_control(ch) and ch not in allowed), None)
        if control is not None:
            raise bad(f"contains the control character U+{ord(control):04X}")
        unknown = [w for w in value.split() if spec.words and w not in spec.words]
        if unknown or (spec.words and not value.split()):
            raise bad(f"{unknown[0]!r} is not one of them" if unknown else "empty")
        return value
    if isinstance(value, TooLong):
        raise bad("out of range")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad()
    if t is int:
        if isinstance(value, float):
            if not value.is_integer():
                raise bad("not a whole number")
            value = int(value)
    else:
        try:
            value = float(value)
        except OverflowError:  # an integer past 1.8e308 (TOML has no limit on digits)
            raise bad("out of range") from None
        if not math.isfinite(value):
            raise bad()
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        raise bad("out of range")
    return value


def _is_control(ch: str) -> bool:
    return ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0


#: Values echoed in messages are cut to this many characters (a file may hold megabytes).
_SHOWN = 60


def show(value: Any) -> str:
    """A value as a message quotes it: short, and with control characters escaped."""
    if isinstance(value, TooLong):
        return f"a number of {value.digits:,} digits"
    if isinstance(value, str):
        return repr(value[:_SHOWN]) + ("…" if len(value) > _SHOWN else "")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**16:
        exp = int(math.log10(abs(value)))  # str() of a 309-digit number is not a message
        lead = f"{abs(value) // 10 ** (exp - 2):03d}"
        return f"{'-' if value < 0 else ''}{lead[0]}.{lead[1:]}e+{exp}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def show_name(text: str, width: int = _SHOWN) -> str:
    """A key, section, action or target as a message names it (unquoted): cut like a
    value, since a file may hold a megabyte-long key, and with every character a
    terminal or a dialog would act on escaped, so the message stays one short line."""
    cut = text[:width]
    if not cut.isprintable():
        cut = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in cut)
    return cut + ("…" if len(text) > width else "")


class TooLong:
    """A number with more digits than Python turns into an ``int`` (4,300: past that the
    conversion takes quadratic time, so Python refuses it): shown in messages by its
    length, never used."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def parse_config(data: Mapping[str, Any], where: str = "scenario") -> Config:
    """Build a validated ``Config`` from parsed TOML; the first problem raises."""
    specs = key_specs()
    known = sections()
    given: dict[str, dict[str, Any]] = {}
    for section, body in data.items():
        if section in ("faults", "compare"):
            continue
        if section not in known:
            raise ConfigError(
                f"{where}: unknown section [{show_name(section)}]; allowed sections: "
                + ", ".join(f"[{s}]" for s in known)
                + ", [[faults]], [compare]"
            )
        if not isinstance(body, Mapping):
            raise ConfigError(f"{where}: {section} must be a table like [{section}], not a value")
        values: dict[str, Any] = {}
        for key, value in body.items():
            spec = specs.get(f"{section}.{key}")
            if spec is None:
                allowed = ", ".join(s.name for s in specs.values() if s.section == section)
                raise ConfigError(
                    f"{where}: unknown key {section}.{show_name(key)}; keys of [{section}]: "
                    + allowed
                )
            values[key] = coerce(spec, value, where)
        given[section] = values
    built = {name: cls(**given.get(name, {})) for name, cls in known.items()}
    config = Config().with_sections(built)
    _check_lesson(config, given, where)
    check_load(config, where)
    faults = _parse_faults(data.get("faults", []), where)
    config = dataclasses.replace(config, faults=faults)
    if "compare" in data:
        config = dataclasses.replace(config, compare=parse_compare(data["compare"], config, where))
    check_schedule(config, where)
    return config


def _check_lesson(config: Config, sections: typing.Iterable[str], where: str) -> None:
    """Another lesson's settings would be ignored without a word: refuse them, in a file,
    ``--set``, ``[compare]``, ``--b`` or a scheduled ``set`` alike."""
    for section in sections:
        if not config.uses(section):
            lesson = section_owner(section).value  # type: ignore[union-attr]
            raise ConfigError(
                f"{where}: [{section}] belongs to the {lesson} lesson; this scenario's lesson "
                f'is {config.scenario.lesson.value} (set [scenario] lesson = "{lesson}" to use it)'
            )


#: What ``[compare]`` holds besides changed settings: commands given to one side only.
_ONE_SIDE = ("only_a", "only_b")


def parse_compare(raw: Any, config: Config, where: str) -> CompareSection:
    """``[compare]``: the settings B changes (``state.mode = "shared"``, or nested as
    ``[compare.state]``) and ``[[compare.only_a]]`` / ``[[compare.only_b]]`` faults.
    What the schedules do on each side is checked by ``check_schedule``."""
    at = f"{where}: [compare]"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{at} must be a table of the settings B changes, e.g. state.mode = ...")
    changes: dict[str, Any] = {}
    specs = key_specs()
    for section, body in raw.items():
        if section in _ONE_SIDE:
            continue
        if not isinstance(body, Mapping):
            raise ConfigError(
                f"{at}: {show_name(section)} = {show(body)}: write each change as section.key = "
                'value, e.g. state.mode = "shared"'
            )
        for name, value in body.items():
            key = f"{section}.{name}"
            spec = specs.get(key)
            if spec is None:
                live = (k for k, spec in specs.items() if spec.section in live_sections())
                raise ConfigError(
                    f"{at}: unknown key {show_name(key)}; B may change: " + ", ".join(live)
                )
            if section not in live_sections():
                raise ConfigError(
                    f"{at}: {key} cannot differ between A and B: they share the scenario, its "
                    "seed and its duration; allowed: "
                    + ", ".join(f"{s}.*" for s in live_sections())
                )
            changes[key] = _plain(coerce(spec, value, at))
    base = dataclasses.replace(config, compare=None)
    with_values(base, changes, at, check_faults=False)  # B's own faults may add servers
    sides = {side: _parse_faults(raw.get(side, []), f"{at} {side}") for side in _ONE_SIDE}
    return CompareSection(tuple(changes.items()), **sides)


#: Most commands a schedule may hold: in [[faults]], and in each of [[compare.only_a]] and
#: [[compare.only_b]]. Presets hold fewer than 10; a session saved from the window holds
#: every command given during it (a spin box held down gives a few a second), so the
#: limit leaves room for hours of them.
MAX_FAULTS = 10_000


def _parse_faults(raw: Any, where: str) -> tuple[Fault, ...]:
    """Each entry on its own; what they do together is checked by ``check_schedule``."""
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: faults must be written as [[faults]] tables")
    if len(raw) > MAX_FAULTS:
        raise ConfigError(
            f"{where}: {len(raw):,} scheduled commands ([[faults]] tables); at most "
            f"{MAX_FAULTS:,} are allowed"
        )
    faults = []
    for i, item in enumerate(raw):
        at = f"{where}: faults[{i + 1}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{at} must be a [[faults]] table")
        unknown = set(item) - {"at_s", "action", "target", "key", "value", "values"}
        if unknown:
            raise ConfigError(
                f"{at}: unknown key {show_name(sorted(unknown)[0])}; keys of [[faults]]: "
                "at_s, action, target, key, value, values"
            )
        for required in ("at_s", "action"):
            if required not in item:
                raise ConfigError(f"{at}: missing {required}")
        at_s = item["at_s"]
        if isinstance(at_s, bool) or not isinstance(at_s, int | float) or not 0 <= at_s <= 1e9:
            raise ConfigError(f"{at}: at_s = {show(at_s)} is not allowed; expected seconds ≥ 0")
        try:
            action = FaultAction(item["action"])
        except (ValueError, TypeError):
            raise ConfigError(
                f"{at}: action = {show(item['action'])} is not allowed; expected one of "
                + ", ".join(repr(a.value) for a in FaultAction)
            ) from None
        if action is FaultAction.SET:
            faults.append(_parse_set(item, float(at_s), at))
            continue
        if "key" in item or "value" in item or "values" in item:
            raise ConfigError(f"{at}: key, value and values belong to action 'set' only")
        target = item.get("target")
        if target is not None:
            if action not in _TARGETED:
                raise ConfigError(
                    f"{at}: action {action.value!r} takes no target (only crash, restart and "
                    "remove_server do)"
                )
            if not isinstance(target, str) or not _TARGET_RE.fullmatch(target):
                raise ConfigError(
                    f"{at}: target = {show(target)} is not allowed; "
                    "expected a server name like 'server-2'"
                )
        elif action in (FaultAction.CRASH, FaultAction.RESTART):
            raise ConfigError(f"{at}: action {action.value!r} needs a target such as 'server-1'")
        faults.append(Fault(at_s=float(at_s), action=action, target=target))
    return tuple(faults)


#: Shared sections whose keys may change while a run goes on (and in a "set" fault).
_LIVE_SHARED = ("traffic", "balancer", "servers", "state", "store", "network")


def live_sections() -> tuple[str, ...]:
    """Sections whose keys may change while a run goes on (and in a "set" fault): the
    shared ones but ``[scenario]``, and every lesson's own."""
    return _LIVE_SHARED + tuple(lesson_sections())


def _parse_set(item: Mapping[str, Any], at_s: float, at: str) -> Fault:
    if "target" in item:
        raise ConfigError(f"{at}: action 'set' takes a key and a value, not a target")
    if "values" in item:
        return _parse_set_values(item, at_s, at)
    for required in ("key", "value"):
        if required not in item:
            raise ConfigError(f"{at}: action 'set' needs a {required}")
    key = item["key"]
    spec = key_specs().get(key) if isinstance(key, str) else None
    if spec is None or spec.section not in live_sections():
        allowed = ", ".join(f"{s}.*" for s in live_sections())
        raise ConfigError(f"{at}: key = {show(key)} cannot be set during a run; allowed: {allowed}")
    value = coerce(spec, item["value"], at)
    return Fault(at_s=at_s, action=FaultAction.SET, key=key, value=_plain(value))


def _parse_set_values(item: Mapping[str, Any], at_s: float, at: str) -> Fault:
    """``values = { state.mode = "shared", balancer.sticky = true }``: several keys set at
    one instant, as one command (a toggle that changes two). TOML reads the dotted keys
    as tables by section; a quoted ``"state.mode"`` is read the same. The pairs are kept
    in the settings' order, so a file saved and loaded again holds the same fault; one
    pair is the same fault as ``key`` and ``value``."""
    if "key" in item or "value" in item:
        raise ConfigError(
            f"{at}: action 'set' takes either key and value or values, not both; e.g. "
            'values = { state.mode = "shared", balancer.sticky = true }'
        )
    raw = item["values"]
    example = 'e.g. values = { state.mode = "shared", balancer.sticky = true }'
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{at}: values = {show(raw)} is not allowed; expected a table of the keys to set, "
            + example
        )
    if not raw:
        raise ConfigError(f"{at}: values = {{}} sets nothing; give the keys to set, {example}")
    specs = key_specs()
    allowed = ", ".join(f"{s}.*" for s in live_sections())
    changes: dict[str, Any] = {}
    for name, body in raw.items():
        pairs = (
            [(f"{name}.{sub}", v) for sub, v in body.items()]
            if isinstance(body, Mapping)
            else [(name, body)]
        )
        for key, value in pairs:
            spec = specs.get(key)
            if spec is None or spec.section not in live_sections():
                why = "is not a setting" if spec is None else "cannot be set during a run"
                raise ConfigError(f"{at}: values: {show_name(key)} {why}; allowed: {allowed}")
            if key in changes:
                raise ConfigError(f"{at}: values: {key} is given twice")
            changes[key] = _plain(coerce(spec, value, f"{at}: values"))
    pairs = settings_order(changes)
    if len(pairs) == 1:
        ((key, value),) = pairs
        return Fault(at_s=at_s, action=FaultAction.SET, key=key, value=value)
    return Fault(at_s=at_s, action=FaultAction.SET, values=tuple(pairs))


def settings_order(changes: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """``changes`` as (key, value) pairs in the settings' own order (sections as the
    scenario file lists them, keys as each section does): one order for the same
    changes, however they were listed."""
    order = {key: k for k, key in enumerate(key_specs())}
    return tuple(sorted(changes.items(), key=lambda pair: order.get(pair[0], len(order))))


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum | Lesson) else value


#: Most server names a schedule may bring to life over a run (server-1 ... server-N). The
#: engine never reuses a name, so every rise of ``servers.count`` and every ``add_server``
#: makes new ones (64 and 1 in turn: 63 each time), and every name ever created is a
#: column group in the CSV, an entry in the summary and a row in the window's tables.
MAX_SERVER_NAMES = 1_000


def check_schedule(config: Config, where: str) -> None:
    """Refuse at load what would otherwise stop a run halfway: a target that never
    exists, more server names than ``MAX_SERVER_NAMES``, or a scheduled ``set`` that
    leads to settings the live checks refuse (the engine applies each ``set`` through
    ``with_values``, so the state after every one of them is checked here the same way,
    in the engine's order). With ``[compare]``, each side with its own commands."""
    shared = [(f"faults[{i + 1}]", f) for i, f in enumerate(config.faults)]
    compare = config.compare
    if compare is None:
        _check_side(config, shared, where)
        return
    base = dataclasses.replace(config, compare=None)
    for side, start in (
        ("only_a", base),
        (
            "only_b",
            with_values(base, dict(compare.changes), f"{where}: [compare]", check_faults=False),
        ),
    ):
        own = [(f"compare.{side}[{i + 1}]", f) for i, f in enumerate(getattr(compare, side))]
        _check_side(start, shared + own, f"{where}: [compare] side {side[-1].upper()}")


def _check_side(start: Config, faults: list[tuple[str, Fault]], where: str) -> None:
    """One run's schedule (``faults``, named as the file names them) from ``start``."""
    ordered = sorted(faults, key=lambda named: named[1].at_s)  # stable: as the engine orders
    highest = start.servers.count
    for (label, fault), reached in zip(
        ordered, _fleet_walk(ordered, start.servers.count), strict=True
    ):
        if reached > MAX_SERVER_NAMES:
            raise ConfigError(
                f"{where}: {label} (at_s = {fault.at_s:g}) brings the servers named so far "
                f"to {reached:,} (a server added or brought back by servers.count gets a new "
                f"name); at most {MAX_SERVER_NAMES:,} server names are allowed in a run"
            )
        highest = max(highest, reached)
    for label, fault in faults:
        if fault.target is not None and _server_number(fault.target) > highest:
            names = f"server-1 to server-{highest}" if highest > 1 else "server-1"
            raise ConfigError(
                f"{where}: {label} (at_s = {fault.at_s:g}): target {show_name(fault.target)} "
                f"never exists in this scenario; its servers are {names}"
            )
    running = start
    own = lesson_sections().get(_own_section(start))
    step = own.walk(start) if own is not None and own.walk is not None else None
    for label, fault in ordered:
        if fault.action is FaultAction.SET:
            said = ", ".join(f"{key} = {show(value)}" for key, value in fault.changes)
            at = f"{where}: {label} (at_s = {fault.at_s:g}, set {said})"
            running = with_values(running, dict(fault.changes), at, check_faults=False)
            if step is not None:
                step(at, running)


def _own_section(config: Config) -> str | None:
    """The name of the section of the scenario's lesson, if it has one."""
    lesson = config.scenario.lesson
    return next((n for n, s in lesson_sections().items() if s.lesson is lesson), None)


def _server_number(name: str) -> int:
    """N of ``server-N``; a number too long for any server is past every limit (and is
    not converted: a 5,000-digit one would raise)."""
    digits = name.rsplit("-", 1)[1]
    return int(digits) if len(digits) < 19 else sys.maxsize


def server_slots(config: Config) -> int:
    """How many server names (server-1 ... server-N) the scheduled faults can bring to life."""
    return _walk_fleet(list(config.faults), config.servers.count)


def _walk_fleet(faults: list[Fault], count: int) -> int:
    """The highest server number the schedule reaches, following the engine's rules."""
    ordered = sorted(faults, key=lambda f: f.at_s)
    return max(_fleet_walk([(None, f) for f in ordered], count), default=count)


def _fleet_walk(ordered: Sequence[tuple[Any, Fault]], count: int) -> Iterator[int]:
    """The highest server number after each fault of ``ordered`` (in time order).

    The engine never reuses a name: every added server gets the next number. A fault
    whose target is not in the fleet at its moment (crashed away by an earlier change of
    ``servers.count``, say) is skipped, visibly, by the engine; so is an ``add_server``
    beyond the limit or a ``remove_server`` of the last server. Faults at one instant
    apply in file order, as they were given.
    """
    live = list(range(1, count + 1))
    highest = count
    for _, fault in ordered:
        action = fault.action
        count = dict(fault.changes).get("servers.count") if action is FaultAction.SET else None
        if count is not None:
            while len(live) < count:
                highest += 1
                live.append(highest)
            del live[max(1, int(count)) :]
        elif action is FaultAction.ADD_SERVER and len(live) < MAX_SERVERS:
            highest += 1
            live.append(highest)
        elif action is FaultAction.REMOVE_SERVER and len(live) > 1:
            if fault.target is None:
                live.pop()
            elif _server_number(fault.target) in live:
                live.remove(_server_number(fault.target))
        yield highest


#: What a laptop holds comfortably (about 0.5 GB each): users in the middle of their
#: workflow, sessions kept until they idle out, and requests on their way to a server.
MAX_CONCURRENT_USERS = 500_000
MAX_RETAINED_SESSIONS = 1_000_000
MAX_REQUESTS_IN_FLIGHT = 1_000_000
#: Real-time messages waiting for their user's next poll or connection (32 bytes each).
MAX_MESSAGES_WAITING = 10_000_000


def check_load(config: Config, where: str) -> None:
    """Refuse traffic that would fill memory: each key may be in range while the
    product (Little's law) is not."""
    t = config.traffic
    visit_s = (
        t.think_time_s + config.servers.service_ms / 1000.0 + 2 * config.network.latency_ms / 1000.0
    )
    users = t.users_per_s * t.requests_per_user * visit_s
    if users > MAX_CONCURRENT_USERS:
        raise ConfigError(
            f"{where}: traffic.users_per_s × traffic.requests_per_user × (think time + "
            f"request time) = {t.users_per_s:g} × {t.requests_per_user:g} × {visit_s:g} s ≈ "
            f"{users:,.0f} users online at once; at most {MAX_CONCURRENT_USERS:,} are "
            "allowed: lower one of them"
        )
    own = lesson_sections().get(_own_section(config) or "")
    if own is not None:
        own.check(config, where)
    sessions = t.users_per_s * config.state.ttl_s
    if sessions > MAX_RETAINED_SESSIONS:
        raise ConfigError(
            f"{where}: traffic.users_per_s × state.ttl_s = {t.users_per_s:g} × "
            f"{config.state.ttl_s:g} s ≈ {sessions:,.0f} sessions kept until they expire; "
            f"at most {MAX_RETAINED_SESSIONS:,} are allowed: lower one of them"
        )


def with_values(
    config: Config, changes: Mapping[str, Any], where: str, *, check_faults: bool = True
) -> Config:
    """A copy of ``config`` with dotted-key changes applied; all validated before any apply.

    ``check_faults``: also check the schedule from the new settings (``check_schedule``);
    the engine's own live changes leave it out, their schedule is already under way."""
    specs = key_specs()
    by_section: dict[str, dict[str, Any]] = {}
    for key, value in changes.items():
        spec = specs.get(key)
        if spec is None:
            raise ConfigError(
                f"{where}: unknown key {show_name(key)}; keys look like section.key, one of: "
                + ", ".join(specs)
            )
        by_section.setdefault(spec.section, {})[spec.name] = coerce(spec, value, where)
    replaced = {s: dataclasses.replace(config.section(s), **vals) for s, vals in by_section.items()}
    new = config.with_sections(replaced)
    _check_lesson(new, by_section, where)
    check_load(new, where)
    if check_faults:
        check_schedule(new, where)
    return new
