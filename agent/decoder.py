"""Schema-constrained greedy decoding: the model can only ever write a decision that is valid
for the home.

Our own loop rather than ``model.generate()``, because on a small CPU the model's forward pass is
the cost (a SmolLM2-135M int8 call of one token: ~30 ms on the 2-core AVX2 CPU it was measured
on; llguidance's mask ~50 µs), and the loop cuts both the number and the cost of forward calls:

- the model runs through ``agent.fast_llama`` (Llama models): the same layers without
  transformers' per-call bookkeeping, Q/K/V fused, the KV cache preallocated;
- the per-home prompt prefix is run once; its KV cache is reused (and cropped back) per command;
- tokens the grammar forces (``{"intents":[``, ``","name":"``, the rest of an enum value once
  it is unambiguous) are not predicted: they are fed to the model together with the chosen
  token in one forward call;
- logits are computed only for the tokens the grammar allows (a few rows of the output
  matrix instead of all 49,152), and not at all when only one token is allowed;
- guessed continuations (drafts, from ``agent.guess``) ride along in the same forward call and
  are kept only where they equal the model's own greedy choice; a 16-token call costs ~1.7x a
  1-token call, so a good guess saves whole calls, and a wrong one costs a little compute;
  once the model has left every guess, drafting goes on from where its last tokens occur in
  a guess (a wrong slot rarely means the rest of the guess is wrong);
- the JSON is compact, with no free whitespace, and the token budget comes from the schema's
  longest instance, so output is never cut off mid-JSON.

Greedy and deterministic: the same prompt gives the same tokens, and drafts never change them.
(With int8 weights, activations are quantized per call, so how tokens are grouped into calls
can move a near-tie; the grouping itself is deterministic, so the output still is.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import llguidance
import llguidance.hf
import numpy as np
import torch
from transformers import DynamicCache

from agent import fast_llama
from agent.errors import HearthError
from agent.schema import grammar_schema, max_json_length

_JSON_OPTIONS = {"whitespace_flexible": False, "item_separator": ",", "key_separator": ":"}


class DecodeError(HearthError):
    """The decoder could not produce a decision (never expected for a valid schema)."""


@dataclass(frozen=True)
class DecoderOptions:
    """Speed-ups, each of which can be switched off (the latency benchmark does)."""

    prefix_cache: bool = True
    """Reuse the per-home prefix's KV cache instead of running the whole prompt per command."""
    forced_runs: bool = True
    """Feed forced tokens together with the chosen token in one forward call."""
    allowed_logits: bool = True
    """Compute logits only for allowed tokens (none when only one is allowed)."""
    drafts: bool = True
    """Verify guessed continuations in the same forward call (needs ``forced_runs``)."""
    realign_drafts: bool = True
    """Once the model has left every guess, draft from where its last tokens occur in one."""
    lean_forward: bool = True
    """Run Llama models through ``agent.fast_llama`` instead of transformers' forward."""


_REALIGN_TOKENS = 3
"""The longest run of last-written tokens looked up in the guesses (longest match first)."""


def _realigned(tokens: list[int], guesses: list[list[int]]) -> list[int]:
    """What follows the last ``k`` written tokens where they occur in a guess: the largest k up
    to ``_REALIGN_TOKENS`` that occurs, the first guess that has it, its first occurrence from
    where that guess and the output part (earlier ones are behind the output).

    When the model writes ``"domain":"cover"`` where a guess had ``"device_class":"window"``,
    the rest of the guess (``,"device_class":"window","state":"open"``) is still likely: this
    finds it again at the next written token, instead of spending a call per token until the
    end. Plain loops over a few dozen tokens: microseconds per step."""
    parted = []
    for g in guesses:
        common = next((i for i, (a, b) in enumerate(zip(tokens, g)) if a != b), min(len(tokens), len(g)))
        parted.append((g, common))
    for k in range(min(_REALIGN_TOKENS, len(tokens)), 0, -1):
        tail = tokens[-k:]
        for g, common in parted:
            for start in range(max(0, common - k), len(g) - k):
                if g[start : start + k] == tail:
                    return g[start + k :]
    return []


@dataclass
class DecodeResult:
    """What the decoder wrote."""

    decision: dict[str, Any]
    """The parsed decision."""
    text: str
    """Its JSON text."""
    tokens: list[int]
    """Every token written, ending with end-of-sequence."""
    model_calls: int
    """Forward passes of the model for this command (prompt included)."""


def make_lltokenizer(tokenizer) -> Any:
    """llguidance's view of a Hugging Face fast tokenizer (~0.3 s; build once per model)."""
    return llguidance.hf.from_tokenizer(tokenizer)


def grammar_matcher(lltokenizer: Any, schema: dict[str, Any]) -> Any:
    """An llguidance matcher for decisions valid under ``schema`` (with its exclusive slots
    apart, ``grammar_schema``), in the decoder's compact JSON."""
    grammar = llguidance.LLMatcher.grammar_from_json_schema(grammar_schema(schema), defaults=_JSON_OPTIONS)
    matcher = llguidance.LLMatcher(lltokenizer, grammar, log_level=0)
    if matcher.is_error():
        raise DecodeError(f"The decision schema can't be compiled: {matcher.get_error()}")
    return matcher


def allowed_tokens(matcher: Any, vocab: int) -> np.ndarray:
    """Sorted ids of the tokens the grammar allows next."""
    bits = np.unpackbits(np.frombuffer(matcher.compute_bitmask(), dtype=np.uint8), bitorder="little")
    return np.flatnonzero(bits[:vocab])


def choice_points(matcher: Any, vocab: int, tokens: list[int], eos: int) -> list[tuple[int, np.ndarray]]:
    """Where ``ConstrainedDecoder.decode`` asks the model to choose while writing ``tokens`` (a
    decision's tokens, ending with end-of-sequence): (index in ``tokens``, allowed ids) for each
    token chosen among more than one. Forced tokens, single options and the end-of-sequence
    after a finished grammar never reach the model, so training spends nothing on them.
    ``DecodeError`` when the decoder would not write ``tokens``."""
    matcher.reset()
    out: list[tuple[int, np.ndarray]] = []
    i = 0
    while i < len(tokens):
        allowed = allowed_tokens(matcher, vocab)
        j = np.searchsorted(allowed, tokens[i])
        if j >= len(allowed) or allowed[j] != tokens[i]:
            raise DecodeError(f"Token {tokens[i]} at position {i} is not allowed.")
        if len(allowed) > 1:
            out.append((i, allowed))
        matcher.consume_token(tokens[i])
        i += 1
        if tokens[i - 1] == eos or matcher.is_stopped():
            break
        forced = matcher.compute_ff_tokens()
        if forced:
            if tokens[i : i + len(forced)] != list(forced):
                raise DecodeError(f"The grammar forces {forced} at position {i}, not the given tokens.")
            matcher.consume_tokens(forced)
            i += len(forced)
        if matcher.is_stopped():
            break
    if matcher.is_error():
        raise DecodeError(f"The tokens left the grammar: {matcher.get_error()}")
    if i < len(tokens) and tokens[i:] != [eos]:
        raise DecodeError(f"The grammar ended at position {i}, before the tokens did.")
    return out


class ConstrainedDecoder:
    """Decodes commands for one home with one model. Not thread-safe: one command at a time."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        schema: dict[str, Any],
        prefix_ids: list[int],
        options: DecoderOptions = DecoderOptions(),
        lltokenizer: Any = None,
    ):
        self.model = model
        self.body = model.get_decoder()
        # Float output matrix (tied to the embeddings in SmolLM2): only allowed rows are used.
        self.head = model.get_output_embeddings().weight.detach()
        self.tokenizer = tokenizer
        self.eos = tokenizer.eos_token_id
        self.options = options
        self.prefix_ids = list(prefix_ids)
        self.lltokenizer = lltokenizer or make_lltokenizer(tokenizer)
        self.matcher = grammar_matcher(self.lltokenizer, schema)
        self.vocab = self.lltokenizer.vocab_size
        self.budget = max_json_length(schema) + 1  # a token is at least one byte; +1 for EOS
        self.lean = fast_llama.FastLlama(model) if options.lean_forward and fast_llama.supports(model) else None
        self._cache: Any = None
        if options.prefix_cache and self.prefix_ids:
            self._cache = self._new_cache()
            with torch.inference_mode():
                self._forward(self.prefix_ids, self._cache)

    def _new_cache(self) -> Any:
        return self.lean.new_cache() if self.lean is not None else DynamicCache(config=self.body.config)

    def _forward(self, ids: list[int], cache: Any) -> torch.Tensor:
        """Final hidden states ``[len(ids), hidden]`` after each of ``ids``."""
        if self.lean is not None:
            return self.lean.forward(ids, cache)
        return self.body(input_ids=torch.tensor([ids]), cache=cache, use_cache=True).last_hidden_state[0]

    def _allowed(self) -> np.ndarray:
        return allowed_tokens(self.matcher, self.vocab)

    def _best(self, hidden: torch.Tensor, allowed: np.ndarray) -> int:
        if self.options.allowed_logits:
            if len(allowed) == 1:
                return int(allowed[0])
            ids = torch.from_numpy(allowed)
            scores = self.head.index_select(0, ids) @ hidden
            return int(ids[int(torch.argmax(scores))])
        scores = self.head @ hidden
        masked = torch.full_like(scores, float("-inf"))
        ids = torch.from_numpy(allowed)
        masked[ids] = scores[ids]
        return int(torch.argmax(masked))

    def _draft(self, tokens: list[int], guesses: list[list[int]], base: int) -> tuple[list[int], list[tuple[int, np.ndarray, int]]]:
        """Consume the rest of the first guess that ``tokens`` starts, as far as the grammar
        allows; return it and, per drafted choice, (position in the feed, allowed ids, token)."""
        n = len(tokens)
        proposal = next((g[n:] for g in guesses if len(g) > n and g[:n] == tokens), None)
        if proposal is None:
            proposal = _realigned(tokens, guesses) if self.options.realign_drafts else []
        draft: list[int] = []
        checks: list[tuple[int, np.ndarray, int]] = []
        for token in proposal:
            if token == self.eos or n + len(draft) >= self.budget - 1:
                break
            allowed = self._allowed()
            i = np.searchsorted(allowed, token)
            if i >= len(allowed) or allowed[i] != token:
                break
            if len(allowed) > 1:
                checks.append((base + len(draft), allowed, token))
            self.matcher.consume_token(token)
            draft.append(token)
        return draft, checks

    def decode(self, command_ids: list[int], force: list[int] | None = None, guesses: list[list[int]] = ()) -> DecodeResult:
        """Decode a decision for a command's prompt tokens (``agent.prompt.command_tokens``).

        ``guesses``: token sequences of likely decisions (``agent.serialize.decision_tokens``),
        used as drafts; they change how many calls decoding takes, not what it writes (exactly
        so in fp32; with int8 see the module note on near-ties).
        ``force``: write these tokens instead of the model's choices (teacher forcing, for
        checking that training targets are exactly what the decoder writes); each must be
        allowed by the grammar, else ``DecodeError``.
        """
        self.matcher.reset()
        if self._cache is not None:
            cache, feed = self._cache, list(command_ids)
        else:
            cache, feed = self._new_cache(), self.prefix_ids + list(command_ids)
        use_drafts = self.options.drafts and self.options.forced_runs
        guesses = [force] if force is not None else list(guesses)
        start_len = cache.get_seq_length()
        tokens: list[int] = []
        checks: list[tuple[int, np.ndarray, int]] = []
        calls = 0
        try:
            with torch.inference_mode():
                while True:
                    hidden = self._forward(feed, cache)
                    calls += 1
                    token = None
                    for pos, allowed, drafted in checks:
                        best = drafted if force is not None else self._best(hidden[pos - 1], allowed)
                        if best != drafted:
                            # The model disagrees here: its choice stands, the rest of the draft goes.
                            rejected = len(feed) - pos
                            self.matcher.rollback(rejected)
                            del tokens[-rejected:]
                            cache.crop(-rejected)
                            token = best
                            break
                    if token is None:
                        if len(tokens) >= self.budget:
                            raise DecodeError("The decision did not end within the schema's token budget.")
                        allowed = self._allowed()
                        if len(allowed) == 0:
                            raise DecodeError(f"The grammar allows no token: {self.matcher.get_error()}")
                        if force is not None:
                            token = force[len(tokens)] if len(tokens) < len(force) else -1
                            if token not in set(allowed.tolist()):
                                raise DecodeError(f"Forced token {token} at position {len(tokens)} is not allowed.")
                        else:
                            token = self._best(hidden[-1], allowed)
                    self.matcher.consume_token(token)
                    tokens.append(token)
                    if token == self.eos or self.matcher.is_stopped():
                        break
                    forced = self.matcher.compute_ff_tokens()
                    if forced:
                        self.matcher.consume_tokens(forced)
                        tokens += forced
                    if self.matcher.is_stopped():
                        break
                    feed, checks = [token, *forced], []
                    if use_drafts and guesses:
                        draft, checks = self._draft(tokens, guesses, len(feed))
                        tokens += draft
                        feed += draft
                    if not self.options.forced_runs:
                        for t in feed[:-1]:
                            self._forward([t], cache)
                            calls += 1
                        feed = feed[-1:]
        finally:
            if self._cache is not None:
                cache.crop(start_len - cache.get_seq_length())
        if self.matcher.is_error():
            raise DecodeError(f"Decoding left the grammar: {self.matcher.get_error()}")
        if tokens[-1] != self.eos:
            tokens.append(self.eos)  # the grammar ended: EOS is implied, no model call needed
        text = self.lltokenizer.decode_str([t for t in tokens if t != self.eos])
        return DecodeResult(json.loads(text), text, tokens, calls)
