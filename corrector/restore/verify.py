"""Neural selection and verification: a transformer LM decides which proposed edits to make.

Proposals come from the n-gram side: the decoder's edits at a low change penalty, plus the few
best candidates of every lattice arc by fast match (so the neural LM also sees restorations the
n-gram LM ranks too low to propose). :func:`select` scores each proposal alone in the spun
sentence (cut a few words past the edit: the selection window) and keeps the best
non-overlapping ones that clear the threshold; :func:`verify` then keeps an edit when

    neural_gain + decoder_weight · decoder_gain > threshold

where ``neural_gain`` is the mean of two log10 differences under the neural LM, each for the
sentence with and without the edit: once with the edit alone in the spun sentence, once among all
the edits selected in the sentence (a spinner changes neighbouring words too, so either context
alone misjudges some edits). ``decoder_gain`` is the n-gram side's gain for the edit (n-gram LM +
channel − the proposal penalty), which carries the channel evidence the neural LM does not see.

Both steps add a document consistency term: a dictionary spinner maps an original to the same
spun word every time, so the evidence for "stated → said" elsewhere in the document bears on this
occurrence. The term is ``consistency`` × the mean selection score of the same (spun, restored)
pair at the document's other spans, clipped to ±:data:`CONSISTENCY_CAP`; it lifts a pair that is
convincing elsewhere and holds back one that is not. Decisions are otherwise independent per
edit, so one call scores all of a document's variants at once.

Each sentence is read after the end of the one before it (:func:`context_before`): right after its
beginning-of-text token a neural LM expects the first words of a document, not of a sentence in
the middle of one. What it reads before a sentence is the same in every variant, so it cancels in
every difference, and the variants share its forward pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Protocol, runtime_checkable

from corrector.text.results import Edit, apply_edits
from corrector.text.tokens import Token

# The consistency term's bound (log10): other occurrences can shift an edit's score this much at most.
CONSISTENCY_CAP = 3.0
# The tokens of the sentence before that the neural LM reads first ("Referring to the achievements"
# → "Of the achievements": +4.4 log10 after the beginning-of-text token alone, +0.9 after the
# preceding sentence; docs/experiments.md, "The sentence before").
PREVIOUS_TOKENS = 12
_WORD = re.compile(r"\S+")


def context_before(text: str, previous: Sequence[Token], start: int) -> str:
    """What the neural LM reads before ``text[start:]``: ``text`` from the last
    :data:`PREVIOUS_TOKENS` tokens of ``previous`` (the sentence before) up to ``start``; empty
    when there is no sentence before."""
    if not previous:
        return ""
    return text[previous[max(0, len(previous) - PREVIOUS_TOKENS)].start : start]


class SentenceScorer(Protocol):
    def logprob(self, texts: Sequence[str]) -> list[float]: ...


@runtime_checkable
class PairScorer(Protocol):
    """A scorer that compares a text with its variant directly (the neural LM: the tokens both
    share from the start cancel, so it does not score them)."""

    def gains(self, pairs: Sequence[tuple[str, str]]) -> list[float]: ...


def pair_gains(scorer: SentenceScorer, pairs: Sequence[tuple[str, str]]) -> list[float]:
    """log10 P(variant) − log10 P(base) of each (base, variant): by the scorer's own ``gains``
    when it has one, else from its log-probabilities of the distinct texts."""
    if isinstance(scorer, PairScorer):
        return scorer.gains(pairs)
    texts = list(dict.fromkeys(text for pair in pairs for text in pair))
    scores = dict(zip(texts, scorer.logprob(texts), strict=True)) if texts else {}
    return [scores[variant] - scores[base] for base, variant in pairs]


@dataclass(frozen=True, slots=True)
class VerifierWeights:
    """decoder_weight: weight of the decoder's gain; threshold: log10 margin an edit must clear;
    consistency: weight of the same pair's mean score at the document's other spans (0: off);
    window: selection scores a proposal on its sentence up to this many words past the edit
    (0: the whole sentence)."""

    decoder_weight: float
    threshold: float
    consistency: float = 0.0
    window: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """One proposed edit and the verifier's evidence on it."""

    edit: Edit
    neural_gain: float
    score: float
    consistency: float = 0.0

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


@dataclass(frozen=True, slots=True)
class Selection:
    """A proposal chosen for verification: its index and the consistency term it carries."""

    index: int
    consistency: float


def select(
    text: str,
    sentences: Sequence[tuple[int, int]],
    proposals: Sequence[Edit],
    scorer: SentenceScorer,
    weights: VerifierWeights,
    before: Sequence[str] | None = None,
) -> list[Selection]:
    """The proposals to verify, in text order: each proposal scores its neural gain alone in the
    spun sentence + ``decoder_weight`` · its gain − the threshold + the consistency term; of those
    above zero, the best is taken first and overlapping ones are dropped (ties: the earlier one).
    With a ``window``, the gain is measured on the sentence cut that many words past the edit:
    the words further right barely move with it, and every variant is rescored from its edit on.
    ``before``: per sentence, what the neural LM reads first (:func:`context_before`)."""
    variants: list[str] = []
    for edit in proposals:
        k = _sentence_of(edit, sentences)
        start, end = sentences[k]
        local = edit.shifted(-start)
        sentence = text[start:end]
        if weights.window:
            sentence = sentence[: _cut_after(sentence, local.end, weights.window)]
        prefix = before[k] if before else ""
        variants.extend((prefix + sentence, prefix + apply_edits(sentence, [local])))
    distinct = list(dict.fromkeys(variants))
    by_text = dict(zip(distinct, scorer.logprob(distinct), strict=True))
    alone = [
        by_text[variants[2 * i + 1]] - by_text[variants[2 * i]]
        + weights.decoder_weight * edit.gain - weights.threshold
        for i, edit in enumerate(proposals)
    ]
    bonus = consistency_terms(proposals, alone, weights.consistency)
    scores = [a + b for a, b in zip(alone, bonus, strict=True)]
    taken: list[int] = []
    for i in sorted(range(len(proposals)), key=lambda i: -scores[i]):
        if scores[i] <= 0:
            break
        edit = proposals[i]
        if all(edit.end <= proposals[j].start or proposals[j].end <= edit.start for j in taken):
            taken.append(i)
    taken.sort(key=lambda i: (proposals[i].start, proposals[i].end))
    return [Selection(i, bonus[i]) for i in taken]


def consistency_terms(proposals: Sequence[Edit], scores: Sequence[float], weight: float) -> list[float]:
    """Per proposal: ``weight`` × the mean score of the same (spun, restored) pair, compared
    case-blind, at the document's other spans (a span's best proposal of that pair counts once),
    clipped to ±CONSISTENCY_CAP; 0 where the pair occurs nowhere else."""
    if weight == 0:
        return [0.0] * len(proposals)
    # One score per span and pair (the best of its proposals); a span's spun text is fixed.
    best: dict[tuple[int, int, str, str], float] = {}
    for edit, score in zip(proposals, scores, strict=True):
        key = (edit.start, edit.end, edit.spun.lower(), edit.restored.lower())
        best[key] = max(best.get(key, score), score)
    by_pair: dict[tuple[str, str], list[tuple[tuple[int, int], float]]] = {}
    for (start, end, spun, restored), score in best.items():
        by_pair.setdefault((spun, restored), []).append(((start, end), score))
    terms = []
    for edit in proposals:
        others = [
            score
            for span, score in by_pair[(edit.spun.lower(), edit.restored.lower())]
            if span != (edit.start, edit.end)
        ]
        terms.append(weight * max(-CONSISTENCY_CAP, min(CONSISTENCY_CAP, fmean(others))) if others else 0.0)
    return terms


def _cut_after(sentence: str, position: int, words: int) -> int:
    """The offset just past the ``words``-th whitespace-delimited word at or after ``position``
    (the sentence's end if it has fewer)."""
    for n, match in enumerate(_WORD.finditer(sentence, position), start=1):
        if n == words:
            return match.end()
    return len(sentence)


def _sentence_of(edit: Edit, sentences: Sequence[tuple[int, int]]) -> int:
    """The index of the sentence ``edit`` lies in."""
    for k, (start, end) in enumerate(sentences):
        if start <= edit.start and edit.end <= end:
            return k
    raise ValueError(f"edit at {edit.start}:{edit.end} lies outside every sentence span")


def verify(
    text: str,
    sentences: Sequence[tuple[int, int]],
    edits: Sequence[Edit],
    scorer: SentenceScorer,
    weights: VerifierWeights,
    consistency: Sequence[float] | None = None,
    before: Sequence[str] | None = None,
) -> list[Verdict]:
    """A verdict per edit (in input order); ``sentences`` are the (start, end) spans of ``text``'s
    sentences, and every edit lies inside one of them. ``consistency``: each edit's consistency
    term from :func:`select` (added to its score; none: 0). ``before``: per sentence, what the
    neural LM reads first (:func:`context_before`)."""
    terms = list(consistency) if consistency is not None else [0.0] * len(edits)
    if len(terms) != len(edits):
        raise ValueError(f"{len(terms)} consistency terms for {len(edits)} edits")
    by_sentence: dict[int, list[int]] = {}
    for i, edit in enumerate(edits):
        by_sentence.setdefault(_sentence_of(edit, sentences), []).append(i)
    groups = list(by_sentence.items())
    variants: list[str] = []
    for k, inside in groups:
        start, end = sentences[k]
        local = [edits[i].shifted(-start) for i in inside]
        sentence = text[start:end]
        prefix = before[k] if before else ""
        variants.append(prefix + sentence)
        variants.append(prefix + apply_edits(sentence, local))
        variants.extend(prefix + apply_edits(sentence, [e]) for e in local)
        variants.extend(prefix + apply_edits(sentence, [x for x in local if x is not e]) for e in local)
    distinct = list(dict.fromkeys(variants))
    logprob = dict(zip(distinct, scorer.logprob(distinct), strict=True))
    verdicts: dict[int, Verdict] = {}
    cursor = 0
    for _, inside in groups:
        n = len(inside)
        block = [logprob[v] for v in variants[cursor : cursor + 2 + 2 * n]]
        cursor += 2 + 2 * n
        spun, everything = block[0], block[1]
        for j, i in enumerate(inside):
            alone = block[2 + j] - spun
            among = everything - block[2 + n + j]
            neural = (alone + among) / 2
            score = neural + weights.decoder_weight * edits[i].gain - weights.threshold + terms[i]
            verdicts[i] = Verdict(edits[i], neural, score, terms[i])
    return [verdicts[i] for i in range(len(edits))]
