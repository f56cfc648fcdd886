"""Scenario configuration: frozen dataclasses whose field metadata is the schema.

Every key has a default and a documented range, so a TOML file, a ``--set`` override
and a live UI change are all validated by the same code (``visualizer.sim.schema``).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar


class Mode(StrEnum):
    """Where a session's state lives."""

    TOKEN = "token"
    LOCAL = "local"
    SHARED = "shared"


class Lesson(str):
    """What a scenario teaches: the id of a registered lesson ("sessions", "counter", ...).

    Lessons are open: a lesson's package defines its id (``Lesson.define``) and
    registers its section (``register_section``); the engine knows none by name but the
    default. One object per id, so ``lesson is other`` compares as ``==`` does."""

    __slots__ = ()
    _known: ClassVar[dict[str, Lesson]] = {}

    def __new__(cls, value: str) -> Lesson:
        known = cls._known.get(value)
        if known is None:
            load_lessons()
            known = cls._known.get(value)
        if known is None:
            raise ValueError(f"{value!r} is not a lesson; lessons: {', '.join(cls._known)}")
        return known

    @classmethod
    def define(cls, value: str) -> Lesson:
        """The id ``value``, made a lesson (again: the same object)."""
        if value not in cls._known:
            cls._known[value] = str.__new__(cls, value)
        return cls._known[value]

    @classmethod
    def forget(cls, value: str) -> None:
        """Take a lesson's id away again (a test's toy lesson)."""
        cls._known.pop(value, None)

    @classmethod
    def known(cls) -> tuple[Lesson, ...]:
        """Every lesson, in the order they were defined (the teaching order)."""
        load_lessons()
        return tuple(cls._known.values())

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Lesson, (self.value,))

    def __repr__(self) -> str:
        return f"Lesson({self.value!r})"


#: The lesson a scenario teaches when it does not say (the first one).
SESSIONS = Lesson.define("sessions")


class Algorithm(StrEnum):
    ROUND_ROBIN = "round_robin"
    RANDOM = "random"
    LEAST_CONNECTIONS = "least_connections"
    HASH = "hash"


class ServiceDistribution(StrEnum):
    EXPONENTIAL = "exponential"
    CONSTANT = "constant"


class OnError(StrEnum):
    """What a user does after a failed request."""

    RELOGIN = "relogin"
    RETRY = "retry"
    ABANDON = "abandon"


class FaultAction(StrEnum):
    CRASH = "crash"
    RESTART = "restart"
    CRASH_STORE = "crash_store"
    RESTORE_STORE = "restore_store"
    ADD_SERVER = "add_server"
    REMOVE_SERVER = "remove_server"
    SET = "set"  # change a setting, e.g. key = "state.mode", value = "shared"


#: Upper bound on live servers (the window lays out 1-16; the engine allows more).
MAX_SERVERS = 64


def setting(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    doc: str = "",
    words: tuple[str, ...] | None = None,
    label: str = "",
    unit: str | None = None,
    decimals: int | None = None,
    special: str = "",
    choices: dict[str, str] | None = None,
) -> Any:
    """A setting: its default, allowed range (or, for a list of words in a string, the
    words allowed), a one-line meaning, and how people see it: ``label``, ``unit`` (by
    default read off the key's name: ``_ms``, ``_s``, ``_kb``, ...), ``decimals`` typed in
    a box, ``special`` words for its lowest value ("no cap" for 0) and words for each of
    its choices. Validation, the control panel, the dialogs, ``visualizer settings`` and
    the README's table all read this one spec (``schema.key_specs``)."""
    return field(
        default=default,
        metadata={
            "lo": lo,
            "hi": hi,
            "doc": doc,
            "words": words,
            "label": label,
            "unit": unit,
            "decimals": decimals,
            "special": special,
            "choices": choices,
        },
    )


#: The live plots, by name: a scenario's ``plots`` key picks the ones presenter mode shows.
PLOT_NAMES = ("lost", "errors", "memory", "latency", "requests")


@dataclass(frozen=True)
class ScenarioSection:
    name: str = setting("custom", doc="short identifier", label="Name")
    title: str = setting("Custom scenario", doc="one-line title", label="Title")
    description: str = setting("", doc="what the scenario shows", label="Description")
    seed: int = setting(1, lo=0, hi=2**63 - 1, doc="random seed", label="Seed")
    duration_s: float = setting(
        120.0, lo=0.001, hi=86_400.0, doc="simulated seconds for headless runs", label="Duration"
    )
    slide: int = setting(
        0, lo=0, hi=999, doc="place in the teaching order (0: not a slide)", label="Slide"
    )
    moment_s: float = setting(
        0.0,
        lo=0.0,
        hi=86_400.0,
        doc="the moment the slide shows its story (0: 5 s after the last scheduled fault, "
        "else the end; at most the duration)",
        label="Slide moment",
        special="automatic",
    )
    notes: str = setting(
        "", doc="speaker notes, shown in presenter mode on N", label="Speaker notes"
    )
    explanation: str = setting(
        "", doc="what the strip says while the settings are the scenario's", label="Explanation"
    )
    plots: str = setting(
        "lost errors",
        doc="the plots presenter mode shows, by name",
        words=PLOT_NAMES,
        label="Presenter plots",
    )
    lesson: Lesson = setting(SESSIONS, doc="what the scenario teaches", label="Lesson")


@dataclass(frozen=True)
class TrafficSection:
    users_per_s: float = setting(
        10.0,
        lo=0.0,
        hi=10_000.0,
        doc="new users per second (Poisson)",
        label="New users",
        decimals=1,
    )
    requests_per_user: float = setting(
        6.0,
        lo=1.0,
        hi=10_000.0,
        doc="mean requests per user (geometric; 1 = one each)",
        label="Requests per user",
        decimals=1,
    )
    think_time_s: float = setting(
        2.0, lo=0.0, hi=3_600.0, doc="mean pause between requests", label="Think time", decimals=1
    )
    on_error: OnError = setting(
        OnError.RELOGIN,
        doc="what a user does after an error",
        label="After an error",
        choices={"relogin": "log in again", "retry": "retry", "abandon": "give up"},
    )
    logout_fraction: float = setting(
        0.3,
        lo=0.0,
        hi=1.0,
        doc="share of users who log out at the end",
        label="Log out",
        unit="",
        decimals=2,
    )
    max_retries: int = setting(
        3, lo=0, hi=100, doc="consecutive failures before a user gives up", label="Retries"
    )
    proxy_fraction: float = setting(
        0.0,
        lo=0.0,
        hi=1.0,
        doc="share of users behind one corporate proxy (one client IP)",
        label="Behind a proxy",
        unit="",
        decimals=2,
        special="none",
    )
    tamper_fraction: float = setting(
        0.0,
        lo=0.0,
        hi=1.0,
        doc="share of users whose client sends a forged count (counter)",
        label="Forging clients",
        unit="",
        decimals=2,
        special="none",
    )


@dataclass(frozen=True)
class BalancerSection:
    algorithm: Algorithm = setting(
        Algorithm.ROUND_ROBIN,
        doc="how a server is picked",
        label="Balancer",
        choices={
            "round_robin": "Round robin",
            "random": "Random",
            "least_connections": "Least connections",
            "hash": "Hash of client address",
        },
    )
    sticky: bool = setting(
        True, doc="pin each user to the server that first served them", label="Sticky sessions"
    )
    health_check_s: float = setting(
        5.0,
        lo=0.0,
        hi=3_600.0,
        doc="health-check period (0 = failures seen at once)",
        label="Health check",
        decimals=1,
        special="instant",
    )


@dataclass(frozen=True)
class ServersSection:
    count: int = setting(4, lo=1, hi=MAX_SERVERS, doc="servers at start", label="Servers")
    workers: int = setting(
        4, lo=1, hi=1_024, doc="concurrent requests per server", label="Workers", unit="/ server"
    )
    service_ms: float = setting(
        40.0, lo=0.001, hi=600_000.0, doc="mean processing time", label="Processing", decimals=1
    )
    service: ServiceDistribution = setting(
        ServiceDistribution.EXPONENTIAL,
        doc="processing-time distribution",
        label="Processing times",
        choices={"exponential": "exponential", "constant": "constant"},
    )
    memory_mb: float = setting(
        0.0,
        lo=0.0,
        hi=10_000_000.0,
        doc="session memory cap (0 = no cap)",
        label="Memory cap",
        decimals=0,
        special="no cap",
    )
    queue_limit: int = setting(
        1_000,
        lo=1,
        hi=100_000,
        doc="waiting requests per server; more fail with OVERLOADED",
        label="Queue limit",
    )


@dataclass(frozen=True)
class StateSection:
    mode: Mode = setting(
        Mode.LOCAL,
        doc="where new sessions live",
        label="State lives",
        choices={
            "local": "In server memory (stateful)",
            "shared": "In a shared store",
            "token": "In tokens the client carries (stateless)",
        },
    )
    session_kb: float = setting(
        50.0, lo=0.0, hi=1_000_000.0, doc="memory per session", label="Session size", decimals=0
    )
    ttl_s: float = setting(
        300.0,
        lo=0.001,
        hi=31_536_000.0,
        doc="idle time before a session expires",
        label="Session TTL",
        decimals=0,
    )
    token_verify_ms: float = setting(
        1.0, lo=0.0, hi=600_000.0, doc="token check per request", label="Token check", decimals=1
    )


@dataclass(frozen=True)
class StoreSection:
    latency_ms: float = setting(
        15.0, lo=0.0, hi=600_000.0, doc="shared-store round trip", label="Store latency", decimals=1
    )
    replicas: int = setting(
        0,
        lo=0,
        hi=9,
        doc="replicas that keep sessions through a store crash",
        label="Store replicas",
        special="none",
    )


@dataclass(frozen=True)
class NetworkSection:
    latency_ms: float = setting(
        0.0,
        lo=0.0,
        hi=600_000.0,
        doc="one-way client-to-server delay through the balancer",
        label="Network latency",
        decimals=1,
    )


@dataclass(frozen=True)
class Fault:
    """One scheduled command: ``action`` on ``target`` at ``at_s`` simulated seconds.

    It applies after everything else that happens at that instant, as a command given
    live from the window does, so a saved session replays exactly.
    """

    at_s: float
    action: FaultAction
    target: str | None = None
    key: str | None = None  # for action "set"
    value: Any = None
    #: for action "set" of several keys at one instant (``values = { ... }`` in a file):
    #: (dotted key, plain value) pairs in the settings' order; key and value stay None
    values: tuple[tuple[str, Any], ...] | None = None

    @property
    def changes(self) -> tuple[tuple[str, Any], ...]:
        """The (key, value) pairs a ``set`` changes, however the file wrote them."""
        if self.values is not None:
            return self.values
        return () if self.key is None else ((self.key, self.value),)


@dataclass(frozen=True)
class CompareSection:
    """Side B of a comparison (``[compare]``): the settings in which B differs from A,
    and the commands only one side was given. A and B share everything else: the seed,
    the duration, the scheduled faults and so the same users at the same moments."""

    changes: tuple[tuple[str, Any], ...] = ()  # (dotted key, plain value)
    only_a: tuple[Fault, ...] = ()
    only_b: tuple[Fault, ...] = ()


@dataclass(frozen=True)
class Config:
    scenario: ScenarioSection = field(default_factory=ScenarioSection)
    traffic: TrafficSection = field(default_factory=TrafficSection)
    balancer: BalancerSection = field(default_factory=BalancerSection)
    servers: ServersSection = field(default_factory=ServersSection)
    state: StateSection = field(default_factory=StateSection)
    store: StoreSection = field(default_factory=StoreSection)
    network: NetworkSection = field(default_factory=NetworkSection)
    #: each registered lesson's own section, as (name, section), in teaching order
    lessons: tuple[tuple[str, Any], ...] = field(default_factory=lambda: _lesson_defaults())
    faults: tuple[Fault, ...] = ()
    compare: CompareSection | None = None  # a comparison opens with B beside A

    def __getattr__(self, name: str) -> Any:
        """A lesson's section by its name (``config.counter``)."""
        if name.startswith("__") or name == "lessons":
            raise AttributeError(name)
        for section, value in self.lessons:
            if section == name:
                return value
        raise AttributeError(f"a Config has no section {name!r}")

    def get(self, key: str) -> Any:
        """Value of a dotted key such as ``"state.mode"``."""
        section, name = key.split(".", 1)
        return getattr(getattr(self, section), name)

    def section(self, name: str) -> Any:
        """The section ``name`` (shared or a lesson's)."""
        return getattr(self, name)

    def with_sections(self, changed: dict[str, Any]) -> Config:
        """A copy with whole sections replaced, by name (shared and lessons' alike)."""
        own = {k: v for k, v in changed.items() if k in _SHARED}
        lessons = tuple((k, changed.get(k, v)) for k, v in self.lessons)
        return dataclasses.replace(self, lessons=lessons, **own)

    def uses(self, section: str) -> bool:
        """Whether ``section`` matters to this scenario's lesson (a lesson's own section
        is written to files only by scenarios of that lesson)."""
        owner = section_owner(section)
        return owner is None or owner is self.scenario.lesson

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON- and TOML-friendly dict (enums as their strings)."""
        out: dict[str, Any] = {}
        for name in section_names():
            if not self.uses(name):
                continue
            section = getattr(self, name)
            out[name] = {k: _plain(v) for k, v in dataclasses.asdict(section).items()}
        out["faults"] = [_fault_dict(fault) for fault in self.faults]
        if self.compare is not None:
            out["compare"] = _compare_dict(self.compare)
        return out


def _fault_dict(fault: Fault) -> dict[str, Any]:
    out = {k: _plain(v) for k, v in dataclasses.asdict(fault).items() if v is not None}
    if fault.values is not None:  # a table of the keys it sets, as the file writes it
        out["values"] = {key: _plain(value) for key, value in fault.values}
    return out


def _compare_dict(compare: CompareSection) -> dict[str, Any]:
    """``[compare]`` as TOML reads it: changes nested by section, then the one-side faults."""
    out: dict[str, Any] = {}
    for key, value in compare.changes:
        section, name = key.split(".", 1)
        out.setdefault(section, {})[name] = _plain(value)
    for side in ("only_a", "only_b"):
        faults = getattr(compare, side)
        if faults:
            out[side] = [_fault_dict(f) for f in faults]
    return out


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum | Lesson) else value


# --- lessons' sections --------------------------------------------------------------------


@dataclass(frozen=True)
class LessonSection:
    """A lesson's own ``[section]``: its settings (a frozen dataclass of ``setting``
    fields) and its rules, which a scenario of that lesson is checked against (beside
    the shared ones) in a file, ``--set``, ``[compare]`` and every scheduled ``set``."""

    lesson: Lesson
    name: str
    settings: type
    #: refuse settings that are each in range but not together: ``check(config, where)``
    #: raises ``ConfigError`` (only for scenarios of the lesson)
    check: Callable[[Config, str], None] = lambda _config, _where: None
    #: the same along a schedule: ``walk(start)`` gives a check of the config after each
    #: scheduled ``set`` in turn, ``step(where, config)`` (for a rule that holds once
    #: something was seen, like polls that go on after the transport changed)
    walk: Callable[[Config], Callable[[str, Config], None]] | None = None


_LESSON_SECTIONS: dict[str, LessonSection] = {}


def register_section(section: LessonSection) -> LessonSection:
    """Make ``section`` a section of every ``Config`` (a lesson's package calls this)."""
    if section.name in _SHARED or section.name in _NOT_SECTIONS:
        raise ValueError(f"[{section.name}] is a shared section; a lesson needs its own name")
    _LESSON_SECTIONS[section.name] = section
    _changed()
    return section


def unregister_section(name: str) -> None:
    """Take a lesson's section away again (a test's toy lesson)."""
    if _LESSON_SECTIONS.pop(name, None) is not None:
        _changed()


_listeners: list[Callable[[], None]] = []


def on_sections_changed(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever a lesson's section comes or goes (caches built from
    the sections forget themselves)."""
    _listeners.append(listener)


def _changed() -> None:
    for listener in _listeners:
        listener()


def lesson_sections() -> dict[str, LessonSection]:
    """Every lesson's own section, by name, in teaching order."""
    load_lessons()
    return _LESSON_SECTIONS


def section_owner(name: str) -> Lesson | None:
    """The lesson whose own section ``name`` is (None: a section every lesson has)."""
    section = lesson_sections().get(name)
    return None if section is None else section.lesson


def _lesson_defaults() -> tuple[tuple[str, Any], ...]:
    return tuple((name, s.settings()) for name, s in lesson_sections().items())


#: Sections that hold no plain keys.
_NOT_SECTIONS = ("faults", "compare", "lessons")
#: The sections every lesson has, in file order.
_SHARED: dict[str, type] = {
    f.name: f.default_factory  # type: ignore[misc]
    for f in dataclasses.fields(Config)
    if f.name not in _NOT_SECTIONS
}


def sections() -> dict[str, type]:
    """Every section that holds plain keys, by name, in file order: the shared ones,
    then each lesson's own."""
    return _SHARED | {name: s.settings for name, s in lesson_sections().items()}


def section_names() -> tuple[str, ...]:
    return tuple(sections())


#: Where the lessons are (imported once, the first time a lesson is asked for).
LESSONS_PACKAGE = "visualizer.lessons"
_loading: list[bool] = []


def load_lessons() -> None:
    """Import the lessons' packages, which register themselves (once; while they
    import, what has registered so far is what there is)."""
    if _loading:
        return
    _loading.append(True)
    try:
        importlib.import_module(LESSONS_PACKAGE)
    except BaseException:
        _loading.clear()
        raise
