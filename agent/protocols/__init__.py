"""Device protocols: one module each, turning device commands into MQTT messages.

Every module offers the same surface:

- ``DOMAINS``: entity domains it can drive or read;
- ``Binding``: its typed per-entity settings, built by ``binding(raw, defaults)`` from the
  (schema-checked) ``protocol`` block of an entity and the config's ``protocols`` defaults;
- ``check(entity)``: problems with the binding as ``(field, message)`` pairs;
- ``state_topics(entity)``: topics on which the device reports its state;
- ``encode(entity, commands)``: the messages to publish, or ``UnsupportedCommand``.
"""

from __future__ import annotations

from types import ModuleType

from agent.protocols import homeassistant, tasmota, template, zigbee2mqtt

PROTOCOLS: dict[str, ModuleType] = {
    "zigbee2mqtt": zigbee2mqtt,
    "homeassistant": homeassistant,
    "tasmota": tasmota,
    "template": template,
}
