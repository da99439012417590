"""Result records: small frozen dataclasses whose ``to_dict()`` is the JSONL schema."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Edit:
    """One replacement: character span in the input, spun and restored text, score gain (log10),
    and ``spun_score``: the probability that the span is a spinner's swap of this original, from
    the document's (or feed's) pair evidence (:mod:`corrector.restore.pairs`; None: not judged)."""

    start: int
    end: int
    spun: str
    restored: str
    gain: float
    spun_score: float | None = None

    def shifted(self, offset: int) -> Edit:
        """The same edit with its offsets moved by ``offset`` (into or out of a span's frame)."""
        return replace(self, start=self.start + offset, end=self.end + offset)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "spun": self.spun,
            "restored": self.restored,
            "gain": round(self.gain, 4),
        }
        if self.spun_score is not None:
            out["spun_score"] = round(self.spun_score, 4)
        return out


@dataclass(frozen=True, slots=True)
class Scores:
    """LM log10 probability and perplexity of the text before and after restoration."""

    source_logprob: float
    restored_logprob: float
    source_ppl: float
    restored_ppl: float

    def to_dict(self) -> dict[str, float]:
        return {
            "source_logprob": round(self.source_logprob, 4),
            "restored_logprob": round(self.restored_logprob, 4),
            "source_ppl": round(self.source_ppl, 4),
            "restored_ppl": round(self.restored_ppl, 4),
        }


@dataclass(frozen=True, slots=True)
class Restoration:
    """A restored text with its edits (offsets into ``source``), scores and spin likelihood."""

    source: str
    text: str
    edits: tuple[Edit, ...]
    scores: Scores
    spun_score: float
    alternatives: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "restored": self.text,
            "edits": [e.to_dict() for e in self.edits],
            "scores": self.scores.to_dict(),
            "spun_score": round(self.spun_score, 4),
        }
        if self.alternatives:
            out["alternatives"] = list(self.alternatives)
        return out


def splice(text: str, replacements: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, replacement)`` applied (sorted, non-overlapping spans)."""
    out: list[str] = []
    pos = 0
    for start, end, replacement in replacements:
        if start < pos:
            raise ValueError(f"overlapping or unsorted edit at {start}")
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """``source`` with ``edits`` (non-overlapping, any order) applied."""
    return splice(source, ((e.start, e.end, e.restored) for e in sorted(edits, key=lambda e: e.start)))
