"""Options shared by several commands: the decoder and the channel (correct, evaluate) and the
engine (correct, adapt)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from corrector import defaults
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


def count(value: str) -> int:
    """argparse type: an integer ≥ 0."""
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0, got {number}")
    return number


def non_negative(value: str) -> float:
    """argparse type: a float ≥ 0."""
    number = float(value)
    if not number >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be ≥ 0, got {value}")
    return number


def probability(value: str) -> float:
    """argparse type: a float in [0, 1]."""
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {value}")
    return number


# (flag, CorrectorConfig field, argparse type, default, help): the decoder objective a user trades
# fix against broken with. Defaults live in corrector.defaults and are shown, not re-declared.
_DECODER_OPTIONS = (
    ("--beam", "beam", positive, defaults.DEFAULT_BEAM, "beam width"),
    (
        "--change-penalty",
        "change_penalty",
        non_negative,
        defaults.DEFAULT_CHANGE_PENALTY,
        "log10 cost of each edit: higher changes less (fewer broken words, fewer fixes)",
    ),
    (
        "--channel-weight",
        "channel_weight",
        non_negative,
        defaults.DEFAULT_CHANNEL_WEIGHT,
        "weight of the channel log-probability against the LM's",
    ),
    (
        "--max-candidates",
        "max_candidates",
        positive,
        defaults.DEFAULT_MAX_CANDIDATES,
        "candidate originals kept per span",
    ),
    (
        "--nbest",
        "nbest",
        positive,
        0,
        "also output each sentence's N next-best restorations (record field `alternatives`)",
    ),
    (
        "--consistency-boost",
        "consistency_boost",
        non_negative,
        defaults.DEFAULT_CONSISTENCY_BOOST,
        "second pass: log10 boost for swaps the first pass made consistently (0 = off)",
    ),
    (
        "--spin-prior",
        "spin_prior_weight",
        non_negative,
        defaults.DEFAULT_SPIN_PRIOR_WEIGHT,
        "second pass: extra change penalty × (1 − first-pass spun_score) (0 = off)",
    ),
    (
        "--min-spun-score",
        "min_spun_score",
        probability,
        defaults.DEFAULT_MIN_SPUN_SCORE,
        f"documents of {defaults.MIN_WORDS_FOR_GATE}+ words scoring below this on the first pass are left "
        "unchanged (0 = off)",
    ),
    (
        "--proposal-penalty",
        "proposal_penalty",
        non_negative,
        defaults.DEFAULT_PROPOSAL_PENALTY,
        "with --neural: the change penalty at which the decoder proposes edits for verification",
    ),
    (
        "--neural-threshold",
        "neural_threshold",
        float,
        defaults.DEFAULT_NEURAL_THRESHOLD,
        "with --neural: log10 margin (neural gain + weight · decoder gain) an edit must clear",
    ),
    (
        "--neural-decoder-weight",
        "neural_decoder_weight",
        non_negative,
        defaults.DEFAULT_NEURAL_DECODER_WEIGHT,
        "with --neural: weight of the decoder's gain in the verifier's score",
    ),
    (
        "--neural-candidates",
        "neural_candidates",
        count,
        defaults.DEFAULT_NEURAL_CANDIDATES,
        "with --neural: best candidates per lattice arc it also scores (0: only the decoder's edits)",
    ),
    (
        "--neural-consistency",
        "neural_consistency",
        non_negative,
        defaults.DEFAULT_NEURAL_CONSISTENCY,
        "with --neural: weight of the same substitution's mean score elsewhere in the document (0 = off)",
    ),
    (
        "--neural-window",
        "neural_window",
        count,
        defaults.DEFAULT_NEURAL_WINDOW,
        "with --neural: selection scores a proposal up to this many words past it (0 = the whole sentence)",
    ),
)


def add_decoder_arguments(parser: argparse.ArgumentParser) -> None:
    """The decoder objective's settings; unset ones keep the model's defaults."""
    group = parser.add_argument_group("decoder (defaults tuned by benchmarks/tune.py)")
    group.add_argument(
        "--neural",
        nargs="?",
        const="default",
        default=None,
        metavar="GGUF",
        help="select and verify edits with a neural LM: SmolLM2-135M (installed by `make setup`) or "
        "a llama-architecture GGUF file; better restorations, ~700x slower (benchmarks/neural.py)",
    )
    for flag, field, kind, default, help_text in _DECODER_OPTIONS:
        metavar = "N" if kind in (positive, count) else "X"
        help_text = f"{help_text} (default: {default})"
        group.add_argument(flag, dest=field, type=kind, default=None, metavar=metavar, help=help_text)


def decoder_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Corrector overrides for the decoder options the user set."""
    values = {field: getattr(args, field) for _, field, *_ in _DECODER_OPTIONS}
    if args.neural not in (None, "default") and not Path(args.neural).is_file():
        raise FileNotFoundError(f"--neural: no such file: {args.neural}")
    values["neural"] = args.neural if args.neural in (None, "default") else str(Path(args.neural).resolve())
    return {field: value for field, value in values.items() if value is not None}


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
