"""Commands the engine accepts, and the one table between commands and schedule entries.

A command is what a user does to a running simulation (crash server-2, turn sticky off);
a ``Fault`` is the same thing written in a scenario file at a time. Commands are frozen
dataclasses, so a list of them is a reproducible script. Server names and indices map
one to one (``server-N`` is index N - 1) because the engine never reuses a name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from visualizer.sim.config import Fault, FaultAction


@dataclass(frozen=True)
class CrashServer:
    server: int  # 0-based index


@dataclass(frozen=True)
class RestartServer:
    server: int


@dataclass(frozen=True)
class CrashStore:
    pass


@dataclass(frozen=True)
class RestoreStore:
    pass


@dataclass(frozen=True)
class AddServer:
    pass


@dataclass(frozen=True)
class RemoveServer:
    server: int | None = None  # None: the highest-numbered live server


@dataclass(frozen=True)
class SetValue:
    """Change a scenario key live, e.g. ``SetValue("state.mode", "shared")``."""

    key: str
    value: Any

    @property
    def changes(self) -> tuple[tuple[str, Any], ...]:
        return ((self.key, self.value),)


@dataclass(frozen=True)
class SetValues:
    """Change several scenario keys as one command, e.g. a toggle that sets two:
    ``SetValues((("state.mode", "shared"), ("balancer.sticky", True)))``. The engine
    checks them as a whole and applies them at one instant (one marker, one undo step);
    if any is refused, none applies. One pair is the same command as ``SetValue``."""

    changes: tuple[tuple[str, Any], ...]


Command = (
    CrashServer
    | RestartServer
    | CrashStore
    | RestoreStore
    | AddServer
    | RemoveServer
    | SetValue
    | SetValues
)

#: The one table: fault action <-> command class (``set`` is ``SetValue``, or
#: ``SetValues`` when a fault's ``values`` change several keys at once).
ACTIONS: dict[FaultAction, type] = {
    FaultAction.CRASH: CrashServer,
    FaultAction.RESTART: RestartServer,
    FaultAction.CRASH_STORE: CrashStore,
    FaultAction.RESTORE_STORE: RestoreStore,
    FaultAction.ADD_SERVER: AddServer,
    FaultAction.REMOVE_SERVER: RemoveServer,
    FaultAction.SET: SetValue,
}
_ACTION_OF = {cls: action for action, cls in ACTIONS.items()} | {SetValues: FaultAction.SET}


def set_command(changes: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> SetValue | SetValues:
    """The one command that sets ``changes`` (a mapping or (key, value) pairs, in order):
    ``SetValue`` for one key, as every single change has always been written, else
    ``SetValues``."""
    pairs = tuple(changes.items() if isinstance(changes, Mapping) else changes)
    if len(pairs) == 1:
        return SetValue(*pairs[0])
    return SetValues(pairs)


def server_name(index: int) -> str:
    return f"server-{index + 1}"


def server_number(name: str) -> int:
    """The index a ``server-N`` name stands for."""
    return int(name.rsplit("-", 1)[1]) - 1


def to_fault(t: float, command: Command) -> Fault:
    """A command given at ``t`` as a schedule entry (server indices become names)."""
    action = _ACTION_OF[type(command)]
    if isinstance(command, SetValue | SetValues):
        pairs = tuple((k, getattr(v, "value", v)) for k, v in command.changes)
        if len(pairs) == 1:  # one key: the key/value form files have always had
            ((key, value),) = pairs
            return Fault(float(t), action, key=key, value=value)
        return Fault(float(t), action, values=pairs)
    index = getattr(command, "server", None)
    # simpy's clock starts at the integer 0: every saved time is a float
    return Fault(float(t), action, None if index is None else server_name(index))


def to_command(fault: Fault) -> Command:
    """A schedule entry as the command it applies (names become indices)."""
    cls = ACTIONS[fault.action]
    if cls is SetValue:
        if fault.values is not None:
            return SetValues(fault.values)
        return SetValue(fault.key, fault.value)  # type: ignore[arg-type]
    if cls in (CrashServer, RestartServer):
        return cls(server_number(fault.target))  # type: ignore[arg-type]
    if cls is RemoveServer:
        return RemoveServer(None if fault.target is None else server_number(fault.target))
    return cls()
