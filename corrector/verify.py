"""Neural selection and verification: a transformer LM decides which proposed edits to make.

Proposals come from the n-gram side: the decoder's edits at a low change penalty, plus the few
best candidates of every lattice arc by fast match (so the neural LM also sees restorations the
n-gram LM ranks too low to propose). :func:`select` scores each proposal alone in the spun
sentence and keeps the best non-overlapping ones that clear the threshold; :func:`verify` then
keeps an edit when

    neural_gain + decoder_weight · decoder_gain > threshold

where ``neural_gain`` is the mean of two log10 differences under the neural LM, each for the
sentence with and without the edit: once with the edit alone in the spun sentence, once among all
the edits selected in the sentence (a spinner changes neighbouring words too, so either context
alone misjudges some edits). ``decoder_gain`` is the n-gram side's gain for the edit (n-gram LM +
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


class MemoScorer:
    """A scorer that scores each distinct text once (selection and verification share variants)."""

    def __init__(self, scorer: SentenceScorer) -> None:
        self.scorer = scorer
        self.scores: dict[str, float] = {}

    def logprob(self, texts: Sequence[str]) -> list[float]:
        todo = [t for t in dict.fromkeys(texts) if t not in self.scores]
        if todo:
            self.scores.update(zip(todo, self.scorer.logprob(todo), strict=True))
        return [self.scores[t] for t in texts]


def select(
    text: str,
    sentences: Sequence[tuple[int, int]],
    proposals: Sequence[Edit],
    scorer: SentenceScorer,
    weights: VerifierWeights,
) -> list[int]:
    """Indices of the proposals to verify, in text order: each proposal scores its neural gain
    alone in the spun sentence + ``decoder_weight`` · its gain; of those above the threshold, the
    best is taken first and overlapping ones are dropped (ties: the earlier proposal)."""
    variants: list[str] = []
    for edit in proposals:
        start, end = _sentence_of(edit, sentences)
        sentence = text[start:end]
        variants.extend((sentence, apply_edits(sentence, [edit.shifted(-start)])))
    distinct = list(dict.fromkeys(variants))
    by_text = dict(zip(distinct, scorer.logprob(distinct), strict=True))
    scores = [
        by_text[variants[2 * i + 1]] - by_text[variants[2 * i]]
        + weights.decoder_weight * edit.gain - weights.threshold
        for i, edit in enumerate(proposals)
    ]
    taken: list[int] = []
    for i in sorted(range(len(proposals)), key=lambda i: -scores[i]):
        if scores[i] <= 0:
            break
        edit = proposals[i]
        if all(edit.end <= proposals[j].start or proposals[j].end <= edit.start for j in taken):
            taken.append(i)
    return sorted(taken, key=lambda i: (proposals[i].start, proposals[i].end))


def _sentence_of(edit: Edit, sentences: Sequence[tuple[int, int]]) -> tuple[int, int]:
    for start, end in sentences:
        if start <= edit.start and edit.end <= end:
            return start, end
    raise ValueError(f"edit at {edit.start}:{edit.end} lies outside every sentence span")


def verify(
    text: str,
    sentences: Sequence[tuple[int, int]],
    edits: Sequence[Edit],
    scorer: SentenceScorer,
    weights: VerifierWeights,
) -> list[Verdict]:
    """A verdict per edit (in input order); ``sentences`` are the (start, end) spans of ``text``'s
    sentences, and every edit lies inside one of them."""
    by_sentence: dict[tuple[int, int], list[int]] = {}
    for i, edit in enumerate(edits):
        by_sentence.setdefault(_sentence_of(edit, sentences), []).append(i)
    groups = [(start, end, inside) for (start, end), inside in by_sentence.items()]
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
    return [verdicts[i] for i in range(len(edits))]
