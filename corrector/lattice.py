"""The candidate lattice: what the candidate generator hands the decoder.

A lattice covers one sentence. Each :class:`Arc` spans tokens ``[start, end)`` of the sentence
and carries candidate originals for that spun span, each with its channel log10 probability
log P(spun | original). Keeping a span as it is is always allowed and is not listed as an arc.
"""

from __future__ import annotations

from dataclasses import dataclass

from corrector.text import Sentence


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
