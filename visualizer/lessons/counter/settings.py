"""The counter lesson's own settings (``[counter]``) and the rule they obey together."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from visualizer.sim.config import Config, Lesson, LessonSection, register_section, setting
from visualizer.sim.schema import ConfigError

LESSON = Lesson.define("counter")


class CounterScope(StrEnum):
    USER = "user"  # each user's own count (clicks on their button)
    GLOBAL = "global"  # one count for everybody (a like counter)


class CounterPlacement(StrEnum):
    SERVER = "server"  # each server counts in its own memory
    STORE = "store"  # one count in the shared store, a round trip per click
    CLIENT = "client"  # the client carries its count and sends it with every click


class CounterUpdate(StrEnum):
    ATOMIC = "atomic"  # the store increments in one step
    READ_MODIFY_WRITE = "read_modify_write"  # read, add one, write back: overlaps lose updates


@dataclass(frozen=True)
class CounterSection:
    """The counter lesson: where a click count lives and how it is updated."""

    scope: CounterScope = setting(
        CounterScope.USER,
        doc="whose count a click adds to",
        label="Count",
        choices={"user": "per user", "global": "global"},
    )
    placement: CounterPlacement = setting(
        CounterPlacement.SERVER,
        doc="where the count lives",
        label="Count lives",
        choices={
            "server": "on each server",
            "store": "in the shared store",
            "client": "on the client",
        },
    )
    update: CounterUpdate = setting(
        CounterUpdate.ATOMIC,
        doc="how the store adds a click",
        label="Store update",
        choices={"atomic": "atomic +1", "read_modify_write": "read + write"},
    )
    signed: bool = setting(
        False,
        doc="client-carried counts are signed: a forged one is refused",
        label="Signed counts",
    )


def check(config: Config, where: str) -> None:
    """One count shared by everybody cannot live in each user's client."""
    counter = config.counter
    if counter.scope is CounterScope.GLOBAL and counter.placement is CounterPlacement.CLIENT:
        raise ConfigError(
            f'{where}: counter.scope = "global" with counter.placement = "client" is not '
            "allowed: one count shared by everybody cannot live in each user's client; use "
            'placement "server" or "store", or scope "user"'
        )


SECTION = register_section(LessonSection(LESSON, "counter", CounterSection, check))
