"""Neural selection: a transformer LM chooses among the candidates the n-gram fast match proposes.

The fast match (:func:`corrector.decoder.fast_match`, at a low change penalty) scores every
candidate substituted alone into the spun sentence. The best ``per_span`` candidates of each span
are scored the same way under the neural LM, and a candidate's score is

    neural_gain + decoder_weight · fast_gain − threshold

where ``neural_gain`` is the log10 difference of the sentence with and without the candidate
under the neural LM, and ``fast_gain`` the n-gram LM's plus the channel's, less the proposal
penalty (the channel evidence the neural LM does not see). Candidates with a positive score are
taken greedily, best first, where they overlap no span already taken. One batched call scores all
of a document's variants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from corrector.results import Edit


class SentenceScorer(Protocol):
    def logprob(self, texts: Sequence[str]) -> list[float]: ...


@dataclass(frozen=True, slots=True)
class VerifierWeights:
    """decoder_weight: weight of the fast-match gain; threshold: log10 margin a candidate must
    clear; per_span: candidates per span the neural LM scores (best fast-match gain first)."""

    decoder_weight: float
    threshold: float
    per_span: int = 1


@dataclass(frozen=True, slots=True)
class Option:
    """A candidate edit of one sentence (``sentence``: its (start, end) in the text); ``edit.gain``
    is the fast-match gain. ``key`` lets the caller map a chosen option back to its own records."""

    sentence: tuple[int, int]
    edit: Edit
    key: object = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """An option and the neural evidence on it."""

    option: Option
    neural_gain: float
    score: float


def select(
    text: str, options: Sequence[Option], scorer: SentenceScorer, weights: VerifierWeights
) -> list[Verdict]:
    """The options taken (positive score, no overlap, best first), in text order."""
    by_span: dict[tuple[int, int], list[Option]] = {}
    for option in options:
        by_span.setdefault((option.edit.start, option.edit.end), []).append(option)
    best = weights.per_span
    scored = [o for span in by_span.values() for o in sorted(span, key=lambda o: -o.edit.gain)[:best]]
    if not scored:
        return []
    sentences = sorted({o.sentence for o in scored})
    variants = [text[a:b] for a, b in sentences] + [_variant(text, o) for o in scored]
    distinct = list(dict.fromkeys(variants))
    logprob = dict(zip(distinct, scorer.logprob(distinct), strict=True))
    verdicts = []
    for option in scored:
        start, end = option.sentence
        neural = logprob[_variant(text, option)] - logprob[text[start:end]]
        score = neural + weights.decoder_weight * option.edit.gain - weights.threshold
        if score > 0:
            verdicts.append(Verdict(option, neural, score))
    # Best first; ties by position, so the choice does not depend on the options' order.
    verdicts.sort(key=lambda v: (-v.score, v.option.edit.start, v.option.edit.end, v.option.edit.restored))
    taken: list[Verdict] = []
    for verdict in verdicts:
        edit = verdict.option.edit
        if all(edit.end <= t.option.edit.start or edit.start >= t.option.edit.end for t in taken):
            taken.append(verdict)
    return sorted(taken, key=lambda v: v.option.edit.start)


def _variant(text: str, option: Option) -> str:
    """The option's sentence with its edit applied."""
    start, end = option.sentence
    edit = option.edit
    return text[start : edit.start] + edit.restored + text[edit.end : end]
