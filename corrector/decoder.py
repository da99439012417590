"""Noisy-channel beam search over a candidate lattice.

Pure: a :class:`~corrector.lattice.Lattice` and a :class:`~corrector.lm.LanguageModel` go in, a
:class:`SentenceDecoding` comes out. The objective of a path is

    LM log10 P(original words) + channel_weight · Σ log10 P(spun span | original span)
                               − change_penalty · (number of replaced spans)

Hypotheses are grouped by how many spun tokens they cover, recombined when their LM states are
equal (the future score depends only on the state), and pruned to the beam width. LM calls are
cached per decode call, keyed on (state, word).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from corrector.lattice import Arc, Candidate, Lattice
from corrector.lm import LanguageModel


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


@dataclass(frozen=True, slots=True)
class _Hypothesis:
    score: float
    lm_logprob: float
    state: Any
    choices: tuple[Choice, ...]
    words: tuple[str, ...]


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


class _CachedLM:
    """Per-call cache of LM transitions (recombined beams ask for the same (state, word) often)."""

    def __init__(self, lm: LanguageModel) -> None:
        self.lm = lm
        self.cache: dict[tuple[Any, str], tuple[float, Any]] = {}

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

    def sentence(self, words: Sequence[str]) -> float:
        logprob, state = self.advance(self.lm.begin_state(), words)
        return logprob + self.lm.score_end(state)


def _rank(h: _Hypothesis) -> tuple[float, tuple[str, ...]]:
    # Ties are broken by the words so the result does not depend on insertion order.
    return (-h.score, h.words)


def _prune(hypotheses: list[_Hypothesis], beam: int, per_state: int = 1) -> list[_Hypothesis]:
    """Recombine equal LM states (keep the ``per_state`` best of each), then keep the ``beam`` best.

    ``per_state`` > 1 only for n-best output: plain recombination would merge alternatives that
    differ earlier than the LM's context window.
    """
    if per_state == 1:
        best: dict[Any, _Hypothesis] = {}
        for hyp in hypotheses:
            kept = best.get(hyp.state)
            if kept is None or _rank(hyp) < _rank(kept):
                best[hyp.state] = hyp
        return sorted(best.values(), key=_rank)[:beam]
    groups: dict[Any, list[_Hypothesis]] = {}
    for hyp in hypotheses:
        groups.setdefault(hyp.state, []).append(hyp)
    kept_all = [h for group in groups.values() for h in sorted(group, key=_rank)[:per_state]]
    return sorted(kept_all, key=_rank)[:beam]


def prefilter(lattice: Lattice, lm: LanguageModel, weights: DecoderWeights) -> dict[int, list[Arc]]:
    """Arcs by start token, keeping only candidates that could plausibly win (a fast match).

    Each candidate is scored once in the spun sentence's own context: the ``order - 1`` tokens
    before the span (they fix the LM state exactly), the candidate, and the ``order - 1`` tokens
    after it, against the same window with the span kept. One KenLM call per candidate instead
    of one per beam entry; most thesaurus candidates fall far below the change penalty here.
    """
    grouped = lattice.arcs_from()
    if weights.prefilter_margin is None:
        return grouped
    tokens = lattice.sentence.words
    context = max(lm.order - 1, 1)
    kept: dict[int, list[Arc]] = {}
    for start, arcs in grouped.items():
        left = tokens[max(0, start - context) : start]
        bos = start - context <= 0
        for arc in arcs:
            tail = tokens[arc.end : arc.end + context]
            eos = arc.end + context >= len(tokens)
            keep = lm.logprob((*left, *tokens[arc.start : arc.end], *tail), bos, eos)
            threshold = keep + weights.change_penalty - weights.prefilter_margin
            survivors = tuple(
                candidate
                for candidate in arc.candidates
                if lm.logprob((*left, *candidate.words, *tail), bos, eos)
                + weights.channel_weight * candidate.logprob
                > threshold
            )
            if survivors:
                kept.setdefault(start, []).append(Arc(arc.start, arc.end, survivors))
    return kept


def decode(lattice: Lattice, lm: LanguageModel, weights: DecoderWeights, nbest: int = 0) -> SentenceDecoding:
    """The highest-scoring restoration of ``lattice``'s sentence."""
    tokens = lattice.sentence.words
    n = len(tokens)
    cached = _CachedLM(lm)
    arcs_from = prefilter(lattice, lm, weights)
    frontier: list[list[_Hypothesis]] = [[] for _ in range(n + 1)]
    frontier[0] = [_Hypothesis(0.0, 0.0, lm.begin_state(), (), ())]
    per_state = nbest + 1 if nbest else 1
    beam = max(weights.beam, nbest + 1)
    for i in range(n):
        current = _prune(frontier[i], beam, per_state)
        frontier[i] = []
        for hyp in current:
            logprob, state = cached.advance(hyp.state, (tokens[i],))
            frontier[i + 1].append(
                _Hypothesis(
                    hyp.score + logprob, hyp.lm_logprob + logprob, state, hyp.choices, (*hyp.words, tokens[i])
                )
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
                            (*hyp.choices, Choice(arc, candidate)),
                            (*hyp.words, *candidate.words),
                        )
                    )
    finals = []
    for hyp in _prune(frontier[n], beam, per_state):
        end = lm.score_end(hyp.state)
        finals.append(_Hypothesis(hyp.score + end, hyp.lm_logprob + end, hyp.state, hyp.choices, hyp.words))
    finals.sort(key=_rank)
    best = finals[0]
    source_logprob = cached.sentence(tokens)
    gains = tuple(_edit_gain(best, choice, tokens, cached, weights) for choice in best.choices)
    alternatives = tuple(h.words for h in finals[1 : nbest + 1]) if nbest else ()
    return SentenceDecoding(
        words=best.words,
        choices=best.choices,
        gains=gains,
        source_logprob=source_logprob,
        restored_logprob=best.lm_logprob,
        length=len(best.words) + 1,
        source_length=n + 1,
        alternatives=alternatives,
    )


def _edit_gain(
    best: _Hypothesis, choice: Choice, tokens: Sequence[str], cached: _CachedLM, weights: DecoderWeights
) -> float:
    """Objective of the best path minus that of the same path with this one edit undone."""
    words: list[str] = []
    position = 0
    for other in best.choices:
        words.extend(tokens[position : other.arc.start])
        if other is choice:
            words.extend(tokens[other.arc.start : other.arc.end])
        else:
            words.extend(other.candidate.words)
        position = other.arc.end
    words.extend(tokens[position:])
    channel = weights.channel_weight * choice.candidate.logprob - weights.change_penalty
    return best.lm_logprob + channel - cached.sentence(words)


def _span_key(lattice: Lattice, arc: Arc) -> str:
    return " ".join(lattice.sentence.words[arc.start : arc.end]).lower()


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
            key = _span_key(lattice, choice.arc)
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
    for arc in lattice.arcs:
        original = rules.get(_span_key(lattice, arc))
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
