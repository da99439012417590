"""Apply a learned spinner (``corrector adapt``) to candidate lattices: the decode side of a
``corrector-spinner/1`` file.

The file (written by :mod:`corrector.adapt.spinner_file`) lists P(spun | original) per learned pair
and keep(original); :class:`SpinnerChannel` rescores the generic lattice arcs with it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corrector import defaults
from corrector.candidates.generator import span_key
from corrector.text.lattice import Arc, Candidate, Lattice
from corrector.text.tokens import apply_case, case_pattern, tokenize

FORMAT = "corrector-spinner/1"
# Effective change penalty of adapted (calibrated) pairs, and the extra cost of generic candidates
# for spans the feed never showed (log10): the highest dev fix at no more dev broken than the
# generic channel at penalty 2.0 (benchmarks/adapt.py --tune: 10k-sentence feed, dev split of
# held-out news; the Reuters test documents are not used).
ADAPTED_CHANGE_PENALTY = 0.0
UNSEEN_SPAN_COST = 4.0
# A pair-decisions file (``corrector adapt --method pairs``) lists only the pairs a feed showed
# with confidence, each with its posterior: those pay this change penalty (log10, less the log10
# of the posterior), every other candidate and span keeps the generic channel (benchmarks/feed.py
# --scopes learned: decided pairs applied at every occurrence, nothing else made dearer).
DECIDED_CHANGE_PENALTY = 0.5
# The neural teacher's decisions pay this instead: the teacher has weighed the n-gram evidence
# with its own, so the decoder applies what it decided unless the n-gram LM finds it far worse in
# place, whatever the document's spin prior adds (docs/experiments.md, "Applying the teacher's
# decisions").
TAUGHT_CHANGE_PENALTY = -2.0
DECISIONS_METHOD = "pair-decisions"
# The meta key of a decisions file's pooled spun score of the feed's short documents (absent when
# they were too few to gate).
SHORT_SCORE = "short_documents_spun_score"


def read_spinner(path: str | Path) -> dict[str, Any]:
    """The document of a spinner file (ValueError if it is not one)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} file (format {data.get('format')!r})")
    return data


def load_spinner(path: str | Path) -> dict[tuple[str, str], float]:
    """(spun, original) → log10 P(spun | original) from a spinner file."""
    return _pairs(read_spinner(path))


def group_document(document: dict[str, Any], group: str) -> dict[str, Any]:
    """The decisions document of one group of a grouped file (``corrector correct --group-by``),
    shaped as an ungrouped file; a group the file does not hold gets no decisions (its records
    keep the generic channel). An ungrouped document is returned as it is."""
    if "groups" not in document:
        return document
    for own in document["groups"]:
        if own["group"] == group:
            return {"format": FORMAT, "iterations": [], "keep": {}, **own}
    return {"format": FORMAT, "meta": {"method": DECISIONS_METHOD}, "iterations": [], "pairs": [], "keep": {}}


def is_decisions(path: str | Path) -> bool:
    """Whether a spinner file holds a feed's pair decisions rather than an EM channel."""
    return _is_decisions(read_spinner(path))


def load_keep(path: str | Path) -> dict[str, float]:
    """original → log10 keep(original) from a spinner file."""
    return _keep(read_spinner(path))


def _pairs(document: dict[str, Any]) -> dict[tuple[str, str], float]:
    return {(p["spun"], p["original"]): math.log10(p["prob"]) for p in document["pairs"] if p["prob"] > 0}


def _keep(document: dict[str, Any]) -> dict[str, float]:
    return {o: math.log10(v["keep"]) for o, v in document.get("keep", {}).items() if v["keep"] > 0}


def _is_decisions(document: dict[str, Any]) -> bool:
    return bool(document.get("meta", {}).get("method") == DECISIONS_METHOD)


def _taught_and_complete(document: dict[str, Any]) -> tuple[bool, bool]:
    """Whether a decisions file's decisions are the neural teacher's, and whether they judged
    every form of the input (a single article's: ``min_occurrences`` 1)."""
    meta = document.get("meta", {})
    return meta.get("teacher", "no") != "no", meta.get("min_occurrences") == 1


def leaves_documents_open(path: str | Path) -> bool:
    """Whether a spinner file holds a feed teacher's decisions, which leave each document the
    forms the feed saw once (:attr:`SpinnerChannel.open_documents`)."""
    document = read_spinner(path)
    if "groups" in document:
        documents = [group_document(document, own["group"]) for own in document["groups"]]
    else:
        documents = [document]
    return any(_is_decisions(d) and _taught_and_complete(d) == (True, False) for d in documents)


def _sections(sentences: Sequence[tuple[int, set[str]]], size: int) -> list[set[str]]:
    """The forms held by each section of consecutive sentences ((words, forms) each): a section
    closes once it has ``size`` words, and a last one shorter than half of that joins the one
    before it."""
    sections: list[tuple[int, set[str]]] = []
    for words, held in sentences:
        if not sections or sections[-1][0] >= size:
            sections.append((0, set()))
        sections[-1] = (sections[-1][0] + words, sections[-1][1] | held)
    if len(sections) > 1 and sections[-1][0] < size / 2:
        _, held = sections.pop()
        sections[-1][1].update(held)
    return [held for _, held in sections]


@dataclass(frozen=True, slots=True)
class SpinnerChannel:
    """An adapted channel applied to lattices (the candidate generator's hook).

    For every arc whose spun span is in the table, each candidate's log-prob becomes

        log10 P(spun | original) − log10 keep(spun)

    (the noisy-channel ratio against keeping the span, which the decoder scores as 0), candidates
    the table does not list for that span get ``floor``, and table originals missing from the arc
    are added. Spans the feed never showed keep the generic channel plus ``generic_offset``: the
    adapted pairs are calibrated, so the decoder can run with a small change penalty while the
    uncalibrated generic candidates keep paying the usual one.
    """

    pairs: dict[str, dict[str, float]]  # spun → original → log10 P(spun | original)
    keep: dict[str, float]  # original → log10 keep(original)
    floor: float = -4.0
    min_logprob: float = -3.0  # table pairs below this are not added as new candidates
    generic_offset: float = 0.0
    table_offset: float = 0.0  # added to adapted pairs (offsets the decoder's change penalty)
    # A decisions file speaks only of its pairs: other originals of a listed span keep their
    # generic score instead of ``floor``.
    unlisted_generic: bool = False
    # Spun forms decided to stay (a decision spun → itself, the teacher's kept forms): no arc.
    kept: frozenset[str] = frozenset()
    # The neural teacher's decisions: spun form → its decision's log10 odds (capped), the evidence
    # that a document holding the form is spun (:meth:`evidence`); empty for any other spinner.
    odds: Mapping[str, float] = field(default_factory=dict)
    taught: bool = False
    # The teacher judged every form of the document it restores (a single article): a document
    # that shows little of its decisions is not spun, whatever the first pass found.
    complete: bool = False
    # A feed's teacher: the spun forms its evidence proposed often enough to be decided (see
    # :attr:`settled`).
    recurring: frozenset[str] = frozenset()
    # The spun score of the feed's documents too short to be gated alone, pooled: it gates each
    # of them (:func:`corrector.restore.document.short_documents_score`); None: they are not gated.
    short_score: float | None = None

    @classmethod
    def load(
        cls, path: str | Path, floor: float = -4.0, generic_offset: float = 0.0, table_offset: float = 0.0
    ) -> SpinnerChannel:
        return cls._from_document(read_spinner(path), floor, generic_offset, table_offset)

    @classmethod
    def _from_document(
        cls,
        document: dict[str, Any],
        floor: float = -4.0,
        generic_offset: float = 0.0,
        table_offset: float = 0.0,
    ) -> SpinnerChannel:
        by_spun: dict[str, dict[str, float]] = {}
        for (spun, original), logprob in _pairs(document).items():
            by_spun.setdefault(spun, {})[original] = logprob
        return cls(
            by_spun, _keep(document), floor, generic_offset=generic_offset, table_offset=table_offset,
            unlisted_generic=_is_decisions(document),
        )

    @classmethod
    def for_decoder(
        cls, path: str | Path, change_penalty: float, channel_weight: float = 1.0
    ) -> SpinnerChannel:
        """Offsets such that a decoder with ``change_penalty`` behaves as the benchmarked setting:
        adapted pairs pay :data:`ADAPTED_CHANGE_PENALTY`, generic candidates of spans the feed
        never showed pay that plus :data:`UNSEEN_SPAN_COST` (benchmarks/adapt.py). Offsets are
        divided by ``channel_weight`` because the decoder multiplies channel scores by it. A
        decisions file's pairs pay :data:`DECIDED_CHANGE_PENALTY` (the neural teacher's,
        :data:`TAUGHT_CHANGE_PENALTY`) and nothing else changes. A grouped file's group ``""``
        (see :meth:`for_document`)."""
        return cls.for_document(group_document(read_spinner(path), ""), change_penalty, channel_weight)

    @classmethod
    def for_document(
        cls, document: dict[str, Any], change_penalty: float, channel_weight: float = 1.0
    ) -> SpinnerChannel:
        """:meth:`for_decoder` of a spinner file's document already read (one group's, from
        :func:`group_document`)."""
        if _is_decisions(document):
            rows = document["pairs"]
            decided = [(p["spun"], p["original"], p["prob"]) for p in rows if p["prob"] > 0]
            taught, complete = _taught_and_complete(document)
            recurring = frozenset(document.get("recurring", ()))
            short_score = document["meta"].get(SHORT_SCORE)
            return cls.for_decisions(
                decided, change_penalty, channel_weight, taught, complete, recurring, short_score
            )
        return cls._from_document(
            document,
            generic_offset=(change_penalty - ADAPTED_CHANGE_PENALTY - UNSEEN_SPAN_COST) / channel_weight,
            table_offset=(change_penalty - ADAPTED_CHANGE_PENALTY) / channel_weight,
        )

    @classmethod
    def for_decisions(
        cls,
        decided: Iterable[tuple[str, str, float]],
        change_penalty: float,
        channel_weight: float = 1.0,
        taught: bool = False,
        complete: bool = False,
        recurring: frozenset[str] = frozenset(),
        short_score: float | None = None,
    ) -> SpinnerChannel:
        """A feed's pair decisions (spun, original, posterior) as a channel: each decided pair pays
        :data:`DECIDED_CHANGE_PENALTY` (the teacher's, :data:`TAUGHT_CHANGE_PENALTY`) less log10 of
        its posterior; a form decided to stay (original = spun) loses its arcs; every other
        candidate and span keeps the generic channel.
        ``taught``: the neural teacher made them (their odds then weigh in the document gate);
        ``complete``: it judged every form of the document restored (a single article);
        ``recurring``: the spun forms a feed proposed often enough for the teacher to decide them
        (:attr:`settled`); ``short_score``: what gates the feed's short documents
        (:attr:`short_score`)."""
        by_spun, kept, odds = _decided(decided, taught)
        decided_penalty = TAUGHT_CHANGE_PENALTY if taught else DECIDED_CHANGE_PENALTY
        offset = (change_penalty - decided_penalty) / channel_weight
        return cls(
            by_spun, {}, table_offset=offset, unlisted_generic=True, kept=frozenset(kept),
            odds=odds, taught=taught, complete=taught and complete, recurring=recurring,
            short_score=short_score,
        )

    @property
    def open_documents(self) -> bool:
        """The neural teacher decided a feed's recurring forms only: each document's other forms
        are its own to decide (:meth:`with_document`)."""
        return self.taught and not self.complete

    @property
    def settled(self) -> frozenset[str]:
        """The spun forms the feed had its say on: restored to their original, kept, or recurring
        in it (proposed ``min_occurrences`` times) and left to the n-gram decoder; a document
        judges only its others, which its feed showed too rarely to decide (seen once)."""
        return frozenset(self.pairs) | self.kept | self.recurring

    def with_document(self, decided: Iterable[tuple[str, str, float]]) -> SpinnerChannel:
        """This feed's channel with one document's own decisions (spun, original, posterior) added
        for forms the feed left open, each paying what the feed's do: every form of that
        document is then judged (``complete``)."""
        by_spun, kept, odds = _decided(decided, self.taught)
        if set(by_spun) & self.settled or kept & self.settled:
            raise ValueError("a document's decisions may only add forms its feed left open")
        return replace(
            self,
            pairs={**self.pairs, **by_spun},
            kept=self.kept | kept,
            odds={**self.odds, **odds},
            complete=True,
        )

    def evidence(self, lattices: Sequence[Lattice]) -> float | None:
        """How much of the teacher's decisions a document shows: the summed log10 odds of the
        decided forms its lattices (rescored by this channel) hold an arc for, each form once per
        section of :data:`defaults.SPINNER_EVIDENCE_SECTION` words and each at most
        :data:`defaults.SPINNER_EVIDENCE_CAP`, per 100 words; None for a spinner the teacher did
        not decide."""
        if not self.taught:
            return None
        if not self.odds:
            return 0.0  # every decision kept its form: nothing to look for
        sentences = []  # (words, the decided forms it holds) of each sentence
        for lattice in lattices:
            tokens = lattice.sentence.words
            spans = (span_key(tokens[arc.start : arc.end]) for arc in lattice.arcs)
            held = {key for key in spans if key in self.odds}
            sentences.append((sum(any(ch.isalnum() for ch in token) for token in tokens), held))
        sections = _sections(sentences, defaults.SPINNER_EVIDENCE_SECTION)
        found = sum(self.odds[form] for held in sections for form in held)
        return 100.0 * found / max(sum(words for words, _ in sentences), 1)

    def score(self, spun: str, original: str) -> float | None:
        """The adapted log-prob of a pair, ``floor`` if the span is known but the pair is not, else None."""
        table = self.pairs.get(spun)
        if table is None:
            return None
        logprob = table.get(original)
        if logprob is None:
            return None if self.unlisted_generic else self.floor
        return logprob - self.keep.get(spun, 0.0) + self.table_offset

    def rescore(self, lattice: Lattice) -> Lattice:
        words = lattice.sentence.words
        arcs: list[Arc] = []
        covered: set[tuple[int, int]] = set()
        for arc in lattice.arcs:
            spun = span_key(words[arc.start : arc.end])
            if spun in self.kept:
                continue
            table = self.pairs.get(spun)
            covered.add((arc.start, arc.end))
            if table is None:
                if self.generic_offset:
                    arc = Arc(
                        arc.start,
                        arc.end,
                        tuple(replace(c, logprob=c.logprob + self.generic_offset) for c in arc.candidates),
                    )
                arcs.append(arc)
                continue
            seen = set()
            candidates = []
            for candidate in arc.candidates:
                original = candidate.text.lower()
                seen.add(original)
                logprob = self.score(spun, original)
                candidates.append(
                    replace(candidate, logprob=logprob if logprob is not None else candidate.logprob)
                )
            pattern = case_pattern(words[arc.start])
            for original in table:
                if original not in seen and self.score(spun, original) >= self.min_logprob:  # type: ignore[operator]
                    candidates.append(_new_candidate(original, pattern, self.score(spun, original) or 0.0))
            candidates.sort(key=lambda c: -c.logprob)
            arcs.append(Arc(arc.start, arc.end, tuple(candidates)))
        # Single-token spans the generator had no arc for, but the table knows.
        for position, word in enumerate(words):
            spun = word.lower()
            if (position, position + 1) in covered or spun not in self.pairs:
                continue
            pattern = case_pattern(word)
            candidates = [
                _new_candidate(original, pattern, logprob)
                for original in self.pairs[spun]
                if (logprob := self.score(spun, original) or 0.0) >= self.min_logprob
            ]
            if candidates:
                candidates.sort(key=lambda c: -c.logprob)
                arcs.append(Arc(position, position + 1, tuple(candidates)))
        arcs.sort(key=lambda a: (a.start, a.end))
        return Lattice(lattice.sentence, tuple(arcs))


def _decided(
    decided: Iterable[tuple[str, str, float]], taught: bool
) -> tuple[dict[str, dict[str, float]], set[str], dict[str, float]]:
    """Decisions (spun, original, posterior) as channel tables: spun → original → log10 posterior,
    the forms decided to stay, and (``taught``) each restored form's log10 odds, capped."""
    by_spun: dict[str, dict[str, float]] = {}
    kept = set()
    odds: dict[str, float] = {}
    for spun, original, probability in decided:
        if original == spun:
            kept.add(spun)
            continue
        by_spun.setdefault(spun, {})[original] = math.log10(probability)
        if taught:
            cap = defaults.SPINNER_EVIDENCE_CAP
            margin = cap if probability >= 1.0 else math.log10(probability / (1.0 - probability))
            odds[spun] = max(odds.get(spun, 0.0), min(cap, margin))
    return by_spun, kept, odds


def _new_candidate(original: str, pattern: str, logprob: float) -> Candidate:
    text = apply_case(pattern, original)
    words = tuple(t.text for t in tokenize(text))
    return Candidate(words=words, text=text, logprob=logprob, sources=("spinner",))
