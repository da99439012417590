"""Every command that reads documents reads them alike: one --lines switch with one default, and the
same ids for the same file (corrector.batch.readers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corrector import cli

FACTORY = "test_pipeline:SwapCorrector.load"  # a model-free corrector (tests/test_pipeline.py)
# The least each command needs on its command line besides its inputs.
COMMANDS = {
    "correct": ["correct", "IN"],
    "adapt": ["adapt", "--feed", "IN", "-o", "spinner.json"],
    "spin": ["spin", "IN"],
    "score": ["score", "IN"],
    "compare": ["compare", "IN"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_lines_switch_has_one_meaning_and_one_default(command: str) -> None:
    default = cli.parse_args(COMMANDS[command])
    assert (default.lines, default.text_field, default.input_format) == (False, "text", "auto")
    assert cli.parse_args([*COMMANDS[command], "--lines"]).lines is True


def test_adapt_keeps_whole_files_as_a_deprecated_alias() -> None:
    assert cli.parse_args([*COMMANDS["adapt"], "--whole-files"]).lines is False


def _jsonl(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_correct_spin_and_score_give_a_file_the_same_ids(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("Prime diplomats stated it .\n\nThe assembly met on Friday .\n", encoding="utf-8")
    lines = [str(doc), "--lines"]
    user_dict = tmp_path / "spins.tsv"
    user_dict.write_text("met\tconvened\n", encoding="utf-8")
    spin = ["spin", "--source", "none", "--user-dict", str(user_dict)]
    assert cli.main(["correct", "--corrector-factory", FACTORY, "-q", *lines]) == 0
    corrected = _jsonl(capsys.readouterr().out)
    # correct answers every record, the blank line too; the document readers skip it
    assert [r["id"] for r in corrected] == [f"{doc}:1", f"{doc}:2", f"{doc}:3"]
    assert corrected[1]["error"] == "empty text"
    expected = [f"{doc}:1", f"{doc}:3"]
    assert cli.main([*spin, *lines]) == 0
    assert [r["id"] for r in _jsonl(capsys.readouterr().out)] == expected
    assert cli.main(["score", *lines, "--model", str(tiny_model_dir), "--format", "json"]) == 0
    scored = json.loads(capsys.readouterr().out)["sentences"]
    assert sorted({s["doc"] for s in scored}) == expected
    # without --lines the file is one document, named by its path, everywhere
    assert cli.main([*spin, str(doc)]) == 0
    assert [r["id"] for r in _jsonl(capsys.readouterr().out)] == [str(doc)]


def test_evaluate_matches_correct_s_output_of_pairs_without_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {"spun": "He stated it .", "original": "He said it ."},
        {"spun": "Prime time .", "original": "Top time ."},
    ]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    restored = tmp_path / "restored.jsonl"
    argv = ["correct", "--corrector-factory", FACTORY, "-q", "--text-field", "spun", str(pairs)]
    assert cli.main([*argv, "-o", str(restored)]) == 0
    assert cli.main(["evaluate", "--pairs", str(pairs), "--restored", str(restored), "--json",
                     "--details", "--bootstrap", "0"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in result["details"]] == [f"{pairs}:1", f"{pairs}:2"]
    assert result["score"]["fix"] == 1.0
