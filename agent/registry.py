"""The home as typed objects: floors, areas, entities, settings; and name lookups.

Built once from a checked config (``agent.config``); nothing downstream reads raw YAML.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from agent.policy import Policy

_ARTICLES = ("the", "a", "an", "my", "our")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalize_name(text: str) -> str:
    """Case-, punctuation- and article-insensitive form of a spoken name, as Home Assistant
    matches names: "The Living-Room Lamp!" -> "living room lamp"."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("’", "")
    words = _PUNCTUATION.sub(" ", text).split()
    while len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'kitchen'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class Floor:
    """A floor of the home."""

    id: str
    """Slug used by areas to refer to it."""
    name: str
    """Spoken name ("ground floor")."""
    aliases: tuple[str, ...] = ()
    """Other spoken names ("downstairs")."""
    level: int | None = None
    """0 for the ground floor, negative below."""

    @property
    def spoken_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Area:
    """A room or zone."""

    id: str
    """Slug used by entities to refer to it."""
    name: str
    """Spoken name ("living room")."""
    aliases: tuple[str, ...] = ()
    """Other spoken names ("lounge")."""
    floor: str | None = None
    """Id of the floor it is on."""

    @property
    def spoken_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Capabilities:
    """What an entity can do beyond its domain's basics."""

    brightness: bool = False
    """light: dimmable."""
    color: bool = False
    """light: takes RGB colors."""
    color_temp: tuple[int, int] | None = None
    """light: tunable white range (min, max) in kelvin."""
    position: bool = False
    """cover: takes a position in percent."""
    min_temp: float = 7.0
    """climate: lowest target temperature, °C."""
    max_temp: float = 30.0
    """climate: highest target temperature, °C."""
    hvac_modes: tuple[str, ...] = ()
    """climate: modes it supports."""
    percentage: bool = False
    """fan: takes a speed in percent."""
    volume: bool = False
    """media_player: takes a volume in percent."""
    arm_modes: tuple[str, ...] = ()
    """alarm_control_panel: arming modes it supports."""
    unit: str | None = None
    """sensor: unit of its value."""


@dataclass(frozen=True)
class Entity:
    """A device (or one function of a device) hearth can act on or ask about."""

    id: str
    """Home Assistant-style id, ``<domain>.<object_id>``."""
    name: str
    """Spoken name."""
    aliases: tuple[str, ...]
    """Other spoken names ("big light", "the telly")."""
    area: str | None
    """Id of its area."""
    device_class: str | None
    """Home Assistant device class (garage, window, tv, temperature, ...)."""
    capabilities: Capabilities
    """What it can do beyond the basics."""
    protocol: str
    """Name of its protocol module (``zigbee2mqtt``, ``homeassistant``, ``tasmota``, ``template``)."""
    binding: Any
    """The protocol module's typed binding (topics, payloads)."""

    @property
    def domain(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def spoken_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class TlsSettings:
    """TLS for the broker connection."""

    ca_certs: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    insecure: bool = False


@dataclass(frozen=True)
class BrokerSettings:
    """How to reach the MQTT broker, and hearth's topic prefix."""

    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    client_id: str = "hearth"
    keepalive: int = 60
    prefix: str = "hearth"
    """Prefix of hearth's own topics (``<prefix>/command``, ``<prefix>/result``)."""
    tls: TlsSettings | None = None


@dataclass(frozen=True)
class ModelSettings:
    """Which language model turns text into decisions."""

    base: str = "HuggingFaceTB/SmolLM2-135M-Instruct"
    """Hub id, local folder or GGUF file."""
    adapter: str | None = None
    """peft LoRA adapter folder written by ``hearth finetune``; a relative path is taken from
    the config file's folder."""
    quantize: str = "int8"
    """``int8`` (dynamic quantization of linear layers) or ``none``."""
    threads: int | None = None
    """torch threads; None lets torch choose."""


@dataclass(frozen=True)
class DaemonSettings:
    """How ``hearth serve`` behaves (``daemon:`` in the config)."""

    state_timeout_s: float = 2.0
    """How long a device has to report its new state before the result says "not confirmed"."""
    confirm_window_s: float = 30.0
    """How long a risky action waits for a "yes" from the same site."""
    queue_size: int = 64
    """Commands waiting at most; a flood beyond it gets error results, not memory."""
    hermes: bool = True
    """Also serve Rhasspy/Snips Hermes topics."""


@dataclass(frozen=True)
class DiscoverySettings:
    """Whether ``hearth serve`` keeps the home in step with what the broker announces."""

    discover: bool = False
    """Follow zigbee2mqtt's bridge/devices and Home Assistant discovery while serving."""
    discovery_prefix: str = "homeassistant"
    """Home Assistant's discovery topic prefix."""


@dataclass
class Registry:
    """A whole home, with lookups by spoken name."""

    name: str
    floors: tuple[Floor, ...]
    areas: tuple[Area, ...]
    entities: tuple[Entity, ...]
    broker: BrokerSettings = field(default_factory=BrokerSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    policy: Policy = field(default_factory=Policy)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    discovery: DiscoverySettings = field(default_factory=DiscoverySettings)

    def __post_init__(self) -> None:
        self._entity_by_id = {e.id: e for e in self.entities}
        self._area_by_id = {a.id: a for a in self.areas}
        self._floor_by_id = {f.id: f for f in self.floors}
        self._entities_by_name: dict[str, list[Entity]] = {}
        for e in self.entities:
            for n in dict.fromkeys(normalize_name(s) for s in e.spoken_names):
                self._entities_by_name.setdefault(n, []).append(e)
        self._areas_by_name = {normalize_name(n): a for a in self.areas for n in a.spoken_names}
        self._floors_by_name = {normalize_name(n): f for f in self.floors for n in f.spoken_names}

    def entity(self, entity_id: str) -> Entity | None:
        return self._entity_by_id.get(entity_id)

    def area(self, area_id: str | None) -> Area | None:
        return self._area_by_id.get(area_id) if area_id else None

    def floor(self, floor_id: str | None) -> Floor | None:
        return self._floor_by_id.get(floor_id) if floor_id else None

    def entities_named(self, spoken: str) -> list[Entity]:
        """Entities whose name or an alias matches, in config order."""
        return list(self._entities_by_name.get(normalize_name(spoken), ()))

    def area_named(self, spoken: str) -> Area | None:
        return self._areas_by_name.get(normalize_name(spoken))

    def floor_named(self, spoken: str) -> Floor | None:
        return self._floors_by_name.get(normalize_name(spoken))

    def entities_in_area(self, area_id: str) -> list[Entity]:
        return [e for e in self.entities if e.area == area_id]

    def entities_on_floor(self, floor_id: str) -> list[Entity]:
        areas = {a.id for a in self.areas if a.floor == floor_id}
        return [e for e in self.entities if e.area in areas]

    def domains(self) -> tuple[str, ...]:
        """Domains present in the home, in config order."""
        return tuple(dict.fromkeys(e.domain for e in self.entities))
