"""Pair-type evidence: gathered per (spun → original) over a document or feed, merged with +."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import pytest

from corrector.api import Corrector
from corrector.restore.pairs import (
    CLIP,
    FEATURES,
    FrequencyPrior,
    PairModel,
    Proposal,
    ScopeEvidence,
    features,
)
from corrector.text.lattice import Arc, Candidate, Lattice
from corrector.text.tokens import split_sentences


def _proposal(spun: str, original: str, gain: float, sentence: int = 0) -> Proposal:
    candidate = Candidate(words=tuple(original.split()), text=original, logprob=-1.0, sources=("test",))
    return Proposal(sentence, Arc(0, len(spun.split()), (candidate,)), candidate, gain, spun, original)


def _lattices(text: str) -> list[Lattice]:
    return [Lattice(sentence, ()) for sentence in split_sentences(text)]


def test_evidence_counts_each_pair_and_the_forms_it_names() -> None:
    text = "Officials stated on Friday. The minister stated it. Nobody said a word."
    found = [_proposal("stated", "said", 2.0), _proposal("stated", "said", 5.0, 1)]
    found.append(_proposal("word", "term", -2))
    evidence = ScopeEvidence.of(_lattices(text), found)
    assert evidence.occurrences[("stated", "said")] == 2
    assert evidence.gains[("stated", "said")] == pytest.approx(2.0 + CLIP)  # 5.0 clipped
    assert evidence.counts["stated"] == 2 and evidence.counts["said"] == 1 and evidence.counts["term"] == 0
    assert evidence.words == len([w for s in split_sentences(text) for w in s.words])


def test_evidence_of_two_documents_adds_up() -> None:
    a = ScopeEvidence.of(_lattices("They stated it."), [_proposal("stated", "said", 1.0)])
    b = ScopeEvidence.of(_lattices("We stated that. It stated."), [_proposal("stated", "said", 0.5)] * 2)
    total = a + b
    assert total.words == a.words + b.words
    assert total.occurrences[("stated", "said")] == 3
    assert total.gains[("stated", "said")] == pytest.approx(2.0)
    assert total.counts["stated"] == 3


def test_support_is_the_evidence_of_the_other_occurrences() -> None:
    class Flat:  # every form is as frequent in clean news as one word in a hundred
        def logprob(self, words: Iterable[str], bos: bool = True, eos: bool = True) -> float:
            return -2.0

    found = [_proposal("stated", "said", 2.0), _proposal("stated", "said", 1.0, 1)]
    evidence = ScopeEvidence.of(_lattices("They stated. We stated."), found)
    row = features(found[0], evidence, FrequencyPrior(Flat()))  # type: ignore[arg-type]
    assert len(row) == len(FEATURES)
    gain, support, log_occurrences, spun_excess, original_deficit = row
    assert (gain, support, log_occurrences) == (2.0, 1.0, pytest.approx(math.log(2)))
    # "stated" twice in 6 tokens where clean news expects 0.06: over-used; "said" never: missing.
    assert evidence.words == 6
    assert spun_excess == pytest.approx(math.log(2.5 / 0.56))
    assert original_deficit == pytest.approx(math.log(0.5 / 0.56))


def test_shipped_pair_model_loads_and_favours_a_large_gain() -> None:
    model = PairModel.load()
    weak = model.log_odds((0.0, 0.0, 0.0, 0.0, 0.0))
    strong = model.log_odds((CLIP, 0.0, 0.0, 0.0, 0.0))
    assert strong > weak
    assert len(model.fingerprint()) == 12


@pytest.fixture(scope="module")
def pair_corrector(small_corrector: Callable[[Iterable[str]], Corrector]) -> Corrector:
    # The first-pass consistency boost off, so the pair evidence is what carries across spans.
    return small_corrector(["say", "top", "in", "tell", "keep", "talk"]).with_settings(consistency_boost=0.0)


def test_support_from_other_occurrences_lifts_a_weak_occurrence(pair_corrector: Corrector) -> None:
    from corrector.restore.decoder import SentenceMemo
    from corrector.restore.document import DocumentRestorer

    def weak_log_odds(text: str) -> float:
        lattices = pair_corrector.lattices(text)
        restorer = DocumentRestorer(pair_corrector.lm, pair_corrector.config)
        judged = restorer.pair_judgements(lattices, [SentenceMemo() for _ in lattices], None)
        last = len(lattices) - 1
        return next(v for (s, _, _, original), v in judged.items() if s == last and original == "said")

    alone = weak_log_odds("She stated.")
    supported = weak_log_odds(" ".join(["Officials stated in the capital on Friday."] * 3) + " She stated.")
    assert supported > alone


def test_thin_evidence_leaves_the_text_unchanged(pair_corrector: Corrector) -> None:
    text = "Police stated nothing."
    assert len(pair_corrector.correct(text).edits) == 1  # the plain decoder takes a weak margin
    assert pair_corrector.with_settings(pair_weight=1.0).correct(text).edits == ()


def test_feed_evidence_changes_nothing_when_pairs_are_off(
    small_corrector: Callable[[Iterable[str]], Corrector],
) -> None:
    corrector = small_corrector(["say"])
    text = "Officials stated in the capital on Friday."
    evidence = corrector.pair_evidence(text)
    assert corrector.correct(text, evidence) == corrector.correct(text)
