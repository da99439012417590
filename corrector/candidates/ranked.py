"""A key's static ranked list of originals: the form the table ships it in, which keys get one,
and the runtime entry that makes and keeps the candidates of it.

Apart from the generator because the table's build and the runtime share the list's form
(marshalled columns), and a list's candidates, made per (case, document score shift), need of
the generator only its options and caches (:class:`CandidateMaker`); the generator computes the
lists and caches them (:class:`Bounded`).
"""

from __future__ import annotations

import marshal
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Protocol

from corrector.candidates import inflection, rules
from corrector.candidates.casing import cased_form, original_tokens
from corrector.candidates.channel import ChannelModel
from corrector.candidates.relatives import Relatives
from corrector.candidates.table import ReverseTable
from corrector.text.lattice import Candidate, new_candidate

# marshal format of the shipped ranked lists (4: Python ≥ 3.4).
MARSHAL_VERSION = 4


class CandidateMaker(Protocol):
    """What a ranked list reads of the generator that makes candidates from it."""

    channel: ChannelModel
    max_candidates: int
    min_logprob: float
    # LM tokens of the shipped originals that are not plain words (None: lists not shipped).
    shipped_tokens: dict[str, tuple[str, ...]] | None

    def cased(self, signature: str) -> dict[str, tuple[tuple[str, ...], str]]: ...


class Bounded(OrderedDict):  # type: ignore[type-arg]
    """A dict that forgets its oldest keys beyond ``size`` (first in, first out). Reads are
    the plain C ``get``, which matters on the hot path; a frequent key that falls out is
    recomputed once."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key, value) -> None:  # type: ignore[no-untyped-def]
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)


# A ranked list: ((static channel score, original, sources), …) best first.
RankedList = tuple[tuple[float, str, tuple[str, ...]], ...]
# The same as parallel tuples (scores, originals, sources), as the table ships it (marshal) and
# the runtime keeps it: 3 tuples a list instead of one per entry, which marshal reads ~8x
# faster than text and the garbage collector has far fewer objects to walk. marshal's format
# is fixed per Python version; the table records the version it used.
Columns = tuple[tuple[float, ...], tuple[str, ...], tuple[tuple[str, ...], ...]]
_NO_COLUMNS: Columns = ((), (), ())


def columns(ranked: RankedList) -> Columns:
    if not ranked:
        return _NO_COLUMNS
    return tuple(zip(*ranked, strict=True))  # type: ignore[return-value]


def parse_ranked(packed: bytes) -> Columns:
    """A precomputed ranked list (see :func:`pack_ranked`)."""
    return marshal.loads(packed)  # type: ignore[no-any-return]


def pack_ranked(ranked: RankedList) -> bytes:
    return marshal.dumps(columns(ranked), MARSHAL_VERSION)


def lookup_keys(table: ReverseTable, related: Relatives | None = None) -> list[str]:
    """Every key the thesaurus source, the rules or the relatives can give a candidate: the
    table's and the relatives' keys, the rule keys, and each inflected form of a table key (a
    word, or the first or last word of a phrase) that :func:`corrector.candidates.inflection.analyses`
    reads back to it. A superset: forms are taken from the lemma's inflection table, which
    ``analyses`` requires a form to be in."""
    table_keys = list(dict.fromkeys([*table.keys(), *(related.keys() if related else ())]))
    keys = dict.fromkeys(table_keys)
    for key in table_keys:
        parts = key.split(" ")
        for at in (0,) if len(parts) == 1 else (0, len(parts) - 1):
            for tag, forms in inflection.inflections(parts[at]).items():
                if tag not in inflection.INFLECTED_TAGS:
                    continue
                if len(parts) > 1 and (at == 0) != (tag in inflection.VERB_TAGS):
                    continue
                for form in forms:
                    keys[" ".join([*parts[:at], form, *parts[at + 1 :]])] = None
    keys.update(dict.fromkeys(rules.RULES))
    return list(keys)


class Ranked:
    """A key's static ranked list (see
    :meth:`~corrector.candidates.generator.CandidateGenerator._ranked`) and the candidates made
    from it so far, per (case signature, document score shift): a key seen again in another
    document reuses them, only the shifted ones are new."""

    __slots__ = ("_made", "_static", "originals", "scores", "shipped", "sources")

    def __init__(
        self,
        scores: tuple[float, ...],
        originals: tuple[str, ...],
        sources: tuple[tuple[str, ...], ...],
        shipped: bool = False,
    ) -> None:
        self.scores = scores
        self.originals = originals
        self.sources = sources
        # Shipped with the table, whose "original_tokens" then hold the LM tokens of every
        # original that is not plain words (the others' are their space-separated words).
        self.shipped = shipped
        # signature → shift → candidate per entry: None not made yet, False below the floor.
        self._made: dict[str, dict[float, list[Candidate | bool | None]]] = {}
        # signature → the finished list without document evidence.
        self._static: dict[str, tuple[Candidate, ...]] = {}

    def static(self, signature: str, gen: CandidateMaker) -> tuple[Candidate, ...]:
        """The candidates without document evidence: the head of the list, by static score."""
        found = self._static.get(signature)
        if found is None:
            order = range(min(len(self.scores), gen.max_candidates))
            found = self._static[signature] = self.shifted(signature, order, self.scores, (), 0.0, 0.0, gen)
        return found

    def shifted(
        self,
        signature: str,
        order: Iterable[int],
        scores: Sequence[float],
        present: tuple[int, ...],
        repeat: float,
        boost: float,
        gen: CandidateMaker,
    ) -> tuple[Candidate, ...]:
        """The candidates of entries ``order`` (best first) at channel scores ``scores``: their
        static score plus ``boost`` for the entries in ``present``, plus ``repeat`` for the
        others; up to the first below the generator's ``min_logprob``."""
        originals = self.originals
        by_shift = self._made.get(signature)
        if by_shift is None:
            by_shift = self._made[signature] = {}
        made_repeat = by_shift.get(repeat) or by_shift.setdefault(repeat, [None] * len(originals))
        made_boost = (
            by_shift.get(boost) or by_shift.setdefault(boost, [None] * len(originals))
            if present
            else made_repeat
        )
        # The hot loop of a new process (~100,000 candidates on its first batch): locals only.
        to_log10_prob = gen.channel.to_log10_prob
        floor = gen.min_logprob
        sources = self.sources
        cased = gen.cased(signature)
        shipped_tokens = gen.shipped_tokens if self.shipped else None
        out = []
        for i in order:
            made = made_boost if i in present else made_repeat
            cand = made[i]
            if cand is None:
                logprob = to_log10_prob(scores[i])
                if logprob < floor:
                    made[i] = False
                    break
                original = originals[i]
                # The cased tokens depend only on the original and the span's case signature
                # (the span's words matter only through it, see case_words).
                found = cased.get(original)
                if found is None:
                    if shipped_tokens is None:
                        tokens = original_tokens(original)
                    else:
                        tokens = shipped_tokens.get(original) or tuple(original.split(" "))
                    found = cased[original] = cased_form(tokens, signature)
                cand = made[i] = new_candidate(found[0], found[1], round(logprob, 4), sources[i])
            elif cand is False:
                break
            out.append(cand)
        return tuple(out)  # type: ignore[arg-type]


# The ranked list of every key without candidates (most spans).
NO_RANKED = Ranked((), (), ())
