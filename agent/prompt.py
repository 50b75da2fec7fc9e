"""The one prompt: what the model reads before it writes a decision. Training and serving both
build it here, so the model learns exactly what it will see.

Two parts, tokenised separately and concatenated: a fixed per-home prefix (an instruction and
the home's area names: whether "kitchen" is a room or a device matters) whose KV cache the
runtime computes once per registry, and the command part. Short on purpose: every token of it
costs fine-tuning time, and it is what a 2-core CPU must read for every command.
"""

from __future__ import annotations

from agent.errors import HearthError
from agent.registry import Registry

PROMPT_VERSION = 1
MAX_COMMAND_CHARS = 300
"""Longer texts are refused: no home command is this long, and the cost grows with length."""


class CommandError(HearthError):
    """A command text that cannot be given to the model (empty, too long)."""


def home_prefix(reg: Registry) -> str:
    """The fixed, per-home start of every prompt."""
    areas = ", ".join(a.name for a in reg.areas)
    return f"<|im_start|>system\nSmart home commands to JSON intents. Areas: {areas}.<|im_end|>\n"


def clean_command(text: str) -> str:
    """The command as the model sees it: whitespace collapsed; empty or overlong refused."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise CommandError("The command is empty.")
    if len(cleaned) > MAX_COMMAND_CHARS:
        raise CommandError(f"The command is {len(cleaned)} characters long; at most {MAX_COMMAND_CHARS} are accepted.")
    return cleaned


def command_part(text: str) -> str:
    """The per-command rest of the prompt, ending where the decision JSON begins."""
    return f"<|im_start|>user\n{clean_command(text)}<|im_end|>\n<|im_start|>assistant\n"


def prefix_tokens(reg: Registry, tokenizer) -> list[int]:
    return tokenizer.encode(home_prefix(reg), add_special_tokens=False)


def command_tokens(text: str, tokenizer) -> list[int]:
    return tokenizer.encode(command_part(text), add_special_tokens=False)
