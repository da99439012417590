"""Options shared by several commands: the channel (correct, evaluate) and the engine (correct, adapt)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from corrector.defaults import DEFAULT_LEARNED


def add_channel_arguments(parser: argparse.ArgumentParser, spinner: bool = True) -> None:
    parser.add_argument(
        "--learned",
        type=Path,
        default=None,
        metavar="PAIRS.tsv",
        help=f"learn-pairs table used as a strong channel source (default: {DEFAULT_LEARNED} if it exists)",
    )
    parser.add_argument(
        "--channel",
        type=Path,
        default=None,
        metavar="WEIGHTS.json",
        help="channel weights (default: the package's fitted weights; see scripts/fit_channel.py)",
    )
    if spinner:
        parser.add_argument(
            "--spinner",
            type=Path,
            default=None,
            metavar="SPINNER.json",
            help="an adapted channel from `corrector adapt`",
        )


def channel_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Corrector overrides for the options above, as absolute paths (workers may run elsewhere)."""
    learned = args.learned or (DEFAULT_LEARNED if DEFAULT_LEARNED.exists() else None)
    paths = {"learned": learned, "channel": args.channel, "spinner": getattr(args, "spinner", None)}
    for name, path in paths.items():
        if path is not None and not Path(path).is_file():
            raise FileNotFoundError(f"--{name}: no such file: {path}")
    return {name: str(Path(path).resolve()) for name, path in paths.items() if path is not None}


def positive(value: str) -> int:
    """argparse type: an integer ≥ 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {number}")
    return number


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
