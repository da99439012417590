"""Noisy-channel beam search over a candidate lattice.

Pure: a :class:`~corrector.text.lattice.Lattice` and a :class:`~corrector.lm.base.LanguageModel` go in, a
:class:`SentenceDecoding` comes out. The objective of a path is

    LM log10 P(original words) + channel_weight · Σ log10 P(spun span | original span)
                               − change_penalty · (number of replaced spans)

Hypotheses are grouped by how many spun tokens they cover, recombined when their LM states are
equal (the future score depends only on the state), and pruned to the beam width. LM calls are
cached per sentence, keyed on (state, word), in a :class:`SentenceMemo` that later passes over the
same sentence may share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from corrector.lm.base import LanguageModel
from corrector.text.lattice import Arc, Candidate, Lattice
from corrector.text.tokens import Token


@dataclass(frozen=True, slots=True)
class DecoderWeights:
    """Weights of the objective; defaults live in ``corrector.defaults``.

    ``prefilter_margin``: a candidate is dropped before the search when, substituted alone into
    the spun sentence, its objective gain over keeping the span is below ``-prefilter_margin``
    (None disables the fast match).
    """

    channel_weight: float
    change_penalty: float
    beam: int
    prefilter_margin: float | None = 2.0


@dataclass(frozen=True, slots=True)
class Choice:
    """A replaced span on the best path."""

    arc: Arc
    candidate: Candidate


@dataclass(slots=True)
class _Hypothesis:
    """A partial path as a back-pointer chain (copying word tuples would be quadratic).

    Not frozen, though never mutated: the search makes hundreds of thousands of these, and a
    frozen dataclass's ``__init__`` costs ~2x (one ``object.__setattr__`` per field)."""

    score: float
    lm_logprob: float
    state: Any
    back: _Hypothesis | None
    segment: tuple[str, ...]
    choice: Choice | None

    def path(self) -> tuple[list[str], list[tuple[Choice, int, int]]]:
        """Words of the path and each replaced span with its [start, end) in those words."""
        steps = []
        hyp: _Hypothesis | None = self
        while hyp is not None:
            steps.append(hyp)
            hyp = hyp.back
        words: list[str] = []
        choices: list[tuple[Choice, int, int]] = []
        for step in reversed(steps):
            if step.choice is not None:
                choices.append((step.choice, len(words), len(words) + len(step.segment)))
            words.extend(step.segment)
        return words, choices


@dataclass(frozen=True, slots=True)
class SentenceDecoding:
    """The best path: its words, replaced spans with their gains, and LM log10 probabilities.

    ``length`` and ``source_length`` count predicted tokens (words + ``</s>``) of the restored and
    the spun sentence, for perplexities.
    """

    words: tuple[str, ...]
    choices: tuple[Choice, ...]
    gains: tuple[float, ...]
    source_logprob: float
    restored_logprob: float
    length: int
    source_length: int
    alternatives: tuple[tuple[str, ...], ...]


@dataclass(slots=True)
class SentenceMemo:
    """LM scores a decode computes that do not depend on the weights, so passes over the same
    sentence (at another penalty, with boosted channel scores) share them: the fast match's
    window scores, keyed on (start, end, words), and LM transitions, keyed on (state, word)."""

    windows: dict[tuple[int, int, tuple[str, ...]], float] = field(default_factory=dict)
    transitions: dict[tuple[Any, str], tuple[float, Any]] = field(default_factory=dict)


class _CachedLM:
    """Cache of LM transitions (recombined beams ask for the same (state, word) often)."""

    def __init__(self, lm: LanguageModel, cache: dict[tuple[Any, str], tuple[float, Any]]) -> None:
        self.lm = lm
        self.cache = cache

    def advance(self, state: Any, words: Sequence[str]) -> tuple[float, Any]:
        total = 0.0
        for word in words:
            key = (state, word)
            hit = self.cache.get(key)
            if hit is None:
                hit = self.lm.score_word(state, word)
                self.cache[key] = hit
            total += hit[0]
            state = hit[1]
        return total, state


def _rank(h: _Hypothesis) -> float:
    # Sorting is stable and hypotheses are created in a fixed order, so ties resolve the same
    # way on every run.
    return -h.score


def _prune(hypotheses: list[_Hypothesis], beam: int, per_state: int = 1) -> list[_Hypothesis]:
    """Recombine equal LM states (keep the ``per_state`` best of each), then keep the ``beam`` best.

    ``per_state`` > 1 only for n-best output: plain recombination would merge alternatives that
    differ earlier than the LM's context window.
    """
    if per_state == 1:
        best: dict[Any, _Hypothesis] = {}
        for hyp in hypotheses:
            kept = best.get(hyp.state)
            if kept is None or hyp.score > kept.score:
                best[hyp.state] = hyp
        return sorted(best.values(), key=_rank)[:beam]
    groups: dict[Any, list[_Hypothesis]] = {}
    for hyp in hypotheses:
        groups.setdefault(hyp.state, []).append(hyp)
    kept_all = [h for group in groups.values() for h in sorted(group, key=_rank)[:per_state]]
    return sorted(kept_all, key=_rank)[:beam]


def prefilter(
    lattice: Lattice, lm: LanguageModel, weights: DecoderWeights, memo: SentenceMemo | None = None
) -> dict[int, list[Arc]]:
    """Arcs by start token, keeping only candidates that could plausibly win (a fast match).

    Each candidate is scored once in the spun sentence's own context: the ``order - 1`` tokens
    before the span (they fix the LM state exactly), the candidate, and the ``order - 1`` tokens
    after it, against the same window with the span kept. One KenLM call per candidate instead
    of one per beam entry; most thesaurus candidates fall far below the change penalty here.

    The window scores are kept in ``memo.windows`` for later passes over the sentence.
    """
    grouped = lattice.arcs_from()
    if weights.prefilter_margin is None:
        return grouped
    tokens = lattice.sentence.words
    context = max(lm.order - 1, 1)
    # Windows are scored as prepared text: the context's and each candidate's model form is
    # built once (memoised by the LM), then one string concatenation and one KenLM call each.
    prepared, score_text = lm.prepared_text, lm.score_text
    channel_weight = weights.channel_weight
    scores = (memo or SentenceMemo()).windows
    kept: dict[int, list[Arc]] = {}
    for start, arcs in grouped.items():
        left = prepared(tokens[max(0, start - context) : start]) + " "
        bos = start - context <= 0
        for arc in arcs:
            end = arc.end
            tail = " " + prepared(tokens[end : end + context])
            eos = end + context >= len(tokens)
            # The span kept as it is, then each candidate.
            lm_scores = []
            for words in (tokens[start:end], *(candidate.words for candidate in arc.candidates)):
                key = (start, end, words)
                score = scores.get(key)
                if score is None:
                    score = scores[key] = score_text(left + prepared(words) + tail, bos, eos)
                lm_scores.append(score)
            threshold = lm_scores[0] + weights.change_penalty - weights.prefilter_margin
            survivors = tuple(
                candidate
                for candidate, score in zip(arc.candidates, lm_scores[1:], strict=True)
                if score + channel_weight * candidate.logprob > threshold
            )
            if survivors:
                kept.setdefault(start, []).append(Arc(arc.start, arc.end, survivors))
    return kept


def ranked_candidates(
    lattice: Lattice,
    lm: LanguageModel,
    channel_weight: float,
    per_arc: int,
    floor: float,
    memo: SentenceMemo | None = None,
) -> list[tuple[Arc, Candidate, float]]:
    """The ``per_arc`` best candidates of each arc by fast-match gain (LM gain of the candidate
    alone in the spun sentence's window + ``channel_weight`` · channel), those above ``floor``,
    each with its gain; in lattice order. No change penalty is charged."""
    weights = DecoderWeights(channel_weight, 0.0, 1, prefilter_margin=-floor)
    memo = memo or SentenceMemo()
    tokens = lattice.sentence.words
    ranked: list[tuple[Arc, Candidate, float]] = []
    for arcs in prefilter(lattice, lm, weights, memo).values():
        for arc in arcs:
            kept = memo.windows[(arc.start, arc.end, tuple(tokens[arc.start : arc.end]))]
            gains = [
                memo.windows[(arc.start, arc.end, c.words)] - kept + channel_weight * c.logprob
                for c in arc.candidates
            ]
            # Stable sort: equal gains keep the arc's channel order.
            best = sorted(range(len(gains)), key=lambda j: -gains[j])[:per_arc]
            ranked.extend((arc, arc.candidates[j], gains[j]) for j in best)
    return ranked


def decode(
    lattice: Lattice,
    lm: LanguageModel,
    weights: DecoderWeights,
    nbest: int = 0,
    memo: SentenceMemo | None = None,
) -> SentenceDecoding:
    """The highest-scoring restoration of ``lattice``'s sentence (``memo``: LM scores shared
    with other passes over the same sentence)."""
    tokens = lattice.sentence.words
    n = len(tokens)
    memo = memo or SentenceMemo()
    cached = _CachedLM(lm, memo.transitions)
    arcs_from = prefilter(lattice, lm, weights, memo)
    frontier: list[list[_Hypothesis]] = [[] for _ in range(n + 1)]
    frontier[0] = [_Hypothesis(0.0, 0.0, lm.begin_state(), None, (), None)]
    per_state = nbest + 1 if nbest else 1
    beam = max(weights.beam, nbest + 1)
    for i in range(n):
        current = _prune(frontier[i], beam, per_state)
        frontier[i] = []
        for hyp in current:
            logprob, state = cached.advance(hyp.state, (tokens[i],))
            frontier[i + 1].append(
                _Hypothesis(hyp.score + logprob, hyp.lm_logprob + logprob, state, hyp, (tokens[i],), None)
            )
            for arc in arcs_from.get(i, ()):
                for candidate in arc.candidates:
                    logprob, state = cached.advance(hyp.state, candidate.words)
                    score = (
                        hyp.score
                        + logprob
                        + weights.channel_weight * candidate.logprob
                        - weights.change_penalty
                    )
                    frontier[arc.end].append(
                        _Hypothesis(
                            score,
                            hyp.lm_logprob + logprob,
                            state,
                            hyp,
                            candidate.words,
                            Choice(arc, candidate),
                        )
                    )
    finals = []
    for hyp in _prune(frontier[n], beam, per_state):
        end = lm.score_end(hyp.state)
        finals.append(replace(hyp, score=hyp.score + end, lm_logprob=hyp.lm_logprob + end))
    finals.sort(key=_rank)
    best = finals[0]
    words, placed = best.path()
    gains = tuple(_edit_gain(words, span, tokens, lm, weights) for span in placed)
    alternatives = tuple(tuple(h.path()[0]) for h in finals[1 : nbest + 1]) if nbest else ()
    source_logprob = lm.logprob(tokens)
    return SentenceDecoding(
        words=tuple(words),
        choices=tuple(choice for choice, _, _ in placed),
        gains=gains,
        source_logprob=source_logprob,
        # Unchanged text gets its source score exactly, not the search's word-by-word float sum.
        restored_logprob=best.lm_logprob if placed else source_logprob,
        length=len(words) + 1,
        source_length=n + 1,
        alternatives=alternatives,
    )


def _edit_gain(
    words: Sequence[str],
    placed: tuple[Choice, int, int],
    tokens: Sequence[str],
    lm: LanguageModel,
    weights: DecoderWeights,
) -> float:
    """Objective of the best path minus that of the same path with this one edit undone.

    Only a window differs: the ``order - 1`` path words before the edit fix the LM state, and
    the LM scores of words more than ``order - 1`` after it do not change. Scoring that window
    keeps the cost per edit constant however long the sentence.
    """
    choice, start, end = placed
    context = max(lm.order - 1, 1)
    left = words[max(0, start - context) : start]
    right = words[end : end + context]
    bos, eos = start - context <= 0, end + context >= len(words)
    restored = lm.logprob((*left, *words[start:end], *right), bos, eos)
    undone = lm.logprob((*left, *tokens[choice.arc.start : choice.arc.end], *right), bos, eos)
    return restored - undone + weights.channel_weight * choice.candidate.logprob - weights.change_penalty


def _span_key(tokens: Sequence[Token], arc: Arc) -> str:
    return " ".join([t.text for t in tokens[arc.start : arc.end]]).lower()


def consistent_choices(
    lattices: Sequence[Lattice], decodings: Sequence[SentenceDecoding], min_gain: float
) -> dict[str, str]:
    """Spun span → original chosen for it in a first pass, where that choice is the document's rule.

    A spinner applies one dictionary to the whole document, so a spun form restored confidently
    (summed gain ≥ ``min_gain``) and always to the same original is evidence for every other
    occurrence of that form, including those whose local LM margin was too small on its own.
    """
    chosen: dict[str, dict[str, float]] = {}
    for lattice, decoding in zip(lattices, decodings, strict=True):
        for choice, gain in zip(decoding.choices, decoding.gains, strict=True):
            key = _span_key(lattice.sentence.tokens, choice.arc)
            originals = chosen.setdefault(key, {})
            original = choice.candidate.text.lower()
            originals[original] = originals.get(original, 0.0) + gain
    return {
        key: next(iter(originals))
        for key, originals in chosen.items()
        if len(originals) == 1 and next(iter(originals.values())) >= min_gain
    }


def reinforce(lattice: Lattice, rules: dict[str, str], boost: float) -> Lattice:
    """``lattice`` with the channel score of each document-rule original raised by ``boost`` (log10)."""
    if not rules:
        return lattice
    arcs = []
    changed = False
    tokens = lattice.sentence.tokens
    for arc in lattice.arcs:
        original = rules.get(_span_key(tokens, arc))
        if original is None:
            arcs.append(arc)
            continue
        candidates = tuple(
            replace(c, logprob=c.logprob + boost) if c.text.lower() == original else c for c in arc.candidates
        )
        arcs.append(Arc(arc.start, arc.end, candidates))
        changed = True
    # The same object when nothing was boosted, so callers can skip re-decoding it.
    return Lattice(lattice.sentence, tuple(arcs)) if changed else lattice
