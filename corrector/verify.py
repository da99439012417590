"""Neural verification: a transformer LM keeps or drops each edit an n-gram decoder proposed.

The n-gram decoder, run at a low change penalty, proposes edits with high recall; the verifier
keeps an edit when

    neural_gain + decoder_weight · decoder_gain > threshold

where ``neural_gain`` is the mean of two log10 differences under the neural LM, each for the
sentence with and without the edit: once with the edit alone in the spun sentence, once among all
the sentence's proposed edits (a spinner changes neighbouring words too, so either context alone
misjudges some edits). ``decoder_gain`` is the decoder's own gain for the edit (n-gram LM +
channel − the proposal penalty), which carries the channel evidence the neural LM does not see.
Decisions are independent per edit, so one call scores all of a document's variants at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from corrector.results import Edit, apply_edits


class SentenceScorer(Protocol):
    def logprob(self, texts: Sequence[str]) -> list[float]: ...


@dataclass(frozen=True, slots=True)
class VerifierWeights:
    """decoder_weight: weight of the decoder's gain; threshold: log10 margin an edit must clear."""

    decoder_weight: float
    threshold: float


@dataclass(frozen=True, slots=True)
class Verdict:
    """One proposed edit and the verifier's evidence on it."""

    edit: Edit
    neural_gain: float
    score: float

    @property
    def kept(self) -> bool:
        return self.score > 0


def verify(
    text: str,
    sentences: Sequence[tuple[int, int]],
    edits: Sequence[Edit],
    scorer: SentenceScorer,
    weights: VerifierWeights,
) -> list[Verdict]:
    """A verdict per edit (in input order); ``sentences`` are the (start, end) spans of ``text``'s
    sentences, and every edit lies inside one of them."""
    groups: list[tuple[int, int, list[int]]] = []
    for start, end in sentences:
        inside = [i for i, e in enumerate(edits) if start <= e.start and e.end <= end]
        if inside:
            groups.append((start, end, inside))
    variants: list[str] = []
    for start, end, inside in groups:
        local = [edits[i].shifted(-start) for i in inside]
        sentence = text[start:end]
        variants.append(sentence)
        variants.append(apply_edits(sentence, local))
        variants.extend(apply_edits(sentence, [e]) for e in local)
        variants.extend(apply_edits(sentence, [x for x in local if x is not e]) for e in local)
    distinct = list(dict.fromkeys(variants))
    logprob = dict(zip(distinct, scorer.logprob(distinct), strict=True))
    verdicts: dict[int, Verdict] = {}
    cursor = 0
    for _, _, inside in groups:
        n = len(inside)
        block = [logprob[v] for v in variants[cursor : cursor + 2 + 2 * n]]
        cursor += 2 + 2 * n
        spun, everything = block[0], block[1]
        for j, i in enumerate(inside):
            alone = block[2 + j] - spun
            among = everything - block[2 + n + j]
            neural = (alone + among) / 2
            score = neural + weights.decoder_weight * edits[i].gain - weights.threshold
            verdicts[i] = Verdict(edits[i], neural, score)
    missing = set(range(len(edits))) - set(verdicts)
    if missing:
        raise ValueError(f"{len(missing)} edit(s) lie outside every sentence span")
    return [verdicts[i] for i in range(len(edits))]
