"""`corrector correct`'s default path: with the neural model installed, a first pass gathers the
input's pair evidence, the neural teacher decides its pair types, and the n-gram decoder applies
them; `--fast` (or $CORRECTOR_FAST) is the n-gram decoder alone.

The stub factory of test_teacher stands in for the corrector: pass 1 and pass 2 get n-gram
correctors, the teacher one whose "neural LM" prefers "said" to "stated" (each load recorded)."""

from __future__ import annotations

import io
import json
import sys
import tempfile
from pathlib import Path

import pytest
from test_pairs import _planted_feed
from test_teacher import NEURAL_LOADS

from corrector import cli
from corrector.candidates.spinner import read_spinner
from corrector.commands.correct import FAST_ENV

FACTORY = "test_teacher:taught_factory"


@pytest.fixture()
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl"
    rows = [json.dumps({"id": str(i), "text": t}) for i, t in enumerate(_planted_feed() * 2)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default path on: a neural model file present (the stub factory never reads it)."""
    model = tmp_path / "model.gguf"
    model.write_bytes(b"stub")
    monkeypatch.setenv("CORRECTOR_NEURAL", str(model))
    monkeypatch.delenv(FAST_ENV, raising=False)
    NEURAL_LOADS.clear()


def _correct(model: Path, *argv: str) -> int:
    return cli.main(["correct", "--model", str(model), "--corrector-factory", FACTORY, "-q", *argv])


def _restored(path: Path) -> list[str]:
    return [json.loads(line)["restored"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.usefixtures("installed")
def test_the_default_path_learns_with_the_teacher_then_decodes_with_its_decisions(
    tiny_model_dir: Path, feed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    assert _correct(tiny_model_dir, str(feed), "-o", str(out)) == 0
    # Pass 1 is n-gram; the teacher decides the feed's recurring forms; pass 2 decodes with the
    # n-gram decoder, the teacher judging each document's other forms.
    assert NEURAL_LOADS == ["None", "default", "default"]
    spinner = read_spinner(Path(f"{out}.spinner.json"))
    assert spinner["meta"]["teacher"] == "word-scorer"
    assert spinner["meta"]["min_occurrences"] == 2  # a feed of 8 documents
    assert [(p["spun"], p["original"]) for p in spinner["pairs"]][:1] == [("stated", "said")]
    assert "stated" in spinner["recurring"]  # seen in every document: pass 2 does not judge it again
    restored = _restored(out)
    assert len(restored) == 8 and all("stated" not in r and " said " in r for r in restored)
    # Run again: the same bytes, the learned spinner file included (no timing in it).
    again = tmp_path / "again.jsonl"
    assert _correct(tiny_model_dir, str(feed), "-o", str(again)) == 0
    assert again.read_bytes() == out.read_bytes()
    assert Path(f"{again}.spinner.json").read_bytes() == Path(f"{out}.spinner.json").read_bytes()
    # The library function under it gives the same restorations.
    from test_teacher import taught_factory

    texts = _planted_feed() * 2
    feed_restoration = taught_factory(str(tiny_model_dir), neural="default").correct_feed(texts)
    assert [r.text for r in feed_restoration.restorations] == restored
    assert [(d.spun, d.original) for d in feed_restoration.decisions] == [
        (p["spun"], p["original"]) for p in spinner["pairs"]
    ]


@pytest.mark.usefixtures("installed")
def test_fast_is_the_ngram_decoder_alone(
    tiny_model_dir: Path, feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, by_env = tmp_path / "fast.jsonl", tmp_path / "env.jsonl"
    assert _correct(tiny_model_dir, "--fast", str(feed), "-o", str(fast)) == 0
    assert "default" not in NEURAL_LOADS and not Path(f"{fast}.spinner.json").exists()
    monkeypatch.setenv(FAST_ENV, "1")
    assert _correct(tiny_model_dir, str(feed), "-o", str(by_env)) == 0
    assert by_env.read_bytes() == fast.read_bytes()
    # Without the model file the default is the n-gram decoder too.
    monkeypatch.delenv(FAST_ENV)
    monkeypatch.setenv("CORRECTOR_NEURAL", str(tmp_path / "missing.gguf"))
    absent = tmp_path / "absent.jsonl"
    assert _correct(tiny_model_dir, str(feed), "-o", str(absent)) == 0
    assert absent.read_bytes() == fast.read_bytes()
    assert "default" not in NEURAL_LOADS


@pytest.mark.usefixtures("installed")
def test_the_default_path_reads_stdin_twice_through_a_spool(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    text = " ".join(_planted_feed())
    document = tmp_path / "article.txt"
    document.write_text(text, encoding="utf-8")
    from_file = tmp_path / "file.txt"
    assert _correct(tiny_model_dir, str(document), "--output-format", "text", "-o", str(from_file)) == 0
    # A single article's teacher judged all its forms: pass 2 is the n-gram decoder alone.
    assert NEURAL_LOADS[-1] == "None"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    # stdin's copy and the decisions of a run without -o are the run's own: gone when it ends.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert _correct(tiny_model_dir, "-", "--output-format", "text") == 0
    assert list(scratch.iterdir()) == []
    assert capsys.readouterr().out == from_file.read_text(encoding="utf-8")
    assert "said" in from_file.read_text(encoding="utf-8")
    # A single document: its pair types are decided from one occurrence.
    assert read_spinner(Path(f"{from_file}.spinner.json"))["meta"]["min_occurrences"] == 1
    # --resume cannot replay stdin without a named spool.
    assert _correct(tiny_model_dir, "-", "-o", str(tmp_path / "r.jsonl"), "--resume") == 1


def test_fast_refuses_what_needs_the_neural_lm_or_a_learning_pass(
    tiny_model_dir: Path, feed: Path, tmp_path: Path
) -> None:
    out = str(tmp_path / "out.jsonl")
    assert _correct(tiny_model_dir, "--fast", "--neural", str(feed), "-o", out) == 1
    assert _correct(tiny_model_dir, "--fast", "--adapt", str(feed), "-o", out) == 1


@pytest.mark.usefixtures("installed")
def test_a_resumed_default_run_reuses_its_decisions(
    tiny_model_dir: Path, feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corrector.adapt import learn

    out = tmp_path / "out.jsonl"
    assert _correct(tiny_model_dir, str(feed), "-o", str(out)) == 0
    finished = out.read_bytes()
    out.unlink()  # as if pass 2 had been killed before writing anything
    monkeypatch.setattr(learn, "learn_decisions", lambda *_, **__: pytest.fail("pass 1 ran again"))
    assert _correct(tiny_model_dir, str(feed), "-o", str(out), "--resume") == 0
    assert out.read_bytes() == finished


def test_a_spinners_pairs_do_not_move_the_documents_spun_score(tiny_model_dir: Path) -> None:
    """The gate and the prior judge a document by the generic channel: decisions learned from a
    whole feed change what is restored, not whether this document looks spun (a clean document
    sharing a word with the feed's pairs stays gated)."""
    from test_pairs import planted_corrector

    from corrector.restore.pairs import PairDecision

    generic = planted_corrector(str(tiny_model_dir))
    adapted = generic.with_decisions([PairDecision("stated", "said", 1.0, 3, 2.0, 3, 0)])
    clean = "The minister met in the capital on Friday ."
    spun = "Officials stated that the talks would continue next week ."
    text = " ".join([clean] * 3 + [spun] * 3)
    restored = adapted.correct(text)
    assert restored.spun_score == generic.correct(text).spun_score
    assert [e.restored for e in restored.edits] == ["said"] * 3  # the pairs still restore


def test_a_spinners_evidence_is_its_decided_forms_capped_odds_per_100_words(tmp_path: Path) -> None:
    """SpinnerChannel.evidence: each decided form the document holds counts once (in a document
    shorter than a section), with its best decision's log10 odds up to the cap; kept forms and
    other spinners' pairs count nothing."""
    from corrector.candidates.spinner import SpinnerChannel
    from corrector.defaults import SPINNER_EVIDENCE_CAP
    from corrector.text.lattice import Lattice
    from corrector.text.tokens import split_sentences

    decided = [
        ("stated", "said", 0.999999), ("stated", "noted", 0.5), ("huge", "big", 0.9), ("vow", "vow", 0.99)
    ]
    text = "Officials stated the huge vow . They stated it again today , with eight more words here ."
    words = 15  # tokens with a letter or digit: the two full stops and the comma do not count
    for taught, complete in [(True, True), (True, False), (False, False)]:
        channel = SpinnerChannel.for_decisions(decided, 1.0, taught=taught, complete=complete)
        lattices = [channel.rescore(Lattice(s, ())) for s in split_sentences(text)]
        if not taught:
            assert channel.evidence(lattices) is None and not channel.complete
            continue
        assert channel.complete is complete
        # stated (its best decision, capped) + huge (log10 9)
        expected = 100 * (SPINNER_EVIDENCE_CAP + 0.9542425094393249) / words
        assert channel.evidence(lattices) == pytest.approx(expected)
    assert SpinnerChannel.for_decisions(decided, 1.0, taught=False, complete=True).complete is False
    # Read back from the file the default path writes: the teacher's, and complete for one article.
    from corrector.adapt.spinner_file import decisions_document, write_spinner
    from corrector.restore.pairs import PairDecision

    rows = [PairDecision("stated", "said", 0.999999, 2, 2.0, 2, 0)]
    path = tmp_path / "spinner.json"
    for meta, taught, complete in [
        ({"teacher": "smollm2", "min_occurrences": 1}, True, True),
        ({"teacher": "smollm2", "min_occurrences": 2}, True, False),
        ({"teacher": "no", "min_occurrences": 1}, False, False),
    ]:
        write_spinner(path, decisions_document(rows, meta))
        channel = SpinnerChannel.for_decoder(path, 1.0)
        assert (channel.taught, channel.complete) == (taught, complete)


def test_a_long_documents_evidence_counts_each_form_once_per_section(monkeypatch: pytest.MonkeyPatch) -> None:
    """A form counts once per section of SPINNER_EVIDENCE_SECTION words, not once per document:
    an article five times over shows the article's evidence (counted once per document it showed
    a fifth, and the gate left a long spun document unrestored); a last section shorter than half
    a section joins the one before it."""
    from corrector import defaults
    from corrector.candidates.spinner import SpinnerChannel
    from corrector.text.lattice import Lattice
    from corrector.text.tokens import split_sentences

    channel = SpinnerChannel.for_decisions([("stated", "said", 0.9), ("huge", "big", 0.9)], 1.0, taught=True)

    def evidence(text: str) -> float | None:
        return channel.evidence([channel.rescore(Lattice(s, ())) for s in split_sentences(text)])

    passage = "Officials stated the huge plan . They stated it again today , with six more words ."
    words = 14
    monkeypatch.setattr(defaults, "SPINNER_EVIDENCE_SECTION", words)
    one = evidence(passage)
    assert one == pytest.approx(100 * 2 * 0.9542425094393249 / words)
    assert evidence(" ".join([passage] * 5)) == pytest.approx(one)
    # Six words more: too short for a section of their own, so their "stated" counts nothing new.
    tail = "Officials stated it once more today ."
    assert evidence(" ".join([passage, passage, tail])) == pytest.approx(2 * one * words / (2 * words + 6))
    # Under a section's length, the whole document is one section, as before.
    monkeypatch.setattr(defaults, "SPINNER_EVIDENCE_SECTION", 1000)
    assert evidence(" ".join([passage] * 5)) == pytest.approx(one / 5)


def test_the_teachers_evidence_weighs_in_the_gate(tiny_model_dir: Path) -> None:
    """A single article whose every form the teacher judged and found little of is left alone
    although its first pass looks spun; strong evidence restores a document the first pass scored
    below the gate; in a feed (decisions not complete) weak evidence leaves the gate as it was."""
    from test_pairs import planted_corrector

    from corrector.restore.pairs import PairDecision

    generic = planted_corrector(str(tiny_model_dir))
    text = " ".join(["Officials stated that the talks would continue next week ."] * 7)  # 63 words
    assert generic.correct(text).spun_score >= generic.config.min_spun_score
    weak = [PairDecision("stated", "said", 0.6, 7, 2.0, 7, 0)]  # log10 odds 0.18: 0.28 per 100 words
    assert generic.with_decisions(weak, taught=True, complete=True).correct(text).edits == ()
    assert len(generic.with_decisions(weak, taught=True).correct(text).edits) == 7  # a feed's
    assert len(generic.with_decisions(weak).correct(text).edits) == 7  # not the teacher's: no evidence
    off = generic.with_settings(min_spinner_evidence=0.0)
    assert len(off.with_decisions(weak, taught=True, complete=True).correct(text).edits) == 7
    # Below the gate (min_spun_score 0.99): gated, unless the evidence reaches 2× the floor, which
    # 63 words raise by √(300 / 63) (see the next test).
    strong = [PairDecision("stated", "said", 0.999, 7, 2.0, 7, 0)]  # odds 3.0: 4.8 per 100 words
    strict = generic.with_settings(min_spun_score=0.99)
    assert strict.with_decisions(strong, taught=True).correct(text).edits == ()
    unrescued = strict.with_settings(min_spinner_evidence=2.0).with_decisions(strong, taught=True)
    assert unrescued.correct(text).edits == ()
    rescued = strict.with_settings(min_spinner_evidence=1.0).with_decisions(strong, taught=True)
    assert [e.restored for e in rescued.correct(text).edits] == ["said"] * 7


def test_a_short_documents_evidence_must_be_higher(tiny_model_dir: Path) -> None:
    """The teacher's evidence is a rate per 100 words, noisier the shorter the document: under
    SPINNER_EVIDENCE_WORDS words both of the gate's evidence thresholds rise by √(that / words),
    so two confident but wrong decisions in a clean 80-word text do not open the gate, while the
    same rate in a document of an article's length does."""
    from test_pairs import planted_corrector

    from corrector import defaults
    from corrector.restore.document import TaughtEvidence, _looks_spun

    config = planted_corrector(str(tiny_model_dir)).with_settings(min_spinner_evidence=4.0).config
    below, above = 0.0, 1.0  # first-pass spun_score under and over min_spun_score
    assert defaults.SPINNER_EVIDENCE_WORDS == 300
    alone = TaughtEvidence(8.5, complete=True)  # 2 × 4 = 8 at 300 words or more
    assert _looks_spun(below, alone, config, 300)
    assert _looks_spun(below, alone, config, 3000)
    assert not _looks_spun(below, alone, config, 250)  # 8 × √(300 / 250) = 8.76
    assert _looks_spun(below, TaughtEvidence(15.5, complete=True), config, 80)  # 8 × √3.75 = 15.49
    weighed = TaughtEvidence(5.0, complete=True)  # the floor 4 with a spun first pass
    assert _looks_spun(above, weighed, config, 300)
    assert not _looks_spun(above, weighed, config, 150)  # 4 × √2 = 5.66
    assert _looks_spun(above, TaughtEvidence(5.0, complete=False), config, 150)  # a feed's: only adds


def test_a_feeds_short_documents_are_gated_together(tiny_model_dir: Path) -> None:
    """A document too short to be gated alone (under MIN_WORDS_FOR_GATE words) is gated with its
    feed's other short documents, by their pooled first pass: held to a gate they all fall below
    (min_spun_score 0.99), a feed of twelve short documents is left alone, while each of them as
    a feed of one is restored (too little evidence either way), and so is the feed at the
    shipped gate or with the gate off."""
    from test_pairs import planted_corrector

    generic = planted_corrector(str(tiny_model_dir))
    texts = _planted_feed() * 3  # ~110 words in twelve documents
    strict = generic.with_settings(min_spun_score=0.99)
    assert [r.edits for r in strict.correct_feed(texts).restorations] == [()] * len(texts)
    assert all(len(strict.correct_feed([text]).restorations[0].edits) == 1 for text in texts[:4])
    for corrector in (generic, strict.with_settings(min_spun_score=0.0)):
        restored = corrector.correct_feed(texts).restorations
        assert [[e.restored for e in r.edits] for r in restored] == [["said"]] * len(texts)


@pytest.mark.usefixtures("installed")
def test_the_default_path_gates_a_feeds_short_documents_together(
    tiny_model_dir: Path, feed: Path, tmp_path: Path
) -> None:
    """Through the CLI: pass 1 writes the short documents' pooled spun score into the spinner
    file, and pass 2 gates each of them by it."""
    from corrector.candidates.spinner import SHORT_SCORE

    out = tmp_path / "out.jsonl"
    assert _correct(tiny_model_dir, str(feed), "-o", str(out)) == 0
    assert read_spinner(f"{out}.spinner.json")["meta"][SHORT_SCORE] >= 0.35
    assert all(json.loads(line)["edits"] for line in out.read_text(encoding="utf-8").splitlines())
    strict = tmp_path / "strict.jsonl"
    assert _correct(tiny_model_dir, str(feed), "-o", str(strict), "--min-spun-score", "0.99") == 0
    assert [json.loads(line)["edits"] for line in strict.read_text(encoding="utf-8").splitlines()] == [[]] * 8


def test_the_teachers_decisions_are_applied_where_the_spin_prior_would_veto_them(
    tiny_model_dir: Path,
) -> None:
    """A pair the neural teacher decided pays TAUGHT_CHANGE_PENALTY: the spin prior, which makes
    an n-gram change dearer in a text that looks little spun, does not undo the teacher's decision;
    the same decision by the pair model alone (not taught) is left to the decoder's objective."""
    from test_pairs import planted_corrector

    from corrector.restore.pairs import PairDecision

    generic = planted_corrector(str(tiny_model_dir))
    text = "The minister met in the capital on Friday . Officials stated in the capital on Friday ."
    decided = [PairDecision("stated", "said", 0.3, 1, 0.5, 1, 0)]
    assert generic.with_decisions(decided).correct(text).edits == ()
    taught = generic.with_decisions(decided, taught=True).correct(text)
    assert [e.restored for e in taught.edits] == ["said"]


def test_an_undecided_forms_ngram_edit_needs_the_pair_models_probability(tiny_model_dir: Path) -> None:
    """With a single article's teacher decisions, the n-gram decoder's edit of a form they do not
    restore is made only at min_undecided_probability (the pair model's probability of the edit):
    at 1 no such edit is left while the teacher's own decisions still apply, and at 0 the check
    is off. A feed's decisions and the pair model's are not checked."""
    from test_pairs import planted_corrector

    from corrector.restore.pairs import PairDecision

    # The gate by the first pass alone (the teacher's evidence is not what this is about).
    generic = planted_corrector(str(tiny_model_dir)).with_settings(min_spinner_evidence=0.0)
    text = " ".join(["Officials stated that the talks would continue next week ."] * 7)
    other = [PairDecision("informed", "told", 0.9, 3, 2.0, 3, 0)]  # a form this text lacks

    def restored(floor: float, decisions: list[PairDecision], **kind: bool) -> list[str]:
        corrector = generic.with_settings(min_undecided_probability=floor).with_decisions(decisions, **kind)
        return [e.restored for e in corrector.correct(text).edits]

    assert restored(0.0, other, taught=True, complete=True) == ["said"] * 7
    made = generic.with_settings(min_undecided_probability=0.0).with_decisions(other, True, True)
    assert all(e.spun_score is not None and 0.0 < e.spun_score < 1.0 for e in made.correct(text).edits)
    assert restored(1.0, other, taught=True, complete=True) == []
    decided = [PairDecision("stated", "said", 0.9, 7, 2.0, 7, 0)]
    assert restored(1.0, decided, taught=True, complete=True) == ["said"] * 7
    assert restored(1.0, other, taught=True) == ["said"] * 7  # a feed's decisions
    assert restored(1.0, other) == ["said"] * 7  # the pair model's


@pytest.mark.usefixtures("installed")
def test_each_site_of_a_feed_is_decided_as_a_feed_of_its_own(tiny_model_dir: Path, tmp_path: Path) -> None:
    from test_teacher import taught_factory

    texts = _planted_feed() * 2
    fields = [{"site": "a.example"}] * 7 + [{"url": "https://www.b.example/story"}]
    path = tmp_path / "sites.jsonl"
    pairs = enumerate(zip(texts, fields, strict=True))
    rows = [json.dumps({"id": str(i), "text": t, **f}) for i, (t, f) in pairs]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert _correct(tiny_model_dir, str(path), "-o", str(out)) == 0  # --group-by site: the default
    spinner = read_spinner(Path(f"{out}.spinner.json"))
    assert spinner["meta"]["group_by"] == "site" and spinner["pairs"] == []
    groups = {g["group"]: g for g in spinner["groups"]}
    assert list(groups) == ["a.example", "b.example"]
    # Seven documents are a feed (pairs need two occurrences); one is a single article.
    sizes = [(g["meta"]["documents"], g["meta"]["min_occurrences"]) for g in groups.values()]
    assert sizes == [(7, 2), (1, 1)]
    assert all(g["meta"]["teacher"] == "word-scorer" for g in groups.values())
    # The library function under it, given the same groups, gives the same restorations and decisions.
    library = taught_factory(str(tiny_model_dir), neural="default").correct_feed(
        texts, groups=["a.example"] * 7 + ["b.example"]
    )
    assert [r.text for r in library.restorations] == _restored(out)
    assert [(key, [(d.spun, d.original) for d in decided]) for key, decided in library.group_decisions] == [
        (g["group"], [(p["spun"], p["original"]) for p in g["pairs"]]) for g in spinner["groups"]
    ]
    # --group-by none: the whole input is one feed, as without sites.
    pooled = tmp_path / "pooled.jsonl"
    assert _correct(tiny_model_dir, str(path), "-o", str(pooled), "--group-by", "none") == 0
    assert "groups" not in read_spinner(Path(f"{pooled}.spinner.json"))
    one_feed = taught_factory(str(tiny_model_dir), neural="default").correct_feed(texts)
    assert _restored(pooled) == [r.text for r in one_feed.restorations]


@pytest.mark.usefixtures("installed")
def test_text_files_are_articles_alone_unless_grouped_otherwise(tiny_model_dir: Path, tmp_path: Path) -> None:
    from test_teacher import taught_factory

    folder = tmp_path / "articles"
    folder.mkdir()
    texts = [" ".join(_planted_feed()), " ".join(reversed(_planted_feed())), _planted_feed()[1]]
    for i, text in enumerate(texts):
        (folder / f"{i}.txt").write_text(text + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert _correct(tiny_model_dir, str(folder), "-o", str(out)) == 0
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    spinner = read_spinner(Path(f"{out}.spinner.json"))
    # Nothing says that two files share a spinner: each is decided as a single article.
    assert [g["group"] for g in spinner["groups"]] == [f"document:{i}" for i in ids]
    assert all(g["meta"]["min_occurrences"] == 1 for g in spinner["groups"])
    corrector = taught_factory(str(tiny_model_dir), neural="default")
    assert _restored(out) == [corrector.correct_feed([t]).restorations[0].text for t in texts]
    # --group-by none: the files are one feed.
    pooled = tmp_path / "pooled.jsonl"
    assert _correct(tiny_model_dir, str(folder), "-o", str(pooled), "--group-by", "none") == 0
    assert "groups" not in read_spinner(Path(f"{pooled}.spinner.json"))
    assert _restored(pooled) == [r.text for r in corrector.correct_feed(texts).restorations]


@pytest.mark.usefixtures("installed")
def test_a_resumed_grouped_run_reuses_each_groups_decisions(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corrector.adapt import learn

    texts = _planted_feed() * 2
    path = tmp_path / "sites.jsonl"
    rows = [json.dumps({"id": str(i), "text": t, "site": f"s{i % 3}.example"}) for i, t in enumerate(texts)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert _correct(tiny_model_dir, str(path), "-o", str(out), "--chunk-size", "2") == 0
    finished = out.read_bytes()
    assert len(read_spinner(Path(f"{out}.spinner.json"))["groups"]) == 3
    lines = finished.splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:3]))  # as if pass 2 had been killed after three records
    monkeypatch.setattr(learn, "learn_decisions", lambda *_, **__: pytest.fail("pass 1 ran again"))
    assert _correct(tiny_model_dir, str(path), "-o", str(out), "--chunk-size", "2", "--resume") == 0
    assert out.read_bytes() == finished
