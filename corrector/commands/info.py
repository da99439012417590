"""``corrector info``: print a model's manifest, or a thesaurus table's."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from corrector.candidates.table import MANIFEST_FILE, TABLE_FILE, ReverseTable
from corrector.defaults import default_model_dir, default_thesaurus_dir
from corrector.lm.kenlm import MODEL_FILE, read_manifest

NAME = "info"
HELP = "Show the manifest of a model (order, tokens, n-gram counts, sizes, sha256) or of a thesaurus table."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: models/default)")
    parser.add_argument(
        "--thesaurus",
        type=Path,
        nargs="?",
        const=default_thesaurus_dir(),
        default=None,
        metavar="DIR",
        help="show the reverse thesaurus table instead, with the fingerprint evaluation signatures "
        "name it by (`thes`) (default DIR: models/thesaurus)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def thesaurus_info(directory: Path) -> dict[str, Any]:
    """A table's build manifest and header, and its fingerprint (loads the table)."""
    table = ReverseTable.load(directory)
    manifest_path = directory / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    header = json.loads((directory / TABLE_FILE).read_text(encoding="utf-8"))
    return {**manifest, **header, "directory": str(directory), "signed_as": f"thes:{table.fingerprint()}"}


def run(args: argparse.Namespace) -> int:
    if args.thesaurus is not None:
        info = thesaurus_info(args.thesaurus)
    else:
        model_dir = args.model or default_model_dir()
        info = read_manifest(model_dir)
        if not info or not (model_dir / MODEL_FILE).exists():
            raise FileNotFoundError(f"no model in {model_dir} (build one with `make model`)")
    if args.json:
        print(json.dumps(info, indent=2, sort_keys=True))
        return 0
    width = max(map(len, info))
    for key in sorted(info):
        value = info[key]
        if isinstance(value, dict):
            value = ", ".join(
                f"{k}: {v:,}" if isinstance(v, int) and not isinstance(v, bool) else f"{k}: {v}"
                for k, v in value.items()
            )
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:,}"
        print(f"{key:<{width}}  {value}")
    return 0
