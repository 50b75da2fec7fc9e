"""Rhasspy/Snips Hermes compatibility: the topics and payload shapes those systems use.

In: ``hermes/nlu/query`` (``input``, ``id``, ``siteId``, ``sessionId``) and
``hermes/asr/textCaptured`` (``text``, ``siteId``, ``sessionId``). Out: one
``hermes/intent/<intentName>`` per intent understood, or ``hermes/nlu/intentNotRecognized``;
then, hearth being the intent handler that acted, the reply to speak for the session:
``hermes/dialogueManager/endSession``, or ``continueSession`` when it asks yes or no.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agent.models import MqttMessage

NLU_QUERY = "hermes/nlu/query"
TEXT_CAPTURED = "hermes/asr/textCaptured"
TOPICS = (NLU_QUERY, TEXT_CAPTURED)
NOT_RECOGNIZED = "hermes/nlu/intentNotRecognized"
END_SESSION = "hermes/dialogueManager/endSession"
CONTINUE_SESSION = "hermes/dialogueManager/continueSession"


@dataclass(frozen=True)
class HermesRequest:
    """What a Hermes message asks, in hearth's terms."""

    text: str
    id: str | None
    site_id: str
    session_id: str | None
    custom_data: Any = None


def read_request(topic: str, message: Any) -> HermesRequest:
    """A decoded JSON payload -> request; ``ValueError`` naming what is wrong with it."""
    if not isinstance(message, dict):
        raise ValueError(f"{topic} payload must be a JSON object")
    key = "input" if topic == NLU_QUERY else "text"
    text = message.get(key)
    if not isinstance(text, str):
        raise ValueError(f"{topic} payload needs a string '{key}'")
    site, session, id_ = message.get("siteId", "default"), message.get("sessionId"), message.get("id")
    for name, value in (("siteId", site), ("sessionId", session), ("id", id_)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{topic} '{name}' must be a string")
    return HermesRequest(text, id_, site, session, message.get("customData"))


def _slot(name: str, value: Any) -> dict[str, Any]:
    kind = "Number" if isinstance(value, (int, float)) and not isinstance(value, bool) else "Custom"
    return {
        "entity": name,
        "slotName": name,
        "rawValue": str(value),
        "value": {"kind": kind, "value": value},
        "confidence": 1.0,
        "range": None,
    }


def intent_messages(request: HermesRequest, intents: list[dict[str, Any]]) -> list[MqttMessage]:
    """What Rhasspy publishes for a recognised sentence, once per intent (hearth may find
    several in one sentence; each is a whole Hermes intent)."""
    if not intents:
        payload = {"input": request.text, "id": request.id, "siteId": request.site_id, "sessionId": request.session_id, "customData": request.custom_data}
        return [MqttMessage(NOT_RECOGNIZED, json.dumps(payload, ensure_ascii=False), qos=1)]
    out = []
    for intent in intents:
        name = intent["intent"]
        payload = {
            "input": request.text,
            "rawInput": request.text,
            "intent": {"intentName": name, "confidenceScore": 1.0},
            "slots": [_slot(k, v) for k, v in intent.items() if k != "intent"],
            "id": request.id,
            "siteId": request.site_id,
            "sessionId": request.session_id,
            "customData": request.custom_data,
            "asrTokens": [],
            "asrConfidence": None,
            "wakewordId": None,
            "lang": None,
        }
        out.append(MqttMessage(f"hermes/intent/{name}", json.dumps(payload, ensure_ascii=False), qos=1))
    return out


def reply_message(request: HermesRequest, text: str, asks: bool) -> MqttMessage | None:
    """What an intent handler tells the dialogue manager once it has acted: speak ``text`` and
    end the session, or (``asks``: a question awaiting yes or no) speak it and listen again in
    the same session, so the answer comes back from the same site. None without a session."""
    if request.session_id is None:
        return None
    payload: dict[str, Any] = {"sessionId": request.session_id, "text": text, "customData": request.custom_data}
    if asks:
        payload.update({"intentFilter": None, "sendIntentNotRecognized": True, "slot": None})
    return MqttMessage(CONTINUE_SESSION if asks else END_SESSION, json.dumps(payload, ensure_ascii=False), qos=1)
