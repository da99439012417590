"""`--learned`, `--channel`, `--spinner` on the commands that build a Corrector."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from corrector.commands import _options as options
from corrector.config import CorrectorConfig


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    options.add_channel_arguments(parser)
    return parser.parse_args(argv)


def test_paths_become_absolute_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pairs.tsv").write_text("stated\tsaid\t3\n", encoding="utf-8")
    (tmp_path / "weights.json").write_text('{"weights": {}}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(options, "DEFAULT_LEARNED", tmp_path / "absent.tsv")
    overrides = options.channel_overrides(parse(["--learned", "pairs.tsv", "--channel", "weights.json"]))
    assert overrides == {"learned": str(tmp_path / "pairs.tsv"), "channel": str(tmp_path / "weights.json")}
    config = CorrectorConfig().with_overrides(**overrides)
    assert config.learned == overrides["learned"] and config.channel == overrides["channel"]
    assert config.spinner is None


def test_the_default_learned_table_is_used_only_when_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "learned" / "pairs.tsv"
    monkeypatch.setattr(options, "DEFAULT_LEARNED", default)
    assert options.channel_overrides(parse([])) == {}
    default.parent.mkdir()
    default.write_text("stated\tsaid\t3\n", encoding="utf-8")
    assert options.channel_overrides(parse([])) == {"learned": str(default)}


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="--channel: no such file"):
        options.channel_overrides(parse(["--channel", str(tmp_path / "nope.json")]))
