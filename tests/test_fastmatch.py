"""The compiled fast match (``corrector/lm/_fastmatch.pyx``) against the pure-Python reference:
the same floats, states and decodings. Skipped when the extension is not built (the fallback's
notice is tested in tests/test_lm.py)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from corrector.api import Corrector
from corrector.defaults import default_model_dir
from corrector.lm.kenlm import MODEL_FILE, KenlmModel
from corrector.restore.decoder import DecoderWeights, SentenceMemo, decode, ranked_candidates

try:
    import corrector.lm._fastmatch  # noqa: F401
except ImportError:
    pytestmark = pytest.mark.skip(reason="compiled fast match not built (scripts/setup.sh)")

WEIGHTS = DecoderWeights(channel_weight=1.0, change_penalty=1.0, beam=8)
# In-vocabulary words of the tiny model, OOV words and KenLM's markers.
WORDS = (
    "The minister said told reporters in the capital on Friday . talks Geneva zyxw qqq </s> <s> , U.S."
).split()


@pytest.fixture(scope="module")
def models(tiny_model_dir: Path) -> tuple[KenlmModel, KenlmModel]:
    """(compiled, pure) over the same model file."""
    compiled = KenlmModel(tiny_model_dir)
    assert compiled.fast_match is not None
    return compiled, KenlmModel(tiny_model_dir, compiled=False)


def test_windows_equal_kenlm_score_of_each_window_string(models: tuple[KenlmModel, KenlmModel]) -> None:
    compiled, pure = models
    fast = compiled.fast_match
    rng = random.Random(7)
    for _ in range(3000):
        left, span, right = (" ".join(rng.choices(WORDS, k=rng.randint(0, 3))) for _ in range(3))
        forms = [" ".join(rng.choices(WORDS, k=rng.randint(0, 3))) for _ in range(rng.randint(0, 6))]
        bos, eos = rng.random() < 0.5, rng.random() < 0.5
        span_score, scores = fast.windows(
            fast.encode(left), bos, fast.encode(span), fast.encode_all(forms), fast.encode(right), eos
        )
        # Bit-identical floats, not approximately equal ones.
        assert span_score == pure.score_text(f"{left} {span} {right}", bos, eos)
        assert scores == [pure.score_text(f"{left} {form} {right}", bos, eos) for form in forms]


def test_logprob_equals_kenlm_score_of_the_joined_text(models: tuple[KenlmModel, KenlmModel]) -> None:
    compiled, pure = models
    rng = random.Random(11)
    for _ in range(2000):
        words = rng.choices([*WORDS, "two words", "", "\u201cquoted\u201d", "--"], k=rng.randint(0, 7))
        bos, eos = rng.random() < 0.5, rng.random() < 0.5
        assert compiled.logprob(words, bos, eos) == pure.logprob(words, bos, eos)
    # A NUL byte (which this model's token preparation removes) is left to KenLM's own score.
    unprepared = type(compiled.fast_match)(str(compiled.path))
    assert unprepared.logprob(["said\x00"], True, True) is None
    assert unprepared.logprob(["said"], True, True) == pure.logprob(["said"])


def test_a_nul_byte_leaves_the_text_to_the_python_path(models: tuple[KenlmModel, KenlmModel]) -> None:
    fast = models[0].fast_match
    assert fast.encode("said\x00 it") is None
    assert fast.encode_all(["said", "a\x00b"]) is None


def test_states_score_and_compare_as_kenlm_states(models: tuple[KenlmModel, KenlmModel]) -> None:
    compiled, pure = models
    rng = random.Random(3)
    for _ in range(300):
        words = rng.choices(WORDS, k=rng.randint(0, 8))
        totals = []
        for lm in (compiled, pure):
            state, total, states = lm.begin_state(), 0.0, []
            for word in words:
                logprob, state = lm.score_word(state, word)
                total += logprob
                states.append(state)
            totals.append((total + lm.score_end(state), states))
        (compiled_total, compiled_states), (pure_total, pure_states) = totals
        assert compiled_total == pure_total
        # Equal exactly where kenlm.State objects are equal (the decoder recombines on this).
        for i in range(len(words)):
            for j in range(len(words)):
                same = compiled_states[i] == compiled_states[j]
                assert same == (pure_states[i] == pure_states[j])
                assert not same or hash(compiled_states[i]) == hash(compiled_states[j])
    assert compiled.null_state() != compiled.begin_state()


def _decodings(corrector: Corrector, texts: Iterable[str], weights: DecoderWeights) -> list[tuple]:
    out = []
    for text in texts:
        for lattice in corrector.lattices(text):
            memo = SentenceMemo()
            first = decode(lattice, corrector.lm, weights, nbest=2, memo=memo)
            again = decode(lattice, corrector.lm, DecoderWeights(1.0, 0.3, 3), memo=memo)
            ranked = ranked_candidates(lattice, corrector.lm, 1.0, 3, -5.0, memo)
            arcs = {key: (entry[1], entry[2]) for key, entry in memo.arcs.items()}
            out.append((first, again, [(a.start, a.end, c.words, g) for a, c, g in ranked], arcs))
    return out


def test_decodings_on_real_lattices_equal_the_python_path(
    small_corrector: Callable[[Iterable[str]], Corrector], tiny_model_dir: Path
) -> None:
    compiled = small_corrector(["said", "talk", "meeting", "capital", "crisis", "expect", "continue"])
    assert compiled.lm.fast_match is not None
    pure = Corrector(compiled.config, KenlmModel(tiny_model_dir, compiled=False), compiled.generator)
    texts = [
        "The minister stated in the capital on Friday .",
        "Top US diplomats concurred to maintain conversing even though the session yielded no motion .",
        "Officials anticipate discussions about the emergency in the area .",
        "The president said that the negotiations would proceed next week .",
    ]
    for weights in (WEIGHTS, DecoderWeights(0.7, 0.2, 4, prefilter_margin=4.0)):
        assert _decodings(compiled, texts, weights) == _decodings(pure, texts, weights)


@pytest.mark.skipif(
    not (default_model_dir() / MODEL_FILE).exists(), reason="default model not built (make model)"
)
def test_restorations_with_the_default_model_equal_the_python_path() -> None:
    from corrector.builders.corpus import lee_heldout
    from corrector.research.spinner import Spinner

    compiled = Corrector.load()
    assert compiled.lm.fast_match is not None
    pure = Corrector(compiled.config, KenlmModel(default_model_dir(), compiled=False), compiled.generator)
    spinner = Spinner(seed=5)
    documents = [spinner.spin(doc).spun for doc in list(lee_heldout())[:6]]
    for text in documents:
        assert compiled.correct(text).to_dict() == pure.correct(text).to_dict()
    assert _decodings(compiled, documents[:2], WEIGHTS) == _decodings(pure, documents[:2], WEIGHTS)
