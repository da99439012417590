"""The candidate lattice: what the candidate generator hands the decoder.

A lattice covers one sentence. Each :class:`Arc` spans tokens ``[start, end)`` of the sentence
and carries candidate originals for that spun span, each with its channel log10 probability
log P(spun | original). Keeping a span as it is is always allowed and is not listed as an arc.
"""

from __future__ import annotations

from dataclasses import dataclass

from corrector.text.tokens import Sentence


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate original for a spun span.

    ``words`` are LM tokens, already in the spun span's case pattern; ``text`` is how they are
    written back into the document (detokenised: ``didn't``, not ``did n't``).
    """

    words: tuple[str, ...]
    text: str
    logprob: float
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Arc:
    """Candidates for sentence tokens ``[start, end)``, best channel score first."""

    start: int
    end: int
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class Lattice:
    """A sentence and its arcs, sorted by (start, end)."""

    sentence: Sentence
    arcs: tuple[Arc, ...]

    def arcs_from(self) -> dict[int, list[Arc]]:
        """Arcs grouped by their start token."""
        grouped: dict[int, list[Arc]] = {}
        for arc in self.arcs:
            grouped.setdefault(arc.start, []).append(arc)
        return grouped


# Constructors for the candidate generator's hot loops: a frozen dataclass's ``__init__`` sets
# each field through ``object.__setattr__``, and writing the slots directly is ~2.5x cheaper (a
# new process builds ~100,000 candidates on its first batch). Same objects as the class call.
_new = object.__new__
_set_words = Candidate.words.__set__  # type: ignore[attr-defined]
_set_text = Candidate.text.__set__  # type: ignore[attr-defined]
_set_logprob = Candidate.logprob.__set__  # type: ignore[attr-defined]
_set_sources = Candidate.sources.__set__  # type: ignore[attr-defined]
_set_start = Arc.start.__set__  # type: ignore[attr-defined]
_set_end = Arc.end.__set__  # type: ignore[attr-defined]
_set_candidates = Arc.candidates.__set__  # type: ignore[attr-defined]


def new_candidate(words: tuple[str, ...], text: str, logprob: float, sources: tuple[str, ...]) -> Candidate:
    """``Candidate(words, text, logprob, sources)``, built faster."""
    candidate = _new(Candidate)
    _set_words(candidate, words)
    _set_text(candidate, text)
    _set_logprob(candidate, logprob)
    _set_sources(candidate, sources)
    return candidate  # type: ignore[no-any-return]


def new_arc(start: int, end: int, candidates: tuple[Candidate, ...]) -> Arc:
    """``Arc(start, end, candidates)``, built faster."""
    arc = _new(Arc)
    _set_start(arc, start)
    _set_end(arc, end)
    _set_candidates(arc, candidates)
    return arc  # type: ignore[no-any-return]
