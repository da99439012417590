"""The one interface every language model offers the decoder, the document passes and adapt.

The decoder only sees :class:`LanguageModel`: ``begin_state()``, ``score_word(state, word)``
and ``score_end(state)``, all in log10; a second backend needs no decoder change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class LanguageModel(Protocol):
    """What the decoder needs from a language model (log10 probabilities)."""

    order: int
    lowercase: bool
    manifest: Mapping[str, Any]  # what the model was built from (its sha256 pins signatures)

    def begin_state(self) -> Any: ...

    def score_word(self, state: Any, word: str) -> tuple[float, Any]: ...

    def score_end(self, state: Any) -> float: ...

    def logprob(self, words: Sequence[str], bos: bool = True, eos: bool = True) -> float: ...

    def prepared_text(self, words: tuple[str, ...]) -> str: ...

    def score_text(self, text: str, bos: bool = True, eos: bool = True) -> float: ...


@dataclass(frozen=True, slots=True)
class SentenceScore:
    """Log10 probability of one sentence, its token count (with </s>) and OOVs."""

    logprob: float
    length: int
    oov: int

    @property
    def perplexity(self) -> float:
        return perplexity(self.logprob, self.length)


def perplexity(logprob10: float, length: int) -> float:
    """Perplexity from a log10 probability over ``length`` predicted tokens."""
    return 10.0 ** (-logprob10 / max(length, 1))



def ln(logprob10: float) -> float:
    """Natural log from log10."""
    return logprob10 * math.log(10.0)
