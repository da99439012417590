"""Restoration metrics (DESIGN §5) and the evaluate command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corrector.research.metrics import (
    PairStats,
    bootstrap_ci,
    corpus_score,
    normalize,
    pair_stats,
    paired_bootstrap,
    signature,
    tokens,
)

DEV_PAIRS = Path(__file__).resolve().parents[2] / "shared" / "data" / "dev_pairs.jsonl"

SPUN = "Prime US diplomats stated, despite the fact that the assembly produced no motion."
ORIGINAL = "Top U.S. diplomats said, even though the meeting produced no movement."


def _pairs() -> list[dict[str, str]]:
    if DEV_PAIRS.exists():
        return [json.loads(line) for line in DEV_PAIRS.read_text(encoding="utf-8").splitlines()]
    # Without the shared dev data (a clone elsewhere), two built-in pairs: a bootstrap needs more
    # than one pair to have a spread.
    return [
        {"id": "p1", "spun": SPUN, "original": ORIGINAL},
        {"id": "p2", "spun": "Officials advised the committee to maintain speaking.",
         "original": "Officials told the committee to keep talking."},
    ]


@pytest.mark.parametrize(
    ("token", "norm"),
    [("U.S.", "us"), ("\u201c", '"'), ("``", '"'), ("\u2014", "--"), ("-", "--"), ("\u2026", "..."),
     ("Top", "top"), ("n\u2019t", "n't"), ("3,450", "3,450"), ("a.", "a.")],
)
def test_normalises_quotes_dashes_ellipsis_and_acronyms(token: str, norm: str) -> None:
    assert normalize(token) == norm


def test_tokens_split_final_punctuation_and_ignore_case() -> None:
    assert tokens("Top U.S. officials said “no.”") == ["top", "us", "officials", "said", '"', "no", ".", '"']


def test_restored_equal_to_original_is_perfect() -> None:
    pairs = _pairs()
    score = corpus_score([pair_stats(p["spun"], p["original"], p["original"]) for p in pairs])
    assert (score.fix, score.broken, score.err) == (1.0, 0.0, 1.0)
    assert (score.precision, score.recall, score.f05) == (1.0, 1.0, 1.0)


def test_unchanged_spun_scores_zero() -> None:
    pairs = _pairs()
    score = corpus_score([pair_stats(p["spun"], p["original"], p["spun"]) for p in pairs])
    assert (score.fix, score.broken, score.err) == (0.0, 0.0, 0.0)
    assert score.recall == 0.0 and score.totals.sys_edits == 0


def test_counts_one_fix_one_miss_and_one_break() -> None:
    restored = "Top US diplomats stated, despite the fact that a assembly produced no movement."
    st = pair_stats(SPUN, ORIGINAL, restored)
    # gold regions: prime→top, stated→said, despite the fact that→even though, assembly→meeting,
    # motion→movement; the output fixes prime and motion (2 of 8 changed tokens), breaks "the".
    assert (st.changed, st.fixed) == (8, 2)
    assert st.broken == 1 and st.unchanged == 7
    assert (st.gold_edits, st.sys_edits, st.true_edits) == (5, 3, 2)
    assert st.dist_spun == 8 and st.dist_restored == 7
    score = corpus_score([st])
    assert score.err == pytest.approx(1 - 7 / 8)
    assert score.precision == pytest.approx(2 / 3) and score.recall == pytest.approx(2 / 5)


def test_multiword_region_must_be_restored_whole() -> None:
    half = "Prime US diplomats stated, even the fact that the assembly produced no motion."
    st = pair_stats(SPUN, ORIGINAL, half)
    assert st.fixed == 0 and st.true_edits == 0


def test_nothing_spun_gives_zero_err_when_left_alone_and_negative_when_harmed() -> None:
    text = "The minister said no."
    assert corpus_score([pair_stats(text, text, text)]).err == 0.0
    harmed = corpus_score([pair_stats(text, text, "The minister stated no.")])
    assert harmed.err == pytest.approx(-1 / 5) and harmed.broken == pytest.approx(1 / 5)


def test_pair_stats_add_up() -> None:
    a, b = PairStats(1, 1, 2, 0, 3, 1, 0, 1, 1, 1), PairStats(2, 0, 1, 1, 3, 2, 3, 1, 1, 0)
    assert (a + b).as_tuple() == (3, 1, 3, 1, 6, 3, 3, 2, 2, 1)


def test_bootstrap_is_deterministic_and_brackets_the_score() -> None:
    pairs = _pairs()
    stats = [pair_stats(p["spun"], p["original"], p["original"] if i % 2 else p["spun"])
             for i, p in enumerate(pairs)]
    first, second = bootstrap_ci(stats, 200, seed=3), bootstrap_ci(stats, 200, seed=3)
    assert first == second
    score = corpus_score(stats)
    lo, hi = first["err"]
    assert lo <= score.err <= hi and lo < hi


def test_paired_bootstrap_finds_a_clear_difference() -> None:
    pairs = _pairs() * 3
    perfect = [pair_stats(p["spun"], p["original"], p["original"]) for p in pairs]
    nothing = [pair_stats(p["spun"], p["original"], p["spun"]) for p in pairs]
    comps = {c.metric: c for c in paired_bootstrap(perfect, nothing, 200, seed=1)}
    assert comps["err"].delta == 1.0 and comps["err"].p_value == 0.0
    assert comps["broken"].p_value == 1.0
    with pytest.raises(ValueError):
        paired_bootstrap(perfect, nothing[:-1])


def test_signature_puts_version_last_and_keeps_system_fields() -> None:
    sig = signature({"model": "abc123", "order": 5, "version": "x"}, seed=7)
    assert sig.startswith("nrefs:1|") and "model:abc123|order:5" in sig and "seed:7" in sig
    assert sig.rsplit("|", 1)[1].startswith("version:") and "version:x" not in sig


def _evaluate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corrector.cli", "evaluate", *args],
                          capture_output=True, text=True, check=True)


def test_evaluate_cli_scores_given_output_by_id_deterministically(tmp_path: Path) -> None:
    pairs = [{"id": f"p{i}", "spun": SPUN, "original": ORIGINAL, "kind": "a" if i % 2 else "b"}
             for i in range(4)]
    pairs_file = tmp_path / "pairs.jsonl"
    pairs_file.write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    restored = tmp_path / "restored.jsonl"  # reversed order: matched by id
    restored.write_text("".join(json.dumps({"id": p["id"], "restored": p["original"]}) + "\n"
                                for p in reversed(pairs)), encoding="utf-8")
    spun = tmp_path / "spun.jsonl"
    spun.write_text("".join(json.dumps({"id": p["id"], "restored": p["spun"]}) + "\n" for p in pairs),
                    encoding="utf-8")
    args = ["--pairs", str(pairs_file), "--restored", str(restored), "--json", "--by", "kind",
            "--compare", str(spun), "--bootstrap", "100", "--details"]
    first, second = _evaluate(*args), _evaluate(*args)
    assert first.stdout == second.stdout
    result = json.loads(first.stdout)
    assert result["score"]["err"] == 1.0 and result["score"]["fix"] == 1.0
    assert set(result["by"]["kind"]) == {"a", "b"}
    assert [d["id"] for d in result["details"]] == ["p0", "p1", "p2", "p3"]
    assert {c["metric"]: c["delta"] for c in result["compare"]["metrics"]}["err"] == 1.0
    assert result["signature"].endswith("version:0.1.0") and "seed:12345" in result["signature"]
    table = _evaluate("--pairs", str(pairs_file), "--restored", str(spun), "--bootstrap", "0").stdout
    assert re.search(r"^err +0\.000 *$", table, re.M)
    assert table.strip().splitlines()[-1].startswith("nrefs:1|")


def test_evaluate_cli_rejects_output_missing_a_pair(tmp_path: Path) -> None:
    pairs_file = tmp_path / "pairs.jsonl"
    pair = {"id": "x", "spun": SPUN, "original": ORIGINAL}
    pairs_file.write_text(json.dumps(pair) + "\n", encoding="utf-8")
    restored = tmp_path / "r.jsonl"
    restored.write_text(json.dumps({"id": "y", "restored": ORIGINAL}) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "corrector.cli", "evaluate", "--pairs", str(pairs_file),
                           "--restored", str(restored)], capture_output=True, text=True)
    assert proc.returncode == 1 and "no restoration" in proc.stderr


def test_evaluate_cli_oracle_refuses_a_given_output(tmp_path: Path) -> None:
    pairs_file = tmp_path / "pairs.jsonl"
    pairs_file.write_text(json.dumps({"id": "a", "spun": "x stated", "original": "x said"}) + "\n")
    restored = tmp_path / "restored.jsonl"
    restored.write_text(json.dumps({"id": "a", "restored": "x said"}) + "\n")
    proc = subprocess.run([sys.executable, "-m", "corrector.cli", "evaluate", "--pairs", str(pairs_file),
                           "--restored", str(restored), "--oracle"], capture_output=True, text=True)
    assert proc.returncode != 0 and "--oracle" in proc.stderr
