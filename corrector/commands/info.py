"""``corrector info``: print a model's manifest."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from corrector.defaults import default_model_dir
from corrector.lm.kenlm import MODEL_FILE, read_manifest

NAME = "info"
HELP = "Show the manifest of a model (order, tokens, n-gram counts, sizes, sha256)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: models/default)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    model_dir = args.model or default_model_dir()
    manifest = read_manifest(model_dir)
    if not manifest or not (model_dir / MODEL_FILE).exists():
        raise FileNotFoundError(f"no model in {model_dir} (build one with `make model`)")
    if args.json:
        print(json.dumps(manifest, indent=2, sort_keys=True))
        return 0
    width = max(map(len, manifest))
    for key in sorted(manifest):
        value = manifest[key]
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v:,}" if isinstance(v, int) else f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:,}"
        print(f"{key:<{width}}  {value}")
    return 0
