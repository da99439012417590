"""The synthetic spinner: determinism, exact edit spans, the spinner quirks of DESIGN §1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corrector.research.spinner import Spinner, apply_edits, read_user_dict, spell_number

USER_TSV = """\
said\tstated
top\tprime
even though\tdespite the fact that
foreign minister\tinternational minister
tell\tadvise
meeting\tassembly
in\twithin
crisis\tdisaster
"""

TEXT = (
    "Top officials said, even though the Foreign Minister didn't agree, that 3,450 people "
    "were told. Thousands of troops met in the capital.\nThe crisis meeting said nothing new."
)


@pytest.fixture(scope="module")
def user_dict(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dicts") / "user.tsv"
    path.write_text(USER_TSV, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def spinner(user_dict: Path) -> Spinner:
    # Every rate at 1: each rule fires, so the expected output is exact.
    return Spinner(sources=(), user_dicts=(str(user_dict),), rate=1.0, function_rate=1.0,
                   consistency=1.0, digit_rate=1.0, contraction_rate=1.0, seed=7)


def test_applies_every_rule_with_case_and_inflection(spinner: Spinner) -> None:
    result = spinner.spin(TEXT, "doc")
    assert result.spun == (
        "Prime officials stated, despite the fact that the International Minister did not agree, that "
        "three,450 people were advised. 1000's of troops met within the capital.\n"
        "The disaster assembly stated nothing new."
    )


def test_edits_reproduce_spun_and_index_both_texts(spinner: Spinner) -> None:
    result = spinner.spin(TEXT, "doc")
    assert apply_edits(result.original, result.edits) == result.spun
    for edit in result.edits:
        assert result.original[edit.start : edit.end] == edit.original
        assert result.spun[edit.spun_start : edit.spun_end] == edit.spun


@pytest.mark.parametrize(
    ("n", "words"), [(0, "zero"), (3, "three"), (19, "nineteen"), (45, "forty-five"), (700, "seven hundred"),
                     (999, "nine hundred ninety-nine")],
)
def test_spell_number(n: int, words: str) -> None:
    assert spell_number(n) == words


def test_user_dict_reads_original_then_spun(user_dict: Path) -> None:
    table = read_user_dict(user_dict)
    assert table["even though"] == ["despite the fact that"]
    assert table["top"] == ["prime"]


def test_rate_zero_changes_nothing(user_dict: Path) -> None:
    quiet = Spinner(sources=(), user_dicts=(str(user_dict),), rate=0.0, function_rate=0.0,
                    digit_rate=0.0, contraction_rate=0.0)
    result = quiet.spin(TEXT, "doc")
    assert result.spun == TEXT and result.edits == ()


def test_names_are_left_alone(user_dict: Path) -> None:
    spinner = Spinner(sources=(), user_dicts=(str(user_dict),), rate=1.0)
    assert spinner._is_name("Blinken") and spinner._is_name("Ukraine")
    assert not spinner._is_name("Foreign") and not spinner._is_name("Top")


def test_needs_a_dictionary() -> None:
    with pytest.raises(ValueError):
        Spinner(sources=(), user_dicts=())


_words = st.sampled_from(
    ["said", "Top", "top", "in", "even", "though", "told", "didn't", "won't", "3,450", "12,000", "the",
     "Foreign", "Minister", "crisis", "meeting", "Thousands", "we're", "it's", ",", ".", "“", "”", "—",
     "(", ")", "Ukraine", "tells", "telling", "MEETING"]
)
_texts = st.lists(st.tuples(_words, st.sampled_from([" ", " ", "", "\n", "  "])), max_size=40).map(
    lambda parts: "".join(w + s for w, s in parts)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_texts, seed=st.integers(0, 5), rate=st.sampled_from([0.3, 1.0]))
def test_recorded_edits_reproduce_spun_exactly(user_dict: Path, text: str, seed: int, rate: float) -> None:
    spinner = Spinner(sources=(), user_dicts=(str(user_dict),), rate=rate, function_rate=rate, seed=seed)
    result = spinner.spin(text, "x")
    assert result.original == text
    assert apply_edits(text, result.edits) == result.spun
    previous_end = 0
    for edit in result.edits:
        assert edit.start >= previous_end and edit.original != edit.spun
        assert text[edit.start : edit.end] == edit.original
        assert result.spun[edit.spun_start : edit.spun_end] == edit.spun
        previous_end = edit.end


def _run_spin(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corrector.cli", "spin", *args], input=stdin,
                          capture_output=True, text=True, check=True)


def test_cli_same_seed_is_byte_identical_and_seed_matters(user_dict: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    rows = [{"id": f"d{i}", "text": TEXT, "topic": "acq"} for i in range(6)]
    docs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    common = [str(docs), "--source", "none", "--user-dict", str(user_dict), "--rate", "0.5",
              "--function-rate", "0.5", "--consistency", "0.5"]
    first = _run_spin([*common, "--seed", "1"], "")
    second = _run_spin([*common, "--seed", "1"], "")
    other = _run_spin([*common, "--seed", "2"], "")
    assert first.stdout == second.stdout
    assert first.stdout != other.stdout
    assert "seed:1" in first.stderr
    records = [json.loads(line) for line in first.stdout.splitlines()]
    assert [r["id"] for r in records] == [f"d{i}" for i in range(6)]
    assert all(r["topic"] == "acq" and apply_edits(r["original"], r["edits"]) == r["spun"] for r in records)


def test_cli_lines_mode_makes_one_record_per_line(user_dict: Path) -> None:
    out = _run_spin(["-", "--lines", "--source", "none", "--user-dict", str(user_dict), "--rate", "1"],
                    "Top officials said.\n\nThe crisis meeting.\n")
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in records] == ["-:1", "-:3"]  # stdin lines, as every command names them
    assert records[0]["spun"] == "Prime officials stated."


@pytest.mark.slow
def test_spins_with_mythes_only_with_inflection() -> None:
    from corrector.builders.thesaurus import available_sources

    if "mythes" not in available_sources():
        pytest.skip("mythes-en-us not installed")
    spinner = Spinner(sources=("mythes",), rate=1.0, seed=0)
    result = spinner.spin("Blinken told Lavrov the talks were useful.", "m")
    assert apply_edits(result.original, result.edits) == result.spun
    told = [e for e in result.edits if e.original == "told"]
    assert told and told[0].spun.split()[0].endswith(("ed", "old", "ld", "ght", "id"))
