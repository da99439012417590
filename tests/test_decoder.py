"""The beam search on hand-built lattices and the tiny generated-corpus model."""

from __future__ import annotations

from pathlib import Path

import pytest

from corrector.lm.kenlm import KenlmModel
from corrector.restore.decoder import DecoderWeights, SentenceMemo, decode
from corrector.text.lattice import Arc, Candidate, Lattice
from corrector.text.tokens import split_sentences

WEIGHTS = DecoderWeights(channel_weight=1.0, change_penalty=1.0, beam=8)


def lattice(text: str, table: dict[str, list[str]]) -> Lattice:
    """A lattice with single- and multi-word arcs from a spun→originals table (equal channel scores)."""
    (sentence,) = split_sentences(text)
    words = sentence.words
    arcs = []
    for start in range(len(words)):
        for end in range(start + 1, min(start + 4, len(words)) + 1):
            originals = table.get(" ".join(words[start:end]))
            if originals:
                candidates = tuple(Candidate(tuple(o.split()), o, -0.5, ("test",)) for o in originals)
                arcs.append(Arc(start, end, candidates))
    return Lattice(sentence, tuple(arcs))


@pytest.fixture(scope="module")
def model(tiny_model_dir: Path) -> KenlmModel:
    return KenlmModel(tiny_model_dir)


def test_restores_single_word_swaps(model: KenlmModel) -> None:
    table = {"Prime": ["Top", "Former"], "stated": ["said", "declared"], "within": ["in", "inside"]}
    result = decode(
        lattice("Prime US diplomats stated within the capital on Friday .", table), model, WEIGHTS
    )
    assert " ".join(result.words) == "Top US diplomats said in the capital on Friday ."
    assert len(result.choices) == 3
    assert all(gain > 0 for gain in result.gains)
    assert result.restored_logprob > result.source_logprob


def test_restores_multi_word_spans(model: KenlmModel) -> None:
    table = {"maintain speaking": ["keep talking"], "despite the fact that": ["even though"]}
    text = "The minister agreed to maintain speaking despite the fact that the meeting produced no movement ."
    result = decode(lattice(text, table), model, WEIGHTS)
    assert " ".join(result.words) == (
        "The minister agreed to keep talking even though the meeting produced no movement ."
    )


def test_large_penalty_keeps_the_text(model: KenlmModel) -> None:
    table = {"stated": ["said"]}
    text = "Officials stated about the crisis in the region ."
    result = decode(lattice(text, table), model, DecoderWeights(1.0, 50.0, 8))
    assert result.choices == ()
    assert result.restored_logprob == pytest.approx(result.source_logprob)


def test_no_arcs_returns_the_sentence(model: KenlmModel) -> None:
    text = "Police met after the meeting in Geneva ."
    result = decode(lattice(text, {}), model, WEIGHTS)
    assert " ".join(result.words) == text
    assert result.gains == ()


def test_edit_gain_is_objective_difference(model: KenlmModel) -> None:
    table = {"stated": ["said"]}
    text = "Officials stated about the crisis in the region ."
    result = decode(lattice(text, table), model, WEIGHTS)
    kept = model.score_sentence(text.split()).logprob
    restored = model.score_sentence("Officials said about the crisis in the region .".split()).logprob
    assert result.gains[0] == pytest.approx(restored - 0.5 - 1.0 - kept, abs=1e-4)


def test_beam_one_equals_greedy_and_wider_beam_is_never_worse(model: KenlmModel) -> None:
    table = {"Prime": ["Top", "Former"], "stated": ["said", "declared"], "within": ["in", "inside"]}
    lat = lattice("Prime US diplomats stated within the capital on Friday .", table)
    narrow = decode(lat, model, DecoderWeights(1.0, 1.0, 1))
    wide = decode(lat, model, DecoderWeights(1.0, 1.0, 16))

    def objective(r):
        return r.restored_logprob + sum(-0.5 - 1.0 for _ in r.choices)

    assert objective(wide) >= objective(narrow) - 1e-9


def test_nbest_returns_distinct_alternatives(model: KenlmModel) -> None:
    table = {"Prime": ["Top", "Former"], "stated": ["said", "declared"]}
    result = decode(lattice("Prime US diplomats stated in the capital .", table), model, WEIGHTS, nbest=3)
    assert 1 <= len(result.alternatives) <= 3
    assert tuple(result.words) not in result.alternatives
    assert len(set(result.alternatives)) == len(result.alternatives)


def test_memo_is_shared_across_passes_without_changing_the_result(model: KenlmModel) -> None:
    table = {"Prime": ["Top", "Former"], "stated": ["said", "declared"], "within": ["in", "inside"]}
    lat = lattice("Prime US diplomats stated within the capital on Friday .", table)
    memo = SentenceMemo()
    first = decode(lat, model, WEIGHTS, memo=memo)
    # One fast-match window per arc for keeping the span, one per candidate.
    assert len(memo.arcs) == len(lat.arcs)
    assert [len(scores) for _, _, scores in memo.arcs.values()] == [len(arc.candidates) for arc in lat.arcs]
    assert memo.transitions
    windows, transitions = dict(memo.arcs), dict(memo.transitions)
    dearer = DecoderWeights(channel_weight=1.0, change_penalty=2.0, beam=8)
    assert decode(lat, model, dearer, memo=memo) == decode(lat, model, dearer)
    # The second pass scored no new window (same arcs and candidates) and kept the transitions.
    assert memo.arcs == windows
    assert memo.transitions.keys() >= transitions.keys()
    assert first == decode(lat, model, WEIGHTS)
