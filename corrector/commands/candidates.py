"""``corrector candidates``: the candidate originals of a spun phrase, best first (debug view)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from corrector.candidates.generator import DEFAULT_LEARNED, CandidateGenerator

NAME = "candidates"
HELP = "Show candidate originals of a spun phrase with channel log10 probabilities and sources."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("phrase", help='spun word or phrase, e.g. "maintain speaking"')
    parser.add_argument("--context", default=None, help="document text for document-level evidence")
    parser.add_argument(
        "--thesaurus", type=Path, default=None, help="thesaurus dir (default: models/thesaurus)"
    )
    parser.add_argument(
        "--learned",
        type=Path,
        default=None,
        help=f"learned pairs table (default: {DEFAULT_LEARNED} if it exists)",
    )
    parser.add_argument("-n", "--top", type=int, default=20, help="how many to show")
    parser.add_argument("--json", action="store_true", help="print JSON (the default output is JSON too)")


def run(args: argparse.Namespace) -> int:
    learned = args.learned or (DEFAULT_LEARNED if DEFAULT_LEARNED.exists() else None)
    generator = CandidateGenerator.load(
        thesaurus_dir=args.thesaurus, learned=learned, max_candidates=args.top
    )
    found = generator.candidates(args.phrase, context=args.context)
    print(
        json.dumps(
            [{"original": c.text, "logprob": c.logprob, "sources": list(c.sources)} for c in found],
            indent=None if args.json else 1,
            ensure_ascii=False,
        )
    )
    return 0
