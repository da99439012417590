"""Unsupervised channel adaptation: forward–backward is exact, EM recovers a planted spinner pair."""

from __future__ import annotations

import argparse
import json
import math
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from corrector import adapt as adapt_module
from corrector.adapt import learn
from corrector.adapt.em import (
    AdaptConfig,
    BigramScorer,
    CleanFrequency,
    ParamIndex,
    adapt,
    compile_lattice,
    forward_backward,
)
from corrector.adapt.spinner_file import merge_pairs, read_pair_counts, spinner_document, write_spinner
from corrector.builders.model import build_model
from corrector.candidates.spinner import FORMAT, SpinnerChannel, load_keep, load_spinner
from corrector.lm.kenlm import KenlmModel
from corrector.text.lattice import Arc, Candidate, Lattice
from corrector.text.tokens import Sentence, match_case, split_sentences

# --- a toy bigram LM and a toy generator -------------------------------------------------------


class ToyBigramLM:
    """log10 P(word | previous) from a table; unseen pairs get a flat floor. States are words."""

    order = 2
    lowercase = False

    def __init__(self, table: dict[tuple[str, str], float], floor: float = -3.0) -> None:
        self.table = table
        self.floor = floor

    def begin_state(self) -> str:
        return "<s>"

    def null_state(self) -> str:
        return ""

    def score_word(self, state: str, word: str) -> tuple[float, str]:
        return self.table.get((state, word), self.floor), word

    def score_end(self, state: str) -> float:
        return self.table.get((state, "</s>"), self.floor)


class DictGenerator:
    """Single-token arcs from a reverse dictionary spun → [(original, generic log10)]."""

    def __init__(self, reverse: dict[str, list[tuple[str, float]]]) -> None:
        self.reverse = reverse

    def lattices(self, sentences: Sequence[Sentence]) -> list[Lattice]:
        out = []
        for sentence in sentences:
            arcs = []
            for i, word in enumerate(sentence.words):
                entries = self.reverse.get(word.lower())
                if entries:
                    candidates = tuple(
                        Candidate((match_case(word, o),), match_case(word, o), lp, ("test",))
                        for o, lp in entries
                    )
                    arcs.append(Arc(i, i + 1, candidates))
            out.append(Lattice(sentence, tuple(arcs)))
        return out


def _brute_force(lattice: Lattice, lm: ToyBigramLM, logprobs: dict[tuple[str, str] | str, float]) -> tuple:
    """Enumerate every path: P(sentence) and the posterior mass of each option, by parameter name."""
    words = lattice.sentence.words
    arcs_from = lattice.arcs_from()

    def paths(i: int) -> list[list[tuple[str, tuple[str, ...], tuple[str, str] | str]]]:
        if i == len(words):
            return [[]]
        out = []
        for rest in paths(i + 1):
            out.append([(words[i], (words[i],), words[i].lower()), *rest])
        for arc in arcs_from.get(i, []):
            for c in arc.candidates:
                for rest in paths(arc.end):
                    out.append([(words[i], c.words, (words[i].lower(), c.text.lower())), *rest])
        return out

    total = 0.0
    mass: Counter = Counter()
    for path in paths(0):
        previous, score = "<s>", 0.0
        for _, option_words, name in path:
            score += logprobs.get(name, 0.0)
            for w in option_words:
                score += lm.score_word(previous, w)[0]
                previous = w
        score += lm.score_end(previous)
        p = 10.0**score
        total += p
        for _, _, name in path:
            mass[name] += p
    return math.log10(total), {k: v / total for k, v in mass.items()}


def test_forward_backward_matches_path_enumeration() -> None:
    rng = random.Random(3)
    vocab = ["<s>", "Officials", "stated", "said", "reported", "prime", "top", "main", "talks", "."]
    table = {(a, b): math.log10(rng.uniform(0.01, 0.5)) for a in vocab for b in [*vocab[1:], "</s>"]}
    lm = ToyBigramLM(table)
    generator = DictGenerator(
        {"stated": [("said", -0.5), ("reported", -0.3)], "prime": [("top", -0.2), ("main", -1.0)]}
    )
    sentence = split_sentences("Officials stated prime talks .")[0]
    lattice = generator.lattices([sentence])[0]
    params = ParamIndex()
    compiled = compile_lattice(lattice, params, max_candidates=12)
    names = {pid: name for pid, name in enumerate(params.names)}
    logprobs_by_name = {name: math.log10(rng.uniform(0.05, 0.9)) for name in params.names}
    logprobs = [logprobs_by_name[names[pid]] for pid in range(len(params))]

    loglik, posteriors = forward_backward(compiled, BigramScorer(lm), logprobs)
    expected_loglik, expected_mass = _brute_force(lattice, lm, logprobs_by_name)

    assert loglik == pytest.approx(expected_loglik, abs=1e-9)
    got: Counter = Counter()
    for pid, mass in posteriors:
        got[names[pid]] += mass
    for name in params.names:  # punctuation has no parameter (kept with probability 1)
        mass = expected_mass[name]
        assert got[name] == pytest.approx(mass, abs=1e-9), name


# --- EM on a tiny synthetic spinner ------------------------------------------------------------

_SUBJECTS = ["The minister", "Officials", "The company", "Police", "The president", "A spokesman"]
_SAID_TAILS = ["that the talks would continue .", "that prices rose .", "on Friday that it was over ."]
_REPORTED_TAILS = ["a loss for the year .", "record sales .", "the incident to police ."]


def _clean_sentences(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.6:
            out.append(f"{rng.choice(_SUBJECTS)} said {rng.choice(_SAID_TAILS)}")
        else:
            out.append(f"{rng.choice(_SUBJECTS)} reported {rng.choice(_REPORTED_TAILS)}")
    return out


def _spin(sentence: str, rng: random.Random, rate: float = 0.9) -> str:
    """The planted spinner: said → stated at ``rate``; nothing else changes."""
    return " ".join("stated" if w == "said" and rng.random() < rate else w for w in sentence.split())


@pytest.fixture(scope="module")
def said_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[KenlmModel, Counter[str], int]:
    corpus = tmp_path_factory.mktemp("adapt-corpus") / "clean.txt"
    lines = _clean_sentences(600, seed=1)
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("adapt-model")
    build_model(str(corpus), out, order=3, discount_fallback=True, memory="50M", progress=False)
    counts = Counter(w.lower() for line in lines for w in line.split() if w.isalpha())
    return KenlmModel(out), counts, sum(counts.values())


# The generic channel prefers the distractor: "stated" ← "reported" scores above "stated" ← "said".
_REVERSE = {"stated": [("said", -1.2), ("reported", -0.3)]}


def _feed(n: int = 300, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [_spin(s, rng) for s in _clean_sentences(n, seed)]


def _pair(result: adapt_module.AdaptResult, spun: str, original: str) -> tuple[float, float, float]:
    """(θ, prior, expected count) of one edge."""
    pid = result.channel.params.edges[(spun, original)]
    return result.channel.theta[pid], result.channel.prior[pid], result.counts.get(pid, 0.0)


def test_em_recovers_planted_pair_and_demotes_distractor(said_model: tuple) -> None:
    lm, counts, total = said_model
    result = adapt(
        _feed(),
        DictGenerator(_REVERSE),
        lm,
        AdaptConfig(iterations=4),
        clean=CleanFrequency(counts, total),
    )
    said, _, said_count = _pair(result, "stated", "said")
    reported, reported_prior, _ = _pair(result, "stated", "reported")
    stated_tokens = sum(s.split().count("stated") for s in _feed())
    assert said > 0.75  # the spinner used 0.9
    assert reported < 0.05 and reported < reported_prior
    assert said_count > 0.9 * stated_tokens
    keep_said = result.channel.theta[result.channel.params.keeps["said"]]
    assert keep_said == pytest.approx(0.1, abs=0.08)
    assert [p["original"] for p in result.pairs()][:1] == ["said"]


def test_em_learns_from_the_lm_without_a_frequency_signal(said_model: tuple) -> None:
    """Clean frequencies equal to the feed's: the prior says nothing is spun, EM must find it."""
    lm, _, _ = said_model
    feed = _feed()
    feed_counts = Counter(w.lower() for s in feed for w in s.split() if w.isalpha())
    # Pretend "said" is as frequent in clean news as in the feed: no under-representation signal.
    result = adapt(
        feed,
        DictGenerator(_REVERSE),
        lm,
        AdaptConfig(iterations=6, prior_strength=1.0),
        clean=CleanFrequency(feed_counts, sum(feed_counts.values())),
    )
    said, said_prior, _ = _pair(result, "stated", "said")
    reported, _, _ = _pair(result, "stated", "reported")
    assert said_prior < 0.01
    assert said > 0.5 and said > 10 * reported
    logliks = [r.loglik for r in result.iterations]
    assert logliks[-1] > logliks[0]


def test_spinner_file_round_trips_and_rescores_lattices(said_model: tuple, tmp_path: Path) -> None:
    lm, counts, total = said_model
    result = adapt(
        _feed(100),
        DictGenerator(_REVERSE),
        lm,
        AdaptConfig(iterations=2),
        clean=CleanFrequency(counts, total),
    )
    path = tmp_path / "spinner.json"
    write_spinner(path, spinner_document(result, {"feed": "test"}))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT and len(data["iterations"]) == 2
    assert path.read_text(encoding="utf-8").count("\n") > len(data["pairs"])  # one pair per line
    table = load_spinner(path)
    assert table[("stated", "said")] == pytest.approx(
        math.log10(_pair(result, "stated", "said")[0]), abs=1e-5
    )
    keep = load_keep(path)
    assert keep["said"] < -0.5

    channel = SpinnerChannel.load(path)
    sentence = split_sentences("Officials stated that prices rose .")[0]
    lattice = DictGenerator(_REVERSE).lattices([sentence])[0]
    rescored = channel.rescore(lattice)
    best = rescored.arcs[0].candidates[0]
    assert best.text == "said" and best.logprob > lattice.arcs[0].candidates[0].logprob
    # A span the generator has no arc for, but the table knows, gets one.
    bare = Lattice(sentence, ())
    assert channel.rescore(bare).arcs[0].candidates[0].text == "said"
    # Spans the feed never showed keep the generic channel, shifted by generic_offset.
    unseen = DictGenerator({"prices": [("costs", -0.4)]}).lattices([sentence])[0]
    shifted = SpinnerChannel.load(path, generic_offset=-2.0).rescore(unseen)
    (prices,) = [arc for arc in shifted.arcs if arc.start == 3]
    assert prices.candidates[0].logprob == pytest.approx(-2.4)


def test_merge_adds_learned_pair_counts(tmp_path: Path) -> None:
    spinner = {
        "format": FORMAT,
        "pairs": [{"spun": "stated", "original": "said", "prob": 0.8, "count": 8.0}],
        "keep": {"said": {"keep": 0.2, "count": 2.0}},
    }
    learned = tmp_path / "pairs.tsv"
    learned.write_text("# learn-pairs\nstated\tsaid\t2\nprime\ttop\t5\n", encoding="utf-8")
    merged = merge_pairs(spinner, read_pair_counts(learned))
    by_pair = {(p["spun"], p["original"]): p for p in merged["pairs"]}
    assert by_pair[("stated", "said")]["count"] == 10.0
    assert by_pair[("stated", "said")]["prob"] == pytest.approx(10 / 12, abs=1e-6)
    assert by_pair[("prime", "top")]["prob"] == 1.0
    assert merged["keep"]["said"]["keep"] == pytest.approx(2 / 12, abs=1e-6)


def _feed_file(directory: Path, n: int) -> Path:
    """``_feed(n)`` as a JSONL feed with ids."""
    feed = directory / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(_feed(n))))
    return feed


def test_adapt_command_writes_spinner(
    said_model: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corrector.commands import adapt as command

    lm = said_model[0]
    feed = _feed_file(tmp_path, 80)
    clean = tmp_path / "clean.txt"
    clean.write_text("\n".join(_clean_sentences(600, seed=1)) + "\n", encoding="utf-8")
    monkeypatch.setattr(learn, "load_generator", lambda *_: DictGenerator(_REVERSE))
    out = tmp_path / "spinner.json"
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(
        [
            *("--feed", str(feed), "-o", str(out), "--iterations", "2", "--model", str(lm.path.parent)),
            *("--clean-corpus", str(clean), "--quiet"),
        ]
    )
    assert command.run(args) == 0
    pairs = json.loads(out.read_text(encoding="utf-8"))["pairs"]
    assert (pairs[0]["spun"], pairs[0]["original"]) == ("stated", "said")


def test_inner_score_chains_bigrams_within_a_span() -> None:
    lm = ToyBigramLM({("a", "b"): -0.5, ("b", "c"): -0.25})
    scorer = BigramScorer(lm)
    assert scorer.inner(("a", "b", "c")) == pytest.approx(-0.75)
    assert scorer.inner(("a",)) == 0.0


# --- engines: the same E-step on a process pool or on Dask --------------------------------------


def _adapt_with(said_model: tuple, **engine: Any) -> adapt_module.AdaptResult:
    lm, counts, total = said_model
    return adapt(
        _feed(120),
        DictGenerator(_REVERSE),
        lm,
        AdaptConfig(iterations=2, chunk_sentences=16, **engine),
        clean=CleanFrequency(counts, total),
        lm_path=str(lm.path.parent),
    )


def _same_result(a: adapt_module.AdaptResult, b: adapt_module.AdaptResult) -> None:
    """Bit-identical: chunk results are reduced in chunk order by every engine."""
    assert [r.loglik for r in a.iterations] == [r.loglik for r in b.iterations]
    assert a.counts == b.counts
    assert a.channel.theta == b.channel.theta
    assert a.pairs() == b.pairs()


def test_process_pool_engine_equals_plain_loop(said_model: tuple) -> None:
    _same_result(_adapt_with(said_model, workers=2), _adapt_with(said_model))


def test_dask_engine_equals_local_engine(said_model: tuple) -> None:
    pytest.importorskip("distributed")
    local = _adapt_with(said_model)
    dask = _adapt_with(said_model, engine="dask", workers=2)
    _same_result(dask, local)
    assert local.sentences == 120 and len(local.iterations) == 2


def test_engine_settings_are_checked_before_any_work(said_model: tuple) -> None:
    lm = said_model[0]
    for config, message in [
        (AdaptConfig(engine="spark"), "unknown engine"),
        (AdaptConfig(scheduler="tcp://127.0.0.1:8786"), "needs the dask engine"),
        (AdaptConfig(engine="dask"), "LM's path"),
    ]:
        with pytest.raises(ValueError, match=message):
            adapt(_feed(5), DictGenerator(_REVERSE), lm, config)


def test_adapt_command_refuses_scheduler_without_dask(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from corrector.commands import adapt as command

    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(
        ["--feed", str(tmp_path / "feed.jsonl"), "-o", str(tmp_path / "s.json"), "--scheduler", "tcp://x:1"]
    )
    assert args.engine == "local"
    assert command.run(args) == 2
    assert "--engine dask" in capsys.readouterr().err


def test_on_iteration_sees_each_iteration(said_model: tuple) -> None:
    lm, counts, total = said_model
    seen: list[tuple[int, float]] = []
    result = adapt(
        _feed(40),
        DictGenerator(_REVERSE),
        lm,
        AdaptConfig(iterations=3),
        clean=CleanFrequency(counts, total),
        on_iteration=lambda r: seen.append((len(r.iterations), r.pairs()[0]["prob"])),
    )
    assert [n for n, _ in seen] == [1, 2, 3]
    assert seen[-1][1] == result.pairs()[0]["prob"]


def test_deep_candidates_enter_only_for_missing_originals(said_model: tuple) -> None:
    """The planted original ranks third; with one regular candidate it is found only through the
    deep list, which admits it because "said" is missing from the feed ("noted" is not)."""
    lm, counts, total = said_model
    reverse = {"stated": [("reported", -0.3), ("noted", -0.5), ("said", -1.2)]}
    clean = CleanFrequency(counts, total)

    def run(deep: int) -> adapt_module.AdaptResult:
        config = AdaptConfig(iterations=3, max_candidates=1, deep_candidates=deep)
        return adapt(_feed(), DictGenerator(reverse), lm, config, clean=clean)

    shallow = run(1)
    assert ("stated", "said") not in shallow.channel.params.edges
    deep = run(3)
    said, _, _ = _pair(deep, "stated", "said")
    noted, noted_prior, noted_count = _pair(deep, "stated", "noted")
    assert said > 0.75
    assert noted == noted_prior == noted_count == 0.0
    assert [p["original"] for p in deep.pairs()][:1] == ["said"]


def test_feed_is_read_like_correct_inputs(tmp_path: Path) -> None:
    """`adapt --feed` takes what `correct` takes: gzipped JSONL, CSV, text lines, directories."""
    import gzip

    from corrector.batch.readers import read_documents

    def read_feed(inputs: list[str], **options: Any) -> list[str]:
        return [r.text for r in read_documents(inputs, strict=False, **options)]  # type: ignore[misc]

    (tmp_path / "feed").mkdir()
    with gzip.open(tmp_path / "feed" / "a.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": 1, "body": "Officials stated it."}) + "\n{not json}\n")
    (tmp_path / "feed" / "b.csv").write_text("id,body\n2,Ministers stated more.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("One line stated.\n\nAnother line.\n", encoding="utf-8")
    found = read_feed([str(tmp_path / "feed"), str(tmp_path / "c.txt")], text_field="body", lines=True)
    assert found == ["Officials stated it.", "Ministers stated more.", "One line stated.", "Another line."]
    assert read_feed([str(tmp_path / "c.txt")]) == ["One line stated.\n\nAnother line."]


class SpinnerEcho:
    """`correct` stand-in that records the spinner it was built with (in-process engine)."""

    seen: ClassVar[list[str | None]] = []

    @classmethod
    def load(cls, model_dir: str | None = None, spinner: str | None = None, **_: Any) -> SpinnerEcho:
        cls.seen.append(spinner)
        return cls()

    def correct(self, text: str) -> Any:
        from corrector.text.results import Restoration, Scores

        return Restoration(text, text, (), Scores(-1.0, -1.0, 1.0, 1.0), 0.0)


def test_correct_adapt_learns_the_inputs_spinner_then_restores_with_it(
    said_model: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corrector import cli

    lm = said_model[0]
    feed = _feed_file(tmp_path, 80)
    monkeypatch.setattr(learn, "load_generator", lambda *_: DictGenerator(_REVERSE))
    out = tmp_path / "out.jsonl"
    factory = "test_adapt:SpinnerEcho.load"
    argv = ["correct", "--corrector-factory", factory, "-q", "--model", str(lm.path.parent)]
    em = ["--adapt", "--adapt-method", "em"]
    assert cli.main([*argv, *em, "--adapt-sentences", "60", str(feed), "-o", str(out)]) == 0
    spinner = tmp_path / "out.jsonl.spinner.json"
    document = json.loads(spinner.read_text(encoding="utf-8"))
    assert (document["pairs"][0]["spun"], document["pairs"][0]["original"]) == ("stated", "said")
    assert SpinnerEcho.seen[-1] == str(spinner.resolve())
    assert len(out.read_text(encoding="utf-8").splitlines()) == 80
    # Resuming keeps the finished spinner rather than learning it again.
    monkeypatch.setattr(learn, "learn_spinner", lambda *_, **__: pytest.fail("the spinner was learned again"))
    assert cli.main([*argv, *em, "--resume", str(feed), "-o", str(out)]) == 0
    # Reading the inputs twice needs files; a learned spinner excludes a given one.
    assert cli.main([*argv, "--adapt", "-"]) == 1
    assert cli.main([*argv, "--adapt", "--spinner", str(spinner), str(feed)]) == 1
