"""Options that choose the channel, shared by the commands that build a Corrector."""

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
