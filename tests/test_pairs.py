"""Pair-type evidence: gathered per (spun → original) over a document or feed, merged with +."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

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


def test_evidence_counts_forms_of_every_length_as_a_scan_of_all_grams_does() -> None:
    """The counts (multi-word forms looked up only where a form's first word stands) equal a plain
    count of every word and of every 2-4-gram that is a form."""
    text = (
        "The prime minister said the prime rate rose. Prime minister Smith said: the rate, the rate.\n"
        "A new law was passed on the floor of the house; the new law was passed."
    )
    found = [
        _proposal("prime minister", "top minister", 1.0), _proposal("the rate", "the interest rate", 0.5),
        _proposal("law was passed", "bill passed", 0.2), _proposal("said", "stated", 0.1),
        _proposal("floor of the house", "house floor", 0.3), _proposal("rate ,", "rate", 0.1),
    ]
    lattices = _lattices(text)
    forms = {form for p in found for form in p.pair}
    expected: dict[str, int] = {}
    for lattice in lattices:
        lowered = [w.lower() for w in lattice.sentence.words]
        for n in range(1, 5):
            for i in range(len(lowered) - n + 1):
                gram = " ".join(lowered[i : i + n])
                if n == 1 or gram in forms:
                    expected[gram] = expected.get(gram, 0) + 1
    counts = ScopeEvidence.of(lattices, found).counts
    assert dict(counts) == expected
    assert counts["prime minister"] == 2 and counts["the rate"] == 2 and counts["floor of the house"] == 1


def test_evidence_of_two_documents_adds_up() -> None:
    a = ScopeEvidence.of(_lattices("They stated it."), [_proposal("stated", "said", 1.0)])
    b = ScopeEvidence.of(_lattices("We stated that. It stated."), [_proposal("stated", "said", 0.5)] * 2)
    total = a + b
    assert total.words == a.words + b.words
    assert total.occurrences[("stated", "said")] == 3
    assert total.gains[("stated", "said")] == pytest.approx(2.0)
    assert total.counts["stated"] == 3


def test_a_feed_counts_a_word_in_every_document_not_only_where_a_proposal_names_it() -> None:
    """The displacement reads a feed's count of an original: a document that says "said" and
    proposes nothing about it still counts."""
    a = ScopeEvidence.of(_lattices("They stated it."), [_proposal("stated", "said", 1.0)])
    b = ScopeEvidence.of(_lattices("He said so. She said no."), [])
    assert (a + b).counts["said"] == 2 and (a + b).counts["stated"] == 1


class Rates:
    """An LM whose unconditioned probability of each form is its rate in clean news."""

    def __init__(self, rates: dict[str, float]) -> None:
        self.rates = rates

    def logprob(self, words: Iterable[str], bos: bool = True, eos: bool = True) -> float:
        return math.log10(self.rates.get(" ".join(words), 1e-7))


def test_displacement_needs_the_original_missing_and_the_spun_form_abounding() -> None:
    """In 1,000 words clean news expects "said" 6 times and "stated" 0.1 times: a scope with
    "stated" 5 times and no "said" shows the spinner's swap (log10 evidence: the lesser of the
    two one-sided Poisson ratios, here the shortfall 6 / ln 10); the usual "said", a "stated"
    no commoner than usual, a "stated" seen once, or a multi-word original is no such
    evidence."""
    prior = FrequencyPrior(Rates({"said": 0.006, "stated": 0.0001, "each other": 0.001}))  # type: ignore[arg-type]

    def scope(**counts: int) -> ScopeEvidence:
        return ScopeEvidence(words=1000, counts=Counter(counts))

    swapped = prior.displacement("stated", "said", scope(stated=5))
    assert swapped == pytest.approx(6 / math.log(10))
    # Five "said" of six expected: a small shortfall, the lesser of the two.
    small = (5 * math.log(5 / 6) + 1) / math.log(10)
    assert prior.displacement("stated", "said", scope(stated=5, said=5)) == pytest.approx(small)
    assert prior.displacement("stated", "said", scope(stated=5, said=6)) == 0.0
    assert prior.displacement("stated", "said", scope(said=0)) == 0.0
    assert prior.displacement("one another", "each other", scope(stated=5)) == 0.0
    # A form seen once is no pattern, however rare it is.
    assert prior.displacement("stated", "said", scope(stated=1)) == 0.0
    assert prior.displacement("stated", "said", scope(stated=2)) > 0.0


def test_a_swap_the_rules_list_is_displaced_by_the_spun_forms_excess_alone() -> None:
    """The curated rules name a swap as a spinner's ("one another" for each other): there the
    spun form's excess alone is the evidence, seen once and whatever the original's count; a
    pair the rules do not list, seen once, still gets none."""
    prior = FrequencyPrior(Rates({"one another": 1e-5, "each other": 1e-3, "voiced": 1e-5, "said": 0.006}))  # type: ignore[arg-type]

    def scope(counts: dict[str, int]) -> ScopeEvidence:
        return ScopeEvidence(words=1000, counts=Counter(counts))

    once = prior.displacement("one another", "each other", scope({"one another": 1}))
    # Clean news expects it 0.01 times in 1,000 words: (1 · ln(1 / 0.01) − 0.99) / ln 10.
    assert once == pytest.approx((math.log(100) - 0.99) / math.log(10))
    assert prior.displacement("one another", "each other", scope({"one another": 1, "each other": 1})) == once
    assert prior.displacement("one another", "each other", scope({"each other": 1})) == 0.0
    assert prior.displacement("voiced", "said", scope({"voiced": 1})) == 0.0
    # No commoner than clean news makes it: no excess.
    common = FrequencyPrior(Rates({"one another": 0.002}))  # type: ignore[arg-type]
    assert common.displacement("one another", "each other", scope({"one another": 1})) == 0.0


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


def _planted_feed() -> list[str]:
    """A feed whose spinner wrote "stated" for "said" in every document."""
    return [
        "Officials stated in the capital on Friday.",
        "The minister stated that the talks would continue next week.",
        "Officials stated that the talks would continue next week.",
        "The minister stated in the capital on Friday.",
    ]


def test_a_planted_pair_type_is_decided_once(pair_corrector: Corrector) -> None:
    evidence = ScopeEvidence()
    for text in _planted_feed():
        evidence += pair_corrector.pair_evidence(text)
    decided = pair_corrector.pair_decisions(evidence)
    by_spun = {d.spun: d for d in decided}
    assert len(by_spun) == len(decided)  # one decision per spun form
    stated = by_spun["stated"]
    assert (stated.original, stated.occurrences, stated.spun_count) == ("said", 4, 4)
    assert stated.probability >= 0.5
    assert decided == sorted(decided, key=lambda d: (-d.probability, -d.occurrences, d.spun, d.original))


def test_in_place_sum_equals_the_sum(pair_corrector: Corrector) -> None:
    parts = [pair_corrector.pair_evidence(text) for text in _planted_feed()]
    running = ScopeEvidence()
    for part in parts:
        running += part
    assert running == sum(parts, ScopeEvidence())


def test_a_pairs_channel_is_its_best_over_the_scope_and_survives_a_checkpoint(
    pair_corrector: Corrector,
) -> None:
    parts = [pair_corrector.pair_evidence(text) for text in _planted_feed()]
    total = sum(parts, ScopeEvidence())
    pair = ("stated", "said")
    assert pair in total.channels
    assert total.channels[pair] == max(p.channels[pair] for p in parts if pair in p.channels)
    assert ScopeEvidence.from_dict(json.loads(json.dumps(total.to_dict()))) == total
    # A checkpoint written before the channel was kept reads as no channel evidence.
    old = total.to_dict()
    old["pairs"] = [row[:4] for row in old["pairs"]]
    assert ScopeEvidence.from_dict(old).channels == {}
    decided = {(d.spun, d.original): d for d in pair_corrector.pair_decisions(total, 0.0, 1)}
    assert decided[pair].channel == total.channels[pair]


def test_a_pair_seen_once_is_not_decided_by_default(pair_corrector: Corrector) -> None:
    evidence = pair_corrector.pair_evidence(_planted_feed()[0])
    assert [d.spun for d in pair_corrector.pair_decisions(evidence)] == []
    assert "stated" in [d.spun for d in pair_corrector.pair_decisions(evidence, 0.0, 1)]


HEADWORDS = ("say", "top", "in", "tell", "keep", "talk")


def planted_corrector(model_dir: str | None = None, **overrides: object) -> Corrector:
    """A ``CorrectorSpec`` factory: the tiny model with candidates for :data:`HEADWORDS` only."""
    from corrector.builders import thesaurus
    from corrector.candidates.channel import ChannelModel
    from corrector.candidates.generator import CandidateGenerator
    from corrector.config import CorrectorConfig
    from corrector.lm.kenlm import KenlmModel

    forward = {
        source: {h: s for h, s in thesaurus.forward_synonyms(source).items() if h in HEADWORDS}
        for source in thesaurus.SOURCES
    }
    generator = CandidateGenerator(thesaurus.table_from_forward(forward), ChannelModel.load())
    config = CorrectorConfig(model_dir=model_dir, change_penalty=1.0, consistency_boost=0.0)
    return Corrector(config.with_overrides(**overrides), KenlmModel(Path(str(model_dir))), generator)


def _feed_file(tmp_path: Path, copies: int = 1) -> Path:
    feed = tmp_path / "feed.jsonl"
    texts = _planted_feed() * copies
    rows = [json.dumps({"id": str(i), "text": text}) for i, text in enumerate(texts)]
    feed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return feed


def _spec(model_dir: Path) -> Any:
    from corrector.batch.job import CorrectorSpec

    return CorrectorSpec.create(model_dir, factory="test_pairs:planted_corrector")


def test_decisions_file_is_reused_by_spinner_and_applied_at_every_occurrence(
    pair_corrector: Corrector, tiny_model_dir: Path, tmp_path: Path
) -> None:
    from corrector.adapt.learn import learn_decisions
    from corrector.candidates.spinner import SpinnerChannel, is_decisions, read_spinner

    out = tmp_path / "decisions.json"
    document, decided = learn_decisions([str(_feed_file(tmp_path))], out, _spec(tiny_model_dir))
    assert is_decisions(out) and read_spinner(out)["pairs"][0]["spun"] == decided[0].spun
    assert document["meta"]["documents"] == 4
    assert not Path(f"{out}.evidence").exists()  # pass 1's checkpoint goes once the file is written
    # The decided pair is cheap everywhere; a span the file does not list keeps the generic channel.
    channel = SpinnerChannel.for_decoder(out, change_penalty=1.0, channel_weight=2.0)
    text = "Officials stated in the capital on Friday. They told reporters."
    generic = pair_corrector.lattices(text)
    rescored = [channel.rescore(lattice) for lattice in generic]
    for before, after in zip(generic, rescored, strict=True):
        for arc_before, arc_after in zip(before.arcs, after.arcs, strict=True):
            spun = " ".join(before.sentence.words[arc_before.start : arc_before.end]).lower()
            if spun != "stated":
                assert arc_after == arc_before
    stated = next(a for a in rescored[0].arcs if rescored[0].sentence.words[a.start] == "stated")
    assert stated.candidates[0].text == "said" and stated.candidates[0].logprob > 0


def test_pass_one_is_the_same_on_every_engine_and_after_a_resume(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    from corrector.batch.evidence import gather_evidence
    from corrector.batch.executors import LocalExecutor, ProcessExecutor
    from corrector.batch.job import BatchJob

    job = BatchJob((str(_feed_file(tmp_path, copies=100)),), None, _spec(tiny_model_dir))
    whole = gather_evidence(job, LocalExecutor())
    assert whole.documents == whole.records == 400  # 7 chunks of at most 64
    assert gather_evidence(job, ProcessExecutor(2)).evidence.to_dict() == whole.evidence.to_dict()

    class Killed(Exception):
        pass

    class DiesAfterThreeChunks(LocalExecutor):
        def map(self, task, shared, chunks, preload=None):  # type: ignore[no-untyped-def]
            for done, result in enumerate(super().map(task, shared, chunks, preload)):
                if done == 3:
                    raise Killed
                yield result

    checkpoint = tmp_path / "out.evidence"
    with pytest.raises(Killed):
        gather_evidence(job, DiesAfterThreeChunks(), checkpoint=checkpoint, checkpoint_every=1)
    saved = json.loads(checkpoint.read_text(encoding="utf-8"))
    assert saved["records"] == 3 * 64
    resumed = gather_evidence(job, LocalExecutor(), checkpoint=checkpoint, resume=True)
    assert (resumed.documents, resumed.records) == (400, 400)
    assert resumed.evidence.to_dict() == whole.evidence.to_dict()
    # A checkpoint of another job is not resumed from.
    (tmp_path / "other").mkdir()
    other = BatchJob((str(_feed_file(tmp_path / "other", copies=2)),), None, _spec(tiny_model_dir))
    assert gather_evidence(other, LocalExecutor(), checkpoint=checkpoint, resume=True).records == 8


def test_evidence_round_trips_through_json(pair_corrector: Corrector) -> None:
    evidence = ScopeEvidence()
    for text in _planted_feed():
        evidence += pair_corrector.pair_evidence(text)
    assert evidence.short.words > 0  # the short documents' first pass goes along
    assert ScopeEvidence.from_dict(json.loads(json.dumps(evidence.to_dict()))) == evidence


def test_a_feeds_short_documents_first_passes_are_pooled(pair_corrector: Corrector) -> None:
    """Pass 1 keeps the n-gram first pass of each document too short to be gated alone (under
    MIN_WORDS_FOR_GATE words); summed over a feed they give the spun score that gates those
    documents together, once they hold MIN_WORDS_FOR_GATE words. A longer document's is not kept."""
    from corrector import defaults
    from corrector.restore.decoder import FirstPass
    from corrector.restore.document import short_documents_score, spun_score

    alone = [pair_corrector.pair_evidence(text) for text in _planted_feed() * 3]
    assert all(e.short.words == e.words and e.short.edits == 1 for e in alone)  # "stated" → "said"
    few = sum(alone[:4], ScopeEvidence())
    assert few.short.words < defaults.MIN_WORDS_FOR_GATE and short_documents_score(few) is None
    feed = sum(alone, ScopeEvidence())
    assert feed.short == sum((e.short for e in alone), FirstPass())
    assert feed.short.words >= defaults.MIN_WORDS_FOR_GATE
    assert short_documents_score(feed) == spun_score(feed.short.edits, feed.short.words, feed.short.gain)
    long = pair_corrector.pair_evidence(" ".join(_planted_feed() * 3))
    assert long.words >= defaults.MIN_WORDS_FOR_GATE and long.short == FirstPass()


def test_adapt_method_pairs_writes_a_decisions_file(tiny_model_dir: Path, tmp_path: Path) -> None:
    from corrector.candidates.spinner import is_decisions
    from corrector.cli import main

    feed = tmp_path / "feed.txt"
    feed.write_text("\n".join(_planted_feed()) + "\n", encoding="utf-8")
    out = tmp_path / "spinner.json"
    code = main(["adapt", "--method", "pairs", "--feed", str(feed), "--lines", "-o", str(out),
                 "--model", str(tiny_model_dir), "--min-occurrences", "1", "--quiet"])
    assert code == 0 and is_decisions(out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["meta"]["documents"] == 4 and data["meta"]["min_occurrences"] == 1


def test_correct_adapt_method_pairs_learns_then_restores(tiny_model_dir: Path, tmp_path: Path) -> None:
    from corrector.candidates.spinner import is_decisions
    from corrector.cli import main

    feed = tmp_path / "feed.txt"
    feed.write_text("\n".join(_planted_feed()) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    argv = ["correct", "-q", "--model", str(tiny_model_dir), "--lines", str(feed), "-o", str(out)]
    assert main([*argv, "--adapt", "--adapt-method", "pairs"]) == 0
    spinner = tmp_path / "out.jsonl.spinner.json"
    assert is_decisions(spinner)
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(_planted_feed())


def test_with_decisions_restores_as_the_decisions_file_does(
    pair_corrector: Corrector, tmp_path: Path
) -> None:
    from corrector.adapt.spinner_file import decisions_document, write_spinner
    from corrector.candidates.spinner import SpinnerChannel

    evidence = ScopeEvidence()
    for text in _planted_feed():
        evidence += pair_corrector.pair_evidence(text)
    decided = pair_corrector.pair_decisions(evidence)
    path = tmp_path / "decisions.json"
    write_spinner(path, decisions_document(decided))
    from_file = Corrector(pair_corrector.config, pair_corrector.lm, pair_corrector.generator)
    config = pair_corrector.config
    from_file.spinner_channel = SpinnerChannel.for_decoder(path, config.change_penalty, config.channel_weight)
    in_memory = pair_corrector.with_decisions(decided)
    for text in [*_planted_feed(), "She stated nothing. They told us."]:
        assert in_memory.correct(text).text == from_file.correct(text).text
    assert in_memory.correct("The minister stated it.").text == "The minister said it."


def test_adapt_auto_keeps_the_pair_decisions_of_a_feed_too_small_for_em(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corrector.adapt import learn
    from corrector.candidates.spinner import is_decisions
    from corrector.cli import main

    feed = _feed_file(tmp_path, copies=3)
    out = tmp_path / "out.jsonl"
    monkeypatch.setattr(learn, "learn_spinner", lambda *_, **__: pytest.fail("EM ran on a 12-sentence feed"))
    argv = ["correct", "-q", "--model", str(tiny_model_dir), str(feed), "-o", str(out)]
    assert main([*argv, "--adapt", "--corrector-factory", "test_pairs:planted_corrector"]) == 0
    spinner = tmp_path / "out.jsonl.spinner.json"
    assert is_decisions(spinner)
    assert json.loads(spinner.read_text(encoding="utf-8"))["meta"]["sentences"] == 12
    assert len(out.read_text(encoding="utf-8").splitlines()) == 12


def test_pass_one_sums_each_groups_evidence_and_resumes_them(tiny_model_dir: Path, tmp_path: Path) -> None:
    from corrector.batch.evidence import gather_evidence
    from corrector.batch.executors import LocalExecutor, ProcessExecutor
    from corrector.batch.job import BatchJob

    texts = _planted_feed() * 20
    path = tmp_path / "sites.jsonl"
    sites = [{"site": "a.example"}, {"url": "https://www.b.example/story"}, {}]
    rows = [json.dumps({"id": str(i), "text": t, **sites[i % 3]}) for i, t in enumerate(texts)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    job = BatchJob((str(path),), None, _spec(tiny_model_dir), group_by="site")
    whole = gather_evidence(job, LocalExecutor())
    assert [(key, documents) for key, _, documents in whole.by_group()] == [
        ("a.example", 27), ("b.example", 27), ("", 26)
    ]
    alone = gather_evidence(BatchJob((str(path),), None, _spec(tiny_model_dir)), LocalExecutor())
    assert alone.by_group() == [("", alone.evidence, 80)] and not alone.groups
    assert whole.evidence.to_dict() == alone.evidence.to_dict()  # the feed's sum as before
    summed = ScopeEvidence()
    for _, evidence, _ in whole.by_group():
        summed += evidence  # the groups' sums add up to it (to the rounding of another order)
    assert summed.words == whole.evidence.words and summed.to_dict()["pairs"][0][:3] == ["stated", "said", 80]
    parallel = gather_evidence(job, ProcessExecutor(2))
    assert [(k, e.to_dict(), n) for k, e, n in parallel.by_group()] == [
        (k, e.to_dict(), n) for k, e, n in whole.by_group()
    ]
    checkpoint = tmp_path / "out.evidence"
    gather_evidence(job, LocalExecutor(), checkpoint=checkpoint, checkpoint_every=1)  # one chunk: saved
    resumed = gather_evidence(job, LocalExecutor(), checkpoint=checkpoint, resume=True)
    assert resumed.records == 80 and [(k, e.to_dict(), n) for k, e, n in resumed.by_group()] == [
        (k, e.to_dict(), n) for k, e, n in whole.by_group()
    ]


def test_a_records_group_is_its_site_or_the_host_it_names() -> None:
    from corrector.batch.readers import Record, group_key

    def key(fields: dict[str, object], group_by: str = "site") -> str:
        return group_key(Record("1", "text", fields), group_by)

    assert key({"site": "LawAndOrderNews.com"}) == "lawandordernews.com"
    assert key({"source_url": "https://www.newz9.com/story-1?x=1"}) == "newz9.com"
    assert key({"site": "", "link": "http://feeds.example.org/a"}) == "feeds.example.org"
    # Scrapers' names for the site (trafilatura, news-please) come before a page's URL.
    assert key({"hostname": "www.c.example", "url": "https://d.example/x"}) == "c.example"
    assert key({"source_domain": "E.example", "url": "https://d.example/x"}) == "e.example"
    assert key({"sitename": "Law and Order News"}) == "law and order news"
    assert key({"title": "no site"}) == "" and key({"site": None}) == "" and key({"site": ["a"]}) == ""
    assert key({"site": "a.example"}, "none") == ""
    assert key({"site": "a.example"}, "document") == "document:1"
    assert key({"feed": "https://x.example/rss", "site": "a.example"}, "feed") == "x.example"


def test_adapt_pairs_by_site_decides_each_site_and_correct_applies_each_sites(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    from corrector.candidates.spinner import read_spinner
    from corrector.cli import main

    texts = [*_planted_feed(), "The minister stated that the talks would go on."]
    sites = ["a.example"] * 4 + ["b.example"]
    feed = tmp_path / "feed.jsonl"
    labelled = enumerate(zip(texts, sites, strict=True))
    rows = [json.dumps({"id": str(i), "text": t, "site": s}) for i, (t, s) in labelled]
    feed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    common = ["--model", str(tiny_model_dir), "--quiet"]
    grouped = tmp_path / "grouped.json"
    adapt = ["adapt", "--method", "pairs", "--feed"]
    assert main([*adapt, str(feed), "-o", str(grouped), "--group-by", "site", *common]) == 0
    document = read_spinner(grouped)
    pairs = {g["group"]: [(p["spun"], p["original"]) for p in g["pairs"]] for g in document["groups"]}
    assert pairs == {"a.example": [("stated", "said")], "b.example": []}  # b's one "stated" is no pattern
    # Site a's records restored with the grouped file are what a file learned from site a alone gives.
    only_a = tmp_path / "a.jsonl"
    only_a.write_text("\n".join(rows[:4]) + "\n", encoding="utf-8")
    alone = tmp_path / "alone.json"
    assert main([*adapt, str(only_a), "-o", str(alone), *common]) == 0
    outputs = {}
    for name, spinner, inputs in (("grouped", grouped, feed), ("alone", alone, only_a)):
        out = tmp_path / f"{name}.out.jsonl"
        argv = ["correct", str(inputs), "--spinner", str(spinner), "-o", str(out), *common]
        assert main(argv) == 0
        lines = out.read_text(encoding="utf-8").splitlines()
        outputs[name] = [json.loads(line)["restored"] for line in lines]
    assert outputs["grouped"][:4] == outputs["alone"] and all(" said " in r for r in outputs["alone"][1:3])


def test_the_logistic_of_a_pairs_log_odds_never_overflows() -> None:
    from corrector.restore.pairs import logistic

    assert logistic(0.0) == 0.5 and logistic(800.0) == 1.0
    assert logistic(-750.0) == math.exp(-750.0) and logistic(-1e6) == 0.0  # 1 / (1 + e^750) overflowed
    assert logistic(-699.0) == 1.0 / (1.0 + math.exp(699.0))  # as before wherever it did not
