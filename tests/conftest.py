"""Shared fixtures: a tiny KenLM model built from a generated corpus (tests never need the default model)."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from corrector.api import Corrector
from corrector.builders.model import build_model

# CLI runs in tests are the n-gram decoder (`--fast`) unless a test turns the default path on
# (tests/test_default_path.py): otherwise every run would load the 540 MB neural model.
os.environ["CORRECTOR_FAST"] = "1"
# No neural weight cache in ~/.cache from test models (test_neural checks the cache in a tmp dir).
os.environ["CORRECTOR_NEURAL_CACHE"] = "off"

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# A small generated news-like corpus: templates × fillers, so the LM has real contexts for
# "said", "top", "keep talking", "in the", "even though" etc.
_SUBJECTS = ["The minister", "Top US diplomats", "The company", "Officials", "The president", "Police"]
_VERBS = ["said", "told reporters", "agreed to keep talking", "expect talks", "met"]
_TAILS = [
    "in the capital on Friday .",
    "even though the meeting produced no movement .",
    "about the crisis in the region .",
    "after the meeting in Geneva .",
    "that the talks would continue next week .",
]


def generated_corpus(n: int = 400, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_TAILS)}" for _ in range(n)]


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_text("\n".join(generated_corpus()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, tiny_corpus: Path) -> Path:
    """A cased 3-gram model directory (model.bin, model.arpa, manifest.json)."""
    out = tmp_path_factory.mktemp("model")
    build_model(
        str(tiny_corpus), out, order=3, discount_fallback=True, memory="50M", keep_arpa=True, progress=False
    )
    return out


@pytest.fixture(scope="session")
def small_corrector(tiny_model_dir: Path) -> Callable[[Iterable[str]], Corrector]:
    """Makes Correctors over the tiny model whose candidates come from the real thesauri
    restricted to some headwords (fast to build), at change penalty 1.0."""
    from corrector.builders import thesaurus
    from corrector.candidates.channel import ChannelModel
    from corrector.candidates.generator import CandidateGenerator
    from corrector.config import CorrectorConfig
    from corrector.lm.kenlm import KenlmModel

    def make(headwords: Iterable[str]) -> Corrector:
        wanted = set(headwords)
        forward = {
            source: {h: s for h, s in thesaurus.forward_synonyms(source).items() if h in wanted}
            for source in thesaurus.SOURCES
        }
        generator = CandidateGenerator(thesaurus.table_from_forward(forward), ChannelModel.load())
        config = CorrectorConfig(model_dir=str(tiny_model_dir), change_penalty=1.0)
        return Corrector(config, KenlmModel(tiny_model_dir), generator)

    return make
