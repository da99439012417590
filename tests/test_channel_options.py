"""Options of the commands that build a Corrector: the channel (`--learned`, `--channel`,
`--spinner`) and the decoder objective (`--change-penalty`, `--channel-weight`, …)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, ClassVar

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


def parse_decoder(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    options.add_decoder_arguments(parser)
    return parser.parse_args(argv)


def test_decoder_options_override_only_what_was_given() -> None:
    assert options.decoder_overrides(parse_decoder([])) == {}
    argv = ["--change-penalty", "2.5", "--channel-weight", "1", "--beam", "4", "--max-candidates", "20"]
    argv += ["--consistency-boost", "0", "--spin-prior", "0", "--min-spun-score", "0.6", "--nbest", "3"]
    overrides = options.decoder_overrides(parse_decoder(argv))
    config = CorrectorConfig().with_overrides(**overrides)  # every option names a real setting
    assert (config.change_penalty, config.channel_weight) == (2.5, 1.0)
    assert (config.beam, config.max_candidates, config.nbest) == (4, 20, 3)
    assert (config.consistency_boost, config.spin_prior_weight, config.min_spun_score) == (0.0, 0.0, 0.6)


@pytest.mark.parametrize(
    "argv",
    [["--change-penalty", "-1"], ["--channel-weight", "nan"], ["--beam", "0"], ["--min-spun-score", "1.5"]],
)
def test_decoder_options_refuse_out_of_range_values(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_decoder(argv)


class SettingsEcho:
    """`correct` stand-in that records the settings it was built with and changes nothing."""

    seen: ClassVar[list[dict[str, Any]]] = []

    @classmethod
    def load(cls, model_dir: str | None = None, **settings: Any) -> SettingsEcho:
        cls.seen.append(settings)
        return cls()

    def correct(self, text: str) -> Any:
        from corrector.text.results import Restoration, Scores

        return Restoration(text, text, (), Scores(-1.0, -1.0, 1.0, 1.0), 0.0)


def test_correct_passes_decoder_options_to_the_corrector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corrector import cli

    monkeypatch.setattr(options, "DEFAULT_LEARNED", tmp_path / "absent.tsv")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Prime diplomats stated."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    argv = ["correct", "--corrector-factory", "test_channel_options:SettingsEcho.load", "-q"]
    argv += ["--change-penalty", "3", "--spin-prior", "0", str(source), "-o", str(out)]
    assert cli.main(argv) == 0
    assert SettingsEcho.seen[-1] == {"change_penalty": 3.0, "spin_prior_weight": 0.0}
    assert json.loads(out.read_text(encoding="utf-8"))["restored"] == "Prime diplomats stated."
