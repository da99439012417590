"""The channel model: features and scores behave as documented."""

from __future__ import annotations

import json
import math

import pytest

from corrector.candidates.channel import (
    FEATURES,
    WEIGHTS_FILE,
    ChannelModel,
    Evidence,
    document_features,
    static_features,
)


def test_committed_weights_load_and_name_known_features() -> None:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(data["weights"]) <= set(FEATURES)
    ChannelModel.load()


def test_unknown_feature_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown channel features"):
        ChannelModel({"bogus": 1.0})


@pytest.mark.parametrize("z", [-50.0, -2.0, 0.0, 3.0, 50.0])
def test_log10_prob_is_stable_and_non_positive(z: float) -> None:
    value = ChannelModel.to_log10_prob(z)
    assert value <= 0 and value == pytest.approx(-math.log10(1 + math.exp(-z)), abs=1e-9)


def test_common_original_of_rare_spun_word_scores_higher_than_the_reverse() -> None:
    model = ChannelModel.load()
    forward = Evidence("stated", "said", ranks={"moby": (3, 50)}, fanout=40)
    backward = Evidence("said", "stated", ranks={"moby": (3, 50)}, fanout=40)
    assert static_features(forward)["zipf_gain"] > 0 > static_features(backward)["zipf_gain"]
    assert model.logprob(static_features(forward)) > model.logprob(static_features(backward))


def test_agreeing_thesauri_raise_the_score() -> None:
    model = ChannelModel.load()
    one = Evidence("assembly", "meeting", ranks={"moby": (10, 100)}, fanout=100)
    three = Evidence(
        "assembly", "meeting", ranks={"moby": (10, 100), "wordnet": (1, 5), "mythes": (2, 9)}, fanout=100
    )
    assert model.logprob(static_features(three)) > model.logprob(static_features(one))
    assert three.sources == ("moby", "wordnet", "mythes")


def test_document_features_only_fire_on_evidence() -> None:
    ev = Evidence("stated", "said")
    assert document_features(ev, 1, 0) == {}
    assert set(document_features(ev, 4, 2)) == {"doc_spun_repeat", "doc_original_present"}


def test_a_function_word_original_only_a_thesaurus_proposes_scores_lower() -> None:
    model = ChannelModel.load()
    noise = Evidence("standoff", "same", ranks={"moby": (40, 190)}, fanout=3)
    content = Evidence("standoff", "deadlock", ranks={"moby": (40, 190)}, fanout=3, zipf_original=3.5)
    noise_as_content = Evidence("standoff", "same", ranks={"moby": (40, 190)}, fanout=3, zipf_original=3.5)
    assert static_features(noise)["function_original"] == 1.0
    assert "function_original" not in static_features(content)
    assert model.static_score(noise) == model.linear(static_features(noise))
    assert model.static_score(noise_as_content) < model.static_score(content)
    # Curated function-word swaps (within → in) keep their strong prior.
    curated = Evidence("within", "in", rules=True)
    assert "function_original" not in static_features(curated)
    assert "function_original" in static_features(Evidence("within", "in", ranks={"moby": (1, 9)}))


def test_a_position_in_mobys_alphabetical_list_says_nothing_of_rank() -> None:
    """Moby lists a headword's synonyms alphabetically: where a pair only Moby lists, the rank
    features read the middle of its list whatever the letter; where a sense-ordered thesaurus
    lists it too, they read that thesaurus's position."""
    model = ChannelModel.load()
    early = Evidence("prime", "top", ranks={"moby": (40, 355)}, fanout=30, zipf_original=5.5)
    late = Evidence("prime", "top", ranks={"moby": (240, 355)}, fanout=30, zipf_original=5.5)
    assert static_features(early)["log_rank"] == static_features(late)["log_rank"] == math.log1p(177)
    assert static_features(early)["rel_rank"] == static_features(late)["rel_rank"] == 177 / 355
    assert model.static_score(early) == model.static_score(late) == model.linear(static_features(late))
    both = {"moby": (240, 355), "wordnet": (2, 6)}
    sensed = Evidence("prime", "top", ranks=both, fanout=30, zipf_original=5.5)
    assert static_features(sensed)["log_rank"] == math.log1p(2)
    assert static_features(sensed)["rel_rank"] == 2 / 6
    assert model.static_score(sensed) == model.linear(static_features(sensed))
