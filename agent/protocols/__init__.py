"""Device protocols: one module each, turning device commands into MQTT messages.

Every module offers the same surface:

- ``DOMAINS``: entity domains it can drive or read;
- ``Binding``: its typed per-entity settings, built by ``binding(raw, defaults)`` from the
  (schema-checked) ``protocol`` block of an entity and the config's ``protocols`` defaults;
- ``check(entity)``: problems with the binding as ``(field, message)`` pairs;
- ``state_topics(entity)``: topics on which the device reports its state;
- ``encode(entity, commands)``: the messages to publish, or ``UnsupportedCommand``;
- ``parse_state(entity, topic, payload)``: the fields of ``agent.states`` a report carries
  (``{}`` for a report with none of them), None for anything that is not a report.

And the device's side, for simulated devices (``agent.simulator``):

- ``command_topics(entity)``: topics the device listens on (may hold ``+``);
- ``decode(entity, topic, payload)``: the commands a message carries, the inverse of
  ``encode``; ``ValueError`` for what the device would not understand;
- ``report(entity, state)``: the retained messages in which the device publishes ``state``.

A binding that drives fans in steps has ``speed_steps``, so that a confirmation expects the
percentage the device will really run at.
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
