"""The one prompt: what the model reads before it writes a decision. Training and serving both
build it here, so the model learns exactly what it will see.

Two parts, tokenised separately and concatenated: a fixed per-home prefix (up to the opening of
the user's turn) whose KV cache the runtime computes once per registry, and the command part.
Short on purpose: every token of it costs fine-tuning time, and it is what a 2-core CPU must
read for every command.

Two versions of the prefix; an adapter records the one it was trained with and is served with
it. Version 1 names the home's areas (whether "kitchen" is a room or a device matters); a
per-home adapter learns the device names from its data. Version 2 also lists every name and
alias of a device: an adapter for homes it never saw can only know "coffee machine" is a device
by reading it (about 230 more tokens for the example home, read once per home at serving).
Version 3 also gives each area's aliases ("office (study)"): with the names alone, a generic
adapter read "unpause study music" as music to study by, not the office's.
"""

from __future__ import annotations

from agent.errors import HearthError
from agent.registry import Registry

PROMPT_VERSIONS = (1, 2, 3)
"""The prefixes this runtime can build."""
PER_HOME_PROMPT = 1
"""What ``hearth finetune`` trains a per-home adapter with."""
GENERIC_PROMPT = 3
"""What ``hearth finetune --generic`` trains with: the names of a home it never saw."""
MAX_COMMAND_CHARS = 300
"""Longer texts are refused: no home command is this long, and the cost grows with length."""


class CommandError(HearthError):
    """A command text that cannot be given to the model (empty, too long)."""


def home_prefix(reg: Registry, version: int = PER_HOME_PROMPT) -> str:
    """The fixed, per-home start of every prompt."""
    if version not in PROMPT_VERSIONS:
        raise ValueError(f"prompt version {version} is not one of {PROMPT_VERSIONS}")
    areas = ", ".join(f"{a.name} ({', '.join(a.aliases)})" if version >= 3 and a.aliases else a.name for a in reg.areas)
    devices = ""
    if version >= 2:
        devices = " Devices: " + ", ".join(dict.fromkeys(n for e in reg.entities for n in e.spoken_names)) + "."
    # The user turn's opening is the same for every command: in the prefix, it is read once.
    return f"<|im_start|>system\nSmart home commands to JSON intents. Areas: {areas}.{devices}<|im_end|>\n<|im_start|>user\n"


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
    return f"{clean_command(text)}<|im_end|>\n<|im_start|>assistant\n"


def prefix_tokens(reg: Registry, tokenizer, version: int = PER_HOME_PROMPT) -> list[int]:
    return tokenizer.encode(home_prefix(reg, version), add_special_tokens=False)


def command_tokens(text: str, tokenizer) -> list[int]:
    return tokenizer.encode(command_part(text), add_special_tokens=False)
