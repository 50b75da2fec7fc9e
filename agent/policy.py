"""Which actions need a spoken confirmation before they run (unlocking, opening the garage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.models import DeviceCommand
    from agent.registry import Entity


def _action_words(command: DeviceCommand) -> set[str]:
    """The action, plus ``open`` for anything that may open a cover (a toggle of a closed
    garage door, a position above 0): a rule about opening must catch those too."""
    words = {command.action}
    if command.action == "toggle" or (command.action == "set_position" and (command.value or 0) > 0):
        words.add("open")
    return words


@dataclass(frozen=True)
class ConfirmRule:
    """Actions that need confirmation on the entities the rule selects."""

    actions: tuple[str, ...]
    """Command actions (``agent.commands.ACTIONS``); ``open`` also covers toggle and set_position > 0."""
    domain: str | None = None
    """Only entities of this domain; None for any."""
    device_classes: tuple[str, ...] = ()
    """Only entities of these device classes; empty for any."""
    entities: tuple[str, ...] = ()
    """Only these entity ids; empty for any."""

    def matches(self, entity: Entity, command: DeviceCommand) -> bool:
        return (
            (self.domain is None or entity.domain == self.domain)
            and (not self.device_classes or entity.device_class in self.device_classes)
            and (not self.entities or entity.id in self.entities)
            and not _action_words(command).isdisjoint(self.actions)
        )


DEFAULT_RULES = (
    ConfirmRule(actions=("unlock",), domain="lock"),
    ConfirmRule(actions=("open",), domain="cover", device_classes=("garage", "gate", "door")),
    ConfirmRule(actions=("alarm_disarm",), domain="alarm_control_panel"),
)


@dataclass(frozen=True)
class Policy:
    """The home's confirmation rules (``policy.confirm`` in the config; defaults above)."""

    confirm: tuple[ConfirmRule, ...] = DEFAULT_RULES

    def needs_confirmation(self, entity: Entity, command: DeviceCommand) -> bool:
        return any(rule.matches(entity, command) for rule in self.confirm)
