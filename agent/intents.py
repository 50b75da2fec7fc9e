"""The intent catalogue: every intent the model may emit and the slots each one takes.

Home Assistant's intent names and slot names, extended (prefix ``Hearth``) where Home Assistant
has no intent. The schema generator, the resolver and the fine-tuning data generator all read
this module; nothing else lists intents or slots.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent import domains as D

# Slots that pick the devices an intent acts on, in the order they are serialised.
TARGET_SLOTS = ("name", "area", "floor", "domain", "device_class")


@dataclass(frozen=True)
class Slot:
    """A slot an intent may carry."""

    name: str
    """Key in the decision JSON."""
    kind: str
    """``target`` (name/area/floor/domain/device_class, enums built from the home),
    ``integer``, ``number`` or ``enum``."""
    description: str
    """One line for people and for the schema's ``description``."""
    minimum: float | None = None
    """Lowest value a numeric slot accepts in any home (a home may narrow it)."""
    maximum: float | None = None
    """Highest value a numeric slot accepts in any home (a home may narrow it)."""
    values: tuple[str, ...] = ()
    """Allowed words of an enum slot in any home (a home may narrow them)."""


SLOTS: dict[str, Slot] = {
    s.name: s
    for s in (
        Slot("name", "target", "A device's name or alias, copied from the command."),
        Slot("area", "target", "An area's name or alias."),
        Slot("floor", "target", "A floor's name or alias."),
        Slot("domain", "target", "Kind of device (light, cover, lock, ...).", values=D.DOMAINS),
        Slot(
            "device_class",
            "target",
            "Sub-kind of device (garage, window, tv, ...).",
            values=tuple(sorted({c for cs in D.DEVICE_CLASSES.values() for c in cs})),
        ),
        Slot("brightness", "integer", "Light brightness in percent.", 0, 100),
        Slot("color", "enum", "Light color name."),  # values: agent.colors.COLOR_NAMES
        Slot("color_temp", "integer", "Light color temperature in kelvin.", 1000, 12000),
        Slot("direction", "enum", "Relative brightness change.", values=("up", "down")),
        Slot("step", "integer", "Size of a relative brightness change in percent.", 1, 100),
        Slot("position", "integer", "Cover position in percent (100 = open).", 0, 100),
        Slot("temperature", "number", "Target temperature in degrees Celsius.", 5, 35),
        Slot("hvac_mode", "enum", "Thermostat mode.", values=D.HVAC_MODES),
        Slot("percentage", "integer", "Fan speed in percent.", 0, 100),
        Slot("volume_level", "integer", "Media volume in percent.", 0, 100),
        Slot("mode", "enum", "Alarm arming mode.", values=D.ARM_MODES),
        Slot(
            "state",
            "enum",
            "State asked about in a question.",
            values=tuple(dict.fromkeys(s for states in D.STATES.values() for s in states)),
        ),
        Slot(
            "quantifier",
            "enum",
            "Question over several devices: any, all, how many or which.",
            values=("any", "all", "how_many", "which"),
        ),
    )
}


@dataclass(frozen=True)
class IntentSpec:
    """An intent: what it does, which devices it applies to, which slots it takes."""

    name: str
    """Intent name as the model emits it."""
    description: str
    """What the intent asks for."""
    domains: tuple[str, ...]
    """Domains of the entities it can act on."""
    value_slots: tuple[str, ...] = ()
    """Slots beyond the target slots, in serialisation order."""
    required: tuple[str, ...] = ()
    """Value slots that must be present."""
    query: bool = False
    """A question answered from state, not an action."""
    area_default_domains: tuple[str, ...] = ()
    """Domains an area-only target expands to ("turn on the kitchen" means its lights);
    empty means all of ``domains``."""
    needs_target: bool = False
    """With no target slot, only the area the command came from can say what is meant."""
    class_filter: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(domain, device classes) pairs: of that domain, only those classes qualify."""
    exclusive: tuple[str, ...] = ()
    """Value slots of which one intent sets at most one: a light shows a colour or a white
    temperature, not both. The decoder's grammar holds it (``agent.schema.grammar_schema``)."""

    def accepts(self, entity) -> bool:
        """Whether the intent can apply to ``entity`` at all."""
        if entity.domain not in self.domains:
            return False
        allowed = dict(self.class_filter).get(entity.domain)
        return allowed is None or entity.device_class in allowed

    @property
    def slots(self) -> tuple[str, ...]:
        """All slots the intent takes, targets first."""
        return TARGET_SLOTS + self.value_slots


_SWITCHABLE = ("light", "switch", "fan", "cover", "lock", "climate", "media_player", "vacuum")

INTENTS: dict[str, IntentSpec] = {
    i.name: i
    for i in (
        IntentSpec("HassTurnOn", "Turn on, open or lock devices.", _SWITCHABLE, area_default_domains=("light",), needs_target=True),
        IntentSpec(
            "HassTurnOff", "Turn off, close or unlock devices.", _SWITCHABLE, area_default_domains=("light",), needs_target=True
        ),
        IntentSpec(
            "HassToggle",
            "Toggle devices.",
            ("light", "switch", "fan", "media_player"),
            area_default_domains=("light",),
            needs_target=True,
        ),
        IntentSpec(
            "HassLightSet",
            "Set brightness, color or color temperature of lights.",
            ("light",),
            value_slots=("brightness", "color", "color_temp"),
            needs_target=True,
            exclusive=("color", "color_temp"),
        ),
        IntentSpec(
            "HearthLightStep",
            "Make lights brighter or dimmer by a step.",
            ("light",),
            value_slots=("direction", "step"),
            required=("direction",),
            needs_target=True,
        ),
        IntentSpec(
            "HassSetPosition", "Set the position of covers.", ("cover",), value_slots=("position",), required=("position",)
        ),
        IntentSpec(
            "HassClimateSetTemperature",
            "Set a thermostat's target temperature.",
            ("climate",),
            value_slots=("temperature",),
            required=("temperature",),
        ),
        IntentSpec(
            "HearthClimateSetMode",
            "Set a thermostat's HVAC mode.",
            ("climate",),
            value_slots=("hvac_mode",),
            required=("hvac_mode",),
        ),
        IntentSpec(
            "HassClimateGetTemperature",
            "Ask for the temperature.",
            ("climate", "sensor"),
            query=True,
            class_filter=(("sensor", ("temperature",)),),
        ),
        IntentSpec(
            "HassFanSetSpeed", "Set a fan's speed.", ("fan",), value_slots=("percentage",), required=("percentage",)
        ),
        IntentSpec(
            "HassGetState",
            "Ask about the state of devices.",
            D.DOMAINS,
            value_slots=("state", "quantifier"),
            query=True,
            needs_target=True,
        ),
        IntentSpec(
            "HassSetVolume",
            "Set media volume.",
            ("media_player",),
            value_slots=("volume_level",),
            required=("volume_level",),
        ),
        IntentSpec("HassMediaPause", "Pause media.", ("media_player",)),
        IntentSpec("HassMediaUnpause", "Resume media.", ("media_player",)),
        IntentSpec("HassMediaNext", "Skip to the next track.", ("media_player",)),
        IntentSpec("HassMediaPrevious", "Go back to the previous track.", ("media_player",)),
        IntentSpec("HassVacuumStart", "Start vacuuming.", ("vacuum",)),
        IntentSpec("HassVacuumReturnToBase", "Send the vacuum back to its dock.", ("vacuum",)),
        IntentSpec("HearthAlarmArm", "Arm the alarm.", ("alarm_control_panel",), value_slots=("mode",)),
        IntentSpec("HearthAlarmDisarm", "Disarm the alarm.", ("alarm_control_panel",)),
    )
}

# Most intents one decision may hold: bounds the decoder's token budget.
MAX_INTENTS = 4
