"""LM scoring tools: numbers equal KenLM's own, tables/CSV/JSON and plots come out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import kenlm
import pytest

from corrector.research.scoring import corpus_rows, load_models, render, score_texts
from corrector.text.tokens import lm_words, split_sentences

TEXT = "The minister said in the capital on Friday . Top US diplomats met after the meeting in Geneva ."
DOC = "Officials said the talks would continue next week. Police met the president in Geneva."


def test_sentence_scores_equal_kenlm_model_score(tiny_model_dir: Path) -> None:
    arpa = kenlm.Model(str(tiny_model_dir / "model.arpa"))
    models = load_models([tiny_model_dir, tiny_model_dir / "model.arpa"])
    assert [m.name for m in models] == [tiny_model_dir.name, "model"]
    rows = score_texts(models, [("d", DOC)])
    sentences = split_sentences(DOC)
    assert len(rows) == len(sentences) == 2
    for row, sentence in zip(rows, sentences, strict=True):
        words = lm_words(sentence.words, lowercase=models[0].model.lowercase)
        expected = arpa.score(" ".join(words), bos=True, eos=True)
        assert row.logprob[0] == pytest.approx(expected, abs=1e-4)  # binary vs ARPA: quantisation-free
        assert row.logprob[1] == pytest.approx(expected, abs=1e-6)
        assert row.oov[0] == sum(w not in arpa for w in words)
        assert row.perplexity(1) == pytest.approx(10 ** (-expected / (len(words) + 1)))


def test_corpus_totals_add_sentences_and_count_oovs(tiny_model_dir: Path) -> None:
    models = load_models([tiny_model_dir])
    rows = score_texts(models, [("a", DOC), ("b", "Zyxwv qwerty said .")])
    (total,) = corpus_rows(models, rows)
    assert total.sentences == 3 and total.oov >= 2
    assert total.logprob == pytest.approx(sum(r.logprob[0] for r in rows))
    assert total.perplexity == pytest.approx(10 ** (-total.logprob / (total.tokens + 3)))


def test_render_formats() -> None:
    records = [{"model": "a", "logprob": -1.5, "oov": 2}, {"model": "bb", "logprob": -10.25, "oov": 0}]
    table = render(records, "table").splitlines()
    assert table[0].split() == ["model", "logprob", "oov"] and table[2].split() == ["bb", "-10.25", "0"]
    assert render(records, "csv").splitlines()[1] == "a,-1.5,2"
    assert [json.loads(x) for x in render(records, "json").splitlines()] == records


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corrector.cli", *args], capture_output=True, text=True,
                          check=True)


def test_score_cli_json_and_plot(tiny_model_dir: Path, tmp_path: Path) -> None:
    text = tmp_path / "doc.txt"
    text.write_text(DOC + "\n" + TEXT + "\n", encoding="utf-8")
    png = tmp_path / "ppl.png"
    out = json.loads(_cli("score", str(text), "--lines", "--model", str(tiny_model_dir), "--format", "json",
                          "--plot", str(png)).stdout)
    # ids as every command reads them (corrector.batch.readers): FILE:LINE with --lines
    assert [s["doc"] for s in out["sentences"]] == [f"{text}:1", f"{text}:1", f"{text}:2", f"{text}:2"]
    assert out["corpus"][0]["sentences"] == 4 and "order:3" in out["signature"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_cli_pairs_prefers_in_domain_text(tiny_model_dir: Path, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    rows = [{"id": "1", "spun": "The minister stated within the capital on Friday .",
             "original": "The minister said in the capital on Friday ."},
            {"id": "2", "spun": "Prime US diplomats met after the assembly in Geneva .",
             "original": "Top US diplomats met after the meeting in Geneva ."}]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = _cli("compare", "--pairs", str(pairs), "--model", str(tiny_model_dir), "--format", "csv").stdout
    lines = out.splitlines()
    assert lines[0] == "text,model,sentences,tokens,oov,logprob,perplexity,beats_spun"
    spun, original = lines[1].split(","), lines[2].split(",")
    assert float(original[6]) < float(spun[6]) and float(original[7]) == 1.0
