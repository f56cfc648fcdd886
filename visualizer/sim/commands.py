"""Commands the engine accepts, and the one table between commands and schedule entries.

A command is what a user does to a running simulation (crash server-2, turn sticky off);
a ``Fault`` is the same thing written in a scenario file at a time. Commands are frozen
dataclasses, so a list of them is a reproducible script. Server names and indices map
one to one (``server-N`` is index N - 1) because the engine never reuses a name.
"""

from __future__ import annotations

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


Command = (
    CrashServer | RestartServer | CrashStore | RestoreStore | AddServer | RemoveServer | SetValue
)

#: The one table: fault action <-> command class (``set`` is ``SetValue``).
ACTIONS: dict[FaultAction, type] = {
    FaultAction.CRASH: CrashServer,
    FaultAction.RESTART: RestartServer,
    FaultAction.CRASH_STORE: CrashStore,
    FaultAction.RESTORE_STORE: RestoreStore,
    FaultAction.ADD_SERVER: AddServer,
    FaultAction.REMOVE_SERVER: RemoveServer,
    FaultAction.SET: SetValue,
}
_ACTION_OF = {cls: action for action, cls in ACTIONS.items()}


def server_name(index: int) -> str:
    return f"server-{index + 1}"


def server_number(name: str) -> int:
    """The index a ``server-N`` name stands for."""
    return int(name.rsplit("-", 1)[1]) - 1


def to_fault(t: float, command: Command) -> Fault:
    """A command given at ``t`` as a schedule entry (server indices become names)."""
    action = _ACTION_OF[type(command)]
    if isinstance(command, SetValue):
        value = getattr(command.value, "value", command.value)
        return Fault(float(t), action, key=command.key, value=value)
    index = getattr(command, "server", None)
    # simpy's clock starts at the integer 0: every saved time is a float
    return Fault(float(t), action, None if index is None else server_name(index))


def to_command(fault: Fault) -> Command:
    """A schedule entry as the command it applies (names become indices)."""
    cls = ACTIONS[fault.action]
    if cls is SetValue:
        return SetValue(fault.key, fault.value)  # type: ignore[arg-type]
    if cls in (CrashServer, RestartServer):
        return cls(server_number(fault.target))  # type: ignore[arg-type]
    if cls is RemoveServer:
        return RemoveServer(None if fault.target is None else server_number(fault.target))
    return cls()
