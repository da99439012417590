"""Options shared by several commands: the decoder and the channel (correct, evaluate) and the
engine (correct, adapt)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from corrector.defaults import DEFAULT_LEARNED
from corrector.settings import BY_NAME, SETTINGS, argparse_type


def add_channel_arguments(parser: argparse.ArgumentParser, spinner: bool = True) -> None:
    """The path settings (:mod:`corrector.settings`): the model, the thesaurus and the channel's files."""
    for setting in SETTINGS:
        if setting.kind == "path" and (spinner or setting.name != "spinner"):
            parser.add_argument(
                setting.flag,
                dest=setting.cli_dest,
                type=Path,
                default=None,
                metavar=setting.cli_metavar,
                help=setting.cli_help(),
            )


def channel_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Corrector overrides for the path options above, as absolute paths (workers may run elsewhere).

    The model directory is not among them: the commands pass ``args.model`` on their own."""
    learned = args.learned or (DEFAULT_LEARNED if DEFAULT_LEARNED.exists() else None)
    paths = {
        setting.name: learned if setting.name == "learned" else getattr(args, setting.cli_dest, None)
        for setting in SETTINGS
        if setting.kind == "path" and setting.name != "model_dir"
    }
    for name, path in paths.items():
        setting = BY_NAME[name]
        if path is not None and not (Path(path).is_dir() if setting.directory else Path(path).is_file()):
            what = "directory" if setting.directory else "file"
            raise FileNotFoundError(f"{setting.flag}: no such {what}: {path}")
    return {name: str(Path(path).resolve()) for name, path in paths.items() if path is not None}


def positive(value: str) -> int:
    """argparse type: an integer ≥ 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {number}")
    return number


def add_decoder_arguments(parser: argparse.ArgumentParser) -> None:
    """The value settings (:mod:`corrector.settings`); unset ones keep the model's defaults."""
    group = parser.add_argument_group("decoder (defaults tuned by benchmarks/tune.py)")
    for setting in SETTINGS:
        if setting.kind != "value":
            continue
        extra: dict[str, Any] = {} if setting.const is None else {"nargs": "?", "const": setting.const}
        group.add_argument(
            setting.flag,
            dest=setting.cli_dest,
            type=argparse_type(setting.name),
            default=None,
            metavar=setting.cli_metavar,
            help=setting.cli_help(),
            **extra,
        )


def decoder_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Corrector overrides for the decoder options the user set."""
    values = {s.name: getattr(args, s.cli_dest) for s in SETTINGS if s.kind == "value"}
    neural = values["neural"]
    if neural not in (None, BY_NAME["neural"].const):
        if not Path(neural).is_file():
            raise FileNotFoundError(f"--neural: no such file: {neural}")
        values["neural"] = str(Path(neural).resolve())  # absolute: workers may run elsewhere
    return {name: value for name, value in values.items() if value is not None}


def add_engine_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """``--workers``, ``--engine local|dask`` and ``--scheduler``; ``what`` says what runs there."""
    parser.add_argument(
        "--workers",
        type=positive,
        default=1,
        help=f"{what} in this many worker processes (each loads the model once); Dask LocalCluster size",
    )
    parser.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local processes, or a Dask cluster (pip install 'corrector[dask]')",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)",
    )
