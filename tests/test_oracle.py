"""The lattice oracle: the best path through hand-made lattices, scored by the restoration metric."""

from __future__ import annotations

from corrector.research.metrics import pair_stats
from corrector.research.oracle import oracle_edits, oracle_restoration, oracle_score
from corrector.text.lattice import Arc, Candidate, Lattice
from corrector.text.tokens import split_sentences


def lattices(text: str, arcs: dict[str, list[str]]) -> list[Lattice]:
    """Lattices of ``text`` with one arc per occurrence of each spun phrase in ``arcs``."""
    out = []
    for sentence in split_sentences(text):
        words = [t.text for t in sentence.tokens]
        found = []
        for spun, originals in arcs.items():
            span = spun.split()
            for start in range(len(words) - len(span) + 1):
                if words[start : start + len(span)] == span:
                    candidates = tuple(
                        Candidate(tuple(o.split()), o, -1.0 - rank, ("test",))
                        for rank, o in enumerate(originals)
                    )
                    found.append(Arc(start, start + len(span), candidates))
        out.append(Lattice(sentence, tuple(sorted(found, key=lambda a: (a.start, a.end)))))
    return out


SPUN = (
    "Officials stated the assembly was held within the capital. "
    "It ended despite the fact that nothing changed."
)
ORIGINAL = "Officials said the meeting was held in the capital. It ended even though nothing changed."


def test_the_oracle_takes_the_candidate_that_reproduces_the_original() -> None:
    arcs = {
        "stated": ["declared", "said"],
        "assembly": ["meeting", "gathering"],
        "within": ["inside", "in"],
        "despite the fact that": ["even though", "although"],
    }
    restored = oracle_restoration(SPUN, lattices(SPUN, arcs), ORIGINAL)
    assert restored == ORIGINAL
    stats = pair_stats(SPUN, ORIGINAL, restored)
    assert stats.fixed == stats.changed and stats.broken == 0
    score = oracle_score([(SPUN, lattices(SPUN, arcs), ORIGINAL)])
    assert score.fix == 1.0 and score.broken == 0.0 and score.err == 1.0


def test_without_the_right_candidate_the_span_is_kept() -> None:
    arcs = {"stated": ["declared"], "assembly": ["meeting"], "held": ["kept"], "capital": ["money"]}
    restored = oracle_restoration(SPUN, lattices(SPUN, arcs), ORIGINAL)
    # "stated" has no right candidate and "held"/"capital" were not spun: all kept.
    assert restored == SPUN.replace("assembly", "meeting")
    assert [(e.spun, e.restored) for e in oracle_edits(SPUN, lattices(SPUN, arcs), ORIGINAL)] == [
        ("assembly", "meeting")
    ]


def test_edits_carry_exact_offsets_in_the_spun_text() -> None:
    for edit in oracle_edits(SPUN, lattices(SPUN, {"within": ["in"], "stated": ["said"]}), ORIGINAL):
        assert SPUN[edit.start : edit.end] == edit.spun


def test_an_unrelated_original_gets_no_edits() -> None:
    unrelated = " ".join(["word"] * 200)
    assert oracle_edits(SPUN, lattices(SPUN, {"stated": ["said"]}), unrelated) == ()


def test_empty_texts_give_no_edits() -> None:
    assert oracle_edits("", [], "") == ()
    assert oracle_edits(SPUN, lattices(SPUN, {"stated": ["said"]}), "") == ()
    assert oracle_restoration("", [], ORIGINAL) == ""
