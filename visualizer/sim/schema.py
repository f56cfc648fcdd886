"""Validation of scenario data, ``--set`` overrides and live changes.

All three go through here, so every bad value gets the same kind of message: where it
came from, the key, the value, and what is allowed. A ``ConfigError`` carries exactly
that one line; nothing is applied when it is raised.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
import typing
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Any

from visualizer.sim.config import (
    LESSON_SECTIONS,
    MAX_SERVERS,
    SECTIONS,
    CompareSection,
    Config,
    CounterPlacement,
    CounterScope,
    Fault,
    FaultAction,
    Lesson,
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
    section: str
    name: str
    type: type
    default: Any
    lo: float | None
    hi: float | None
    doc: str
    words: tuple[str, ...] | None = None

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}"

    def allowed(self) -> str:
        """Plain-English description of the allowed values."""
        t = self.type
        if issubclass(t, StrEnum):
            return "one of " + ", ".join(repr(m.value) for m in t)
        if t is bool:
            return "true or false"
        if t is str and self.words:
            return "one or more of " + ", ".join(repr(w) for w in self.words)
        if t is str:
            return f"text of at most {_MAX_TEXT.get(self.name, 200)} characters"
        kind = "an integer" if t is int else "a number"
        return f"{kind} from {_fmt(self.lo)} to {_fmt(self.hi)}"


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"


@cache
def key_specs() -> dict[str, KeySpec]:
    """Every settable key, by dotted name, in file order."""
    specs: dict[str, KeySpec] = {}
    for section, cls in SECTIONS.items():
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            spec = KeySpec(
                section=section,
                name=f.name,
                type=hints[f.name],
                default=f.default,
                lo=f.metadata.get("lo"),
                hi=f.metadata.get("hi"),
                doc=f.metadata.get("doc", ""),
                words=f.metadata.get("words"),
            )
            specs[spec.dotted] = spec
    return specs


def coerce(spec: KeySpec, value: Any, where: str) -> Any:
    """Check ``value`` for ``spec`` and return it typed; raise ``ConfigError`` otherwise."""

    original = value

    def bad(why: str = "") -> ConfigError:
        shown = _show(original)
        reason = f" ({why})" if why else ""
        return ConfigError(
            f"{where}: {spec.dotted} = {shown} is not allowed{reason}; expected {spec.allowed()}"
        )

    t = spec.type
    if issubclass(t, StrEnum):
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
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad()
    if t is int:
        if isinstance(value, float):
            if not value.is_integer():
                raise bad("not a whole number")
            value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise bad()
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        raise bad("out of range")
    return value


def _is_control(ch: str) -> bool:
    return ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0


#: Values echoed in messages are cut to this many characters (a file may hold megabytes).
_SHOWN = 60


def _show(value: Any) -> str:
    """A value as a message quotes it: short, and with control characters escaped."""
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


def parse_config(data: Mapping[str, Any], where: str = "scenario") -> Config:
    """Build a validated ``Config`` from parsed TOML; the first problem raises."""
    specs = key_specs()
    sections: dict[str, dict[str, Any]] = {}
    for section, body in data.items():
        if section in ("faults", "compare"):
            continue
        if section not in SECTIONS:
            raise ConfigError(
                f"{where}: unknown section [{section}]; allowed sections: "
                + ", ".join(f"[{s}]" for s in SECTIONS)
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
                    f"{where}: unknown key {section}.{key}; keys of [{section}]: {allowed}"
                )
            values[key] = coerce(spec, value, where)
        sections[section] = values
    built = {name: SECTIONS[name](**sections.get(name, {})) for name in SECTIONS}
    config = Config(**built)
    for section in sections:
        if not config.uses(section):
            lesson = LESSON_SECTIONS[section].value
            raise ConfigError(
                f"{where}: [{section}] belongs to the {lesson} lesson; this scenario's lesson "
                f'is {config.scenario.lesson.value} (set [scenario] lesson = "{lesson}" to use it)'
            )
    check_load(config, where)
    faults = _parse_faults(data.get("faults", []), config, where)
    config = dataclasses.replace(config, faults=faults)
    if "compare" in data:
        config = dataclasses.replace(config, compare=parse_compare(data["compare"], config, where))
    return config


#: What ``[compare]`` holds besides changed settings: commands given to one side only.
_ONE_SIDE = ("only_a", "only_b")


def parse_compare(raw: Any, config: Config, where: str) -> CompareSection:
    """``[compare]``: the settings B changes (``state.mode = "shared"``, or nested as
    ``[compare.state]``) and ``[[compare.only_a]]`` / ``[[compare.only_b]]`` faults."""
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
                f"{at}: {section} = {_show(body)}: write each change as section.key = value, "
                'e.g. state.mode = "shared"'
            )
        for name, value in body.items():
            key = f"{section}.{name}"
            spec = specs.get(key)
            if spec is None:
                live = (k for k, spec in specs.items() if spec.section in LIVE_SECTIONS)
                raise ConfigError(f"{at}: unknown key {key}; B may change: " + ", ".join(live))
            if section not in LIVE_SECTIONS:
                raise ConfigError(
                    f"{at}: {key} cannot differ between A and B: they share the scenario, its "
                    "seed and its duration; allowed: " + ", ".join(f"{s}.*" for s in LIVE_SECTIONS)
                )
            changes[key] = _plain(coerce(spec, value, at))
    base = dataclasses.replace(config, compare=None)
    b = with_values(base, changes, at, check_faults=False)  # B's own faults may add servers
    sides = {}
    for side, cfg in zip(_ONE_SIDE, (base, b), strict=True):
        faults = _parse_faults(raw.get(side, []), cfg, f"{at} {side}", check=False)
        both = sorted([*cfg.faults, *faults], key=lambda f: f.at_s)
        _check_targets(both, cfg.servers.count, f"{at} {side}")
        sides[side] = faults
    return CompareSection(tuple(changes.items()), **sides)


def _parse_faults(raw: Any, config: Config, where: str, *, check: bool = True) -> tuple[Fault, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: faults must be written as [[faults]] tables")
    faults = []
    for i, item in enumerate(raw):
        at = f"{where}: faults[{i + 1}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{at} must be a [[faults]] table")
        unknown = set(item) - {"at_s", "action", "target", "key", "value"}
        if unknown:
            raise ConfigError(
                f"{at}: unknown key {sorted(unknown)[0]}; keys of [[faults]]: "
                "at_s, action, target, key, value"
            )
        for required in ("at_s", "action"):
            if required not in item:
                raise ConfigError(f"{at}: missing {required}")
        at_s = item["at_s"]
        if isinstance(at_s, bool) or not isinstance(at_s, int | float) or not 0 <= at_s <= 1e9:
            raise ConfigError(f"{at}: at_s = {_show(at_s)} is not allowed; expected seconds ≥ 0")
        try:
            action = FaultAction(item["action"])
        except (ValueError, TypeError):
            raise ConfigError(
                f"{at}: action = {item['action']!r} is not allowed; expected one of "
                + ", ".join(repr(a.value) for a in FaultAction)
            ) from None
        if action is FaultAction.SET:
            faults.append(_parse_set(item, float(at_s), at))
            continue
        if "key" in item or "value" in item:
            raise ConfigError(f"{at}: key and value belong to action 'set' only")
        target = item.get("target")
        if target is not None:
            if action not in _TARGETED:
                raise ConfigError(
                    f"{at}: action {action.value!r} takes no target (only crash, restart and "
                    "remove_server do)"
                )
            if not isinstance(target, str) or not _TARGET_RE.fullmatch(target):
                raise ConfigError(
                    f"{at}: target = {target!r} is not allowed; "
                    "expected a server name like 'server-2'"
                )
        elif action in (FaultAction.CRASH, FaultAction.RESTART):
            raise ConfigError(f"{at}: action {action.value!r} needs a target such as 'server-1'")
        faults.append(Fault(at_s=float(at_s), action=action, target=target))
    if check:  # (one side's faults are checked together with the shared ones)
        _check_targets(faults, config.servers.count, where)
    return tuple(faults)


#: Sections whose keys may change while a run goes on (and in a "set" fault).
LIVE_SECTIONS = (
    "traffic",
    "balancer",
    "servers",
    "state",
    "store",
    "network",
    "counter",
    "auth",
    "realtime",
    "services",
)


def _parse_set(item: Mapping[str, Any], at_s: float, at: str) -> Fault:
    if "target" in item:
        raise ConfigError(f"{at}: action 'set' takes a key and a value, not a target")
    for required in ("key", "value"):
        if required not in item:
            raise ConfigError(f"{at}: action 'set' needs a {required}")
    key = item["key"]
    spec = key_specs().get(key) if isinstance(key, str) else None
    if spec is None or spec.section not in LIVE_SECTIONS:
        allowed = ", ".join(f"{s}.*" for s in LIVE_SECTIONS)
        raise ConfigError(f"{at}: key = {key!r} cannot be set during a run; allowed: {allowed}")
    value = coerce(spec, item["value"], at)
    return Fault(at_s=at_s, action=FaultAction.SET, key=key, value=_plain(value))


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


def _check_targets(faults: list[Fault], count: int, where: str) -> None:
    """Every targeted server name must be one the run can ever have."""
    highest = _walk_fleet(faults, count)
    for i, fault in enumerate(faults):
        if fault.target is not None and int(fault.target.split("-")[1]) > highest:
            names = f"server-1 to server-{highest}" if highest > 1 else "server-1"
            raise ConfigError(
                f"{where}: faults[{i + 1}] (at_s = {fault.at_s:g}): target {fault.target} "
                f"never exists in this scenario; its servers are {names}"
            )


def server_slots(config: Config) -> int:
    """How many server names (server-1 ... server-N) the scheduled faults can bring to life."""
    return _walk_fleet(list(config.faults), config.servers.count)


def _walk_fleet(faults: list[Fault], count: int) -> int:
    """The highest server number the schedule reaches, following the engine's rules.

    The engine never reuses a name: every added server gets the next number. A fault
    whose target is not in the fleet at its moment (crashed away by an earlier change of
    ``servers.count``, say) is skipped, visibly, by the engine; so is an ``add_server``
    beyond the limit or a ``remove_server`` of the last server. Faults at one instant
    apply in file order, as they were given.
    """
    live = list(range(1, count + 1))
    highest = count
    for fault in sorted(faults, key=lambda f: f.at_s):
        action = fault.action
        if action is FaultAction.SET and fault.key == "servers.count":
            while len(live) < fault.value:
                highest += 1
                live.append(highest)
            del live[max(1, int(fault.value)) :]
        elif action is FaultAction.ADD_SERVER and len(live) < MAX_SERVERS:
            highest += 1
            live.append(highest)
        elif action is FaultAction.REMOVE_SERVER and len(live) > 1:
            if fault.target is None:
                live.pop()
            elif int(fault.target.split("-")[1]) in live:
                live.remove(int(fault.target.split("-")[1]))
    return highest


#: What a laptop holds comfortably (about 0.5 GB each): users in the middle of their
#: workflow, and sessions kept until they idle out.
MAX_CONCURRENT_USERS = 500_000
MAX_RETAINED_SESSIONS = 1_000_000


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
    counter = config.counter
    if counter.scope is CounterScope.GLOBAL and counter.placement is CounterPlacement.CLIENT:
        raise ConfigError(
            f'{where}: counter.scope = "global" with counter.placement = "client" is not '
            "allowed: one count shared by everybody cannot live in each user's client; use "
            'placement "server" or "store", or scope "user"'
        )
    if config.scenario.lesson is Lesson.REALTIME:
        online = t.users_per_s * config.realtime.online_s
        if online > MAX_CONCURRENT_USERS:
            raise ConfigError(
                f"{where}: traffic.users_per_s × realtime.online_s = {t.users_per_s:g} × "
                f"{config.realtime.online_s:g} s ≈ {online:,.0f} users online at once; at most "
                f"{MAX_CONCURRENT_USERS:,} are allowed: lower one of them"
            )
    mix = config.services
    if config.scenario.lesson is Lesson.SERVICES and mix.order_share + mix.users_share > 1.0:
        raise ConfigError(
            f"{where}: services.order_share + services.users_share = {mix.order_share:g} + "
            f"{mix.users_share:g} is more than 1; they are shares of the requests (the rest "
            "goes to inventory): lower one of them"
        )
    sessions = t.users_per_s * config.state.ttl_s
    if sessions > MAX_RETAINED_SESSIONS:
        raise ConfigError(
            f"{where}: traffic.users_per_s × state.ttl_s = {t.users_per_s:g} × "
            f"{config.state.ttl_s:g} s ≈ {sessions:,.0f} sessions kept until they expire; "
            f"at most {MAX_RETAINED_SESSIONS:,} are allowed: lower one of them"
        )


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``section.key=value`` into the dotted key and a TOML-typed value."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or "." not in key:
        raise ConfigError(f"--set {text!r}: expected section.key=value, e.g. servers.count=6")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # bare words such as shared or round_robin
    return key, value


def with_values(
    config: Config, changes: Mapping[str, Any], where: str, *, check_faults: bool = True
) -> Config:
    """A copy of ``config`` with dotted-key changes applied; all validated before any apply."""
    specs = key_specs()
    by_section: dict[str, dict[str, Any]] = {}
    for key, value in changes.items():
        spec = specs.get(key)
        if spec is None:
            raise ConfigError(
                f"{where}: unknown key {key}; keys look like section.key, one of: "
                + ", ".join(specs)
            )
        by_section.setdefault(spec.section, {})[spec.name] = coerce(spec, value, where)
    replaced = {
        s: dataclasses.replace(getattr(config, s), **vals) for s, vals in by_section.items()
    }
    new = dataclasses.replace(config, **replaced)
    check_load(new, where)
    if check_faults:
        _check_targets(list(new.faults), new.servers.count, where)
    return new
