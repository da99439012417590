"""``corrector build-model``: stream a corpus into lmplz, then build_binary; write a manifest."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from corrector.builders.model import build_model
from corrector.defaults import DEFAULT_ORDER, default_model_dir

NAME = "build-model"
HELP = "Build a KenLM model (trie binary + manifest.json) from a corpus file, directory or stdin."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", required=True, help="text file (.txt/.gz), directory of them, or -")
    parser.add_argument("--order", type=int, default=DEFAULT_ORDER, help="n-gram order (2–6)")
    parser.add_argument("--out", type=Path, default=None, help="model directory (default: models/default)")
    parser.add_argument("--lowercase", action="store_true", help="train an uncased model")
    parser.add_argument(
        "--pretokenized", action="store_true", help="corpus lines are already LM tokens (build-corpus output)"
    )
    parser.add_argument("--memory", default="2G", help="lmplz -S memory budget (absolute, e.g. 2G)")
    parser.add_argument("--discount-fallback", action="store_true", help="for tiny corpora")
    parser.add_argument("--prune", help='lmplz --prune thresholds, e.g. "0 0 1"')
    parser.add_argument("--quantize", type=int, choices=range(2, 17), metavar="BITS", help="quantise to BITS")
    parser.add_argument("--keep-arpa", action="store_true", help="also keep model.arpa")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    manifest = build_model(
        args.corpus,
        args.out or default_model_dir(),
        order=args.order,
        lowercase=args.lowercase,
        pretokenized=args.pretokenized,
        memory=args.memory,
        discount_fallback=args.discount_fallback,
        prune=args.prune,
        quantize=args.quantize,
        keep_arpa=args.keep_arpa,
        progress=not args.quiet,
    )
    print(json.dumps(manifest, indent=2, sort_keys=True))
    return 0
