"""Real spinner substitutions: the hand-reconstructed originals of real spun articles."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from corrector.research import spin_pairs

SPUN = "The panel stated it will maintain speaking. Officials anticipate a ruling subsequent week."
EDITS = [[10, 16, "said"], [25, 42, "keep talking"], [54, 64, "expect"], [74, 84, "next"]]


def _write(tmp_path: Path, text: str, edits: list[list[object]], sha_of: str) -> tuple[Path, Path]:
    real = tmp_path / "real.jsonl"
    row = {"id": "a1", "site": "example.com", "style": "synonym-spinner", "text": text}
    real.write_text(json.dumps(row) + "\n")
    annotated = tmp_path / "edits.json"
    sha = hashlib.sha256(sha_of.encode()).hexdigest()
    annotated.write_text(json.dumps([{"id": "a1", "spun_sha256": sha, "edits": edits}]))
    return real, annotated


def test_a_reconstruction_applies_its_edits_to_the_text_it_was_made_on(tmp_path: Path) -> None:
    real, annotated = _write(tmp_path, SPUN, EDITS, SPUN)
    [(article, spun, original)] = spin_pairs.reconstructed_articles(real, annotated)
    assert (article, spun) == ("a1", SPUN)
    assert original == "The panel said it will keep talking. Officials expect a ruling next week."
    pairs = spin_pairs.sentence_pairs([(article, spun, original)])
    assert pairs == [
        ("The panel stated it will maintain speaking.", "The panel said it will keep talking."),
        ("Officials anticipate a ruling subsequent week.", "Officials expect a ruling next week."),
    ]
    keys = {(s, o) for _, _, s, o in spin_pairs.substitutions(*pairs[1], 3)}
    assert keys == {("anticipate", "expect"), ("subsequent", "next")}


def test_a_reconstruction_refuses_a_text_it_was_not_made_on(tmp_path: Path) -> None:
    changed = SPUN.replace("panel", "board")
    real, annotated = _write(tmp_path, changed, EDITS, SPUN)
    with pytest.raises(ValueError, match="a1"):
        spin_pairs.reconstructed_articles(real, annotated)
    assert spin_pairs.reconstructed_articles(tmp_path / "missing.jsonl", annotated) == []


@pytest.mark.skipif(not spin_pairs.REAL_FILE.exists(), reason="needs ../shared/data")
def test_the_shipped_reconstructions_fit_the_shared_real_articles() -> None:
    articles = spin_pairs.reconstructed_articles()
    assert len(articles) == 4
    assert all(spun != original for _, spun, original in articles)
    subs = spin_pairs.load(["reconstructed"])["reconstructed"]
    assert len(subs) > 100
    found = {(s.spun, s.original) for s in subs}
    assert {("courtroom", "court"), ("mentioned", "said"), ("stated", "said")} <= found
