"""The KenLM wrapper and model builder on a tiny generated corpus."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import kenlm
import pytest

from corrector.builders.model import build_model
from corrector.lm.kenlm import KenlmModel
from corrector.text.tokens import normalize_line

SENTENCES = [
    "Top US diplomats said in the capital on Friday .",
    "The minister agreed to keep talking even though the meeting produced no movement .",
    "Officials met about the crisis in the region .",
    "Police told reporters something entirely unseen zebra .",
]


def test_binary_and_arpa_scores_agree(tiny_model_dir: Path) -> None:
    binary = KenlmModel(tiny_model_dir)
    arpa = KenlmModel(tiny_model_dir / "model.arpa")
    for sentence in SENTENCES:
        words = sentence.split()
        expected = arpa.score_sentence(words).logprob
        assert binary.score_sentence(words).logprob == pytest.approx(expected, abs=1e-4)


def test_state_by_state_scoring_equals_whole_sentence(tiny_model_dir: Path) -> None:
    model = KenlmModel(tiny_model_dir)
    for sentence in SENTENCES:
        words = sentence.split()
        state, total = model.begin_state(), 0.0
        for word in words:
            logprob, state = model.score_word(state, word)
            total += logprob
        total += model.score_end(state)
        assert total == pytest.approx(model.score_sentence(words).logprob, abs=1e-5)
        assert sum(model.word_scores(words)) == pytest.approx(total, abs=1e-5)


def test_scores_equal_kenlm_own_score(tiny_model_dir: Path) -> None:
    raw = kenlm.Model(str(tiny_model_dir / "model.bin"))
    model = KenlmModel(tiny_model_dir)
    for sentence in SENTENCES:
        assert model.score_sentence(sentence.split()).logprob == pytest.approx(raw.score(sentence), abs=1e-6)


def test_vocabulary_and_oov(tiny_model_dir: Path) -> None:
    model = KenlmModel(tiny_model_dir)
    assert "diplomats" in model
    assert "zebra" not in model
    assert model.score_sentence(SENTENCES[3].split()).oov == 4


def test_lowercase_model_hides_casing(tiny_corpus: Path, tmp_path: Path) -> None:
    build_model(
        str(tiny_corpus),
        tmp_path,
        order=3,
        lowercase=True,
        discount_fallback=True,
        memory="50M",
        progress=False,
    )
    model = KenlmModel(tmp_path)
    assert model.lowercase
    assert model.score_sentence("TOP us Diplomats said".split()).logprob == pytest.approx(
        model.score_sentence("top us diplomats said".split()).logprob
    )


def test_manifest_matches_corpus(tiny_model_dir: Path, tiny_corpus: Path) -> None:
    manifest = json.loads((tiny_model_dir / "manifest.json").read_text())
    lines = [normalize_line(line) for line in tiny_corpus.read_text().splitlines() if line.strip()]
    assert manifest["order"] == 3
    assert manifest["sentences"] == len(lines)
    assert manifest["tokens"] == sum(len(line.split()) for line in lines)
    data = "".join(line + "\n" for line in lines).encode()
    assert manifest["corpus_sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["sha256"] == hashlib.sha256((tiny_model_dir / "model.bin").read_bytes()).hexdigest()
    assert manifest["ngram_counts"]["1"] > 10


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corrector.cli", *args], capture_output=True, text=True)


def test_empty_corpus_is_a_clear_error(tmp_path: Path) -> None:
    corpus = tmp_path / "empty.txt"
    corpus.write_text("\n  \n")
    with pytest.raises(ValueError, match="empty"):
        build_model(str(corpus), tmp_path / "m", order=3, discount_fallback=True, progress=False)
    result = _cli("build-model", "--corpus", str(corpus), "--out", str(tmp_path / "m"), "--quiet")
    assert result.returncode == 1
    assert "empty" in result.stderr


@pytest.mark.parametrize("content", [None, b"\xff\xfe not utf-8 \xc3\x28\n"])
def test_unreadable_corpus_is_a_clear_error(tmp_path: Path, content: bytes | None) -> None:
    corpus = tmp_path / "corpus.txt"
    if content is not None:
        corpus.write_bytes(content)
    result = _cli("build-model", "--corpus", str(corpus), "--out", str(tmp_path / "m"), "--quiet")
    assert result.returncode == 1
    assert str(corpus) in result.stderr
    assert not (tmp_path / "m" / "model.bin").exists()


def test_info_prints_manifest_json(tiny_model_dir: Path) -> None:
    result = _cli("info", "--model", str(tiny_model_dir), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert {"order", "tokens", "sha256"} <= set(info)


def test_info_without_model_fails(tmp_path: Path) -> None:
    result = _cli("info", "--model", str(tmp_path))
    assert result.returncode == 1
    assert "no model" in result.stderr


def test_build_model_defaults_to_the_default_models_order() -> None:
    """`corrector build-model`, build_model() and `make model` agree on the order (issue 19: the
    CLI said 5 while the Makefile built the default 3-gram)."""
    import inspect
    import re

    from corrector import cli, defaults

    assert defaults.DEFAULT_ORDER == 3  # the default model's (models/README.md)
    assert inspect.signature(build_model).parameters["order"].default == defaults.DEFAULT_ORDER
    assert cli.parse_args(["build-model", "--corpus", "-"]).order == defaults.DEFAULT_ORDER
    project = Path(__file__).resolve().parents[1]
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    # The Makefile greps the number out of defaults.py: that grep must find it.
    assert "grep -m1 -oP '^DEFAULT_ORDER = \\K[0-9]+' corrector/defaults.py" in makefile
    source = (project / "corrector" / "defaults.py").read_text(encoding="utf-8")
    found = re.search(r"^DEFAULT_ORDER = ([0-9]+)", source, re.MULTILINE)
    assert found is not None and int(found.group(1)) == defaults.DEFAULT_ORDER


def test_without_the_compiled_fast_match_it_says_so_once_and_scores_the_same(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import corrector.lm.kenlm as kenlm_module

    reference = KenlmModel(tiny_model_dir, compiled=False)
    monkeypatch.setitem(sys.modules, "corrector.lm._fastmatch", None)  # its import now fails
    monkeypatch.setattr(kenlm_module, "_NOTICE_SHOWN", False)
    models = [KenlmModel(tiny_model_dir), KenlmModel(tiny_model_dir)]
    notice = capsys.readouterr().err.strip().splitlines()
    assert len(notice) == 1 and "compiled fast match not built" in notice[0]
    expected_logprob, expected_state = reference.score_word(reference.begin_state(), "said")
    for model in models:
        assert model.fast_match is None
        logprob, state = model.score_word(model.begin_state(), "said")
        assert logprob == expected_logprob
        assert model.score_end(state) == reference.score_end(expected_state)
