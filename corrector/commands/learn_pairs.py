"""``corrector learn-pairs``: learn spun→original substitutions from aligned text pairs.

Input is JSONL with ``spun`` and ``original`` fields, or TSV ``spun<TAB>original[<TAB>…]`` with
an optional header (e.g. a tortured-phrases list). Output is a TSV ``spun<TAB>original<TAB>count``
that :class:`corrector.candidates.generator.CandidateGenerator` reads as the ``learned`` source.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from corrector.candidates.align import substitutions
from corrector.candidates.generator import DEFAULT_LEARNED

NAME = "learn-pairs"
HELP = "Align spun/original pairs (JSONL or TSV) and write a learned substitution table."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pairs", type=Path, nargs="+", required=True, help="JSONL (spun, original) or TSV")
    parser.add_argument(
        "-o", "--out", type=Path, default=None, help=f"output TSV (default: {DEFAULT_LEARNED})"
    )
    parser.add_argument(
        "--min-count", type=int, default=1, help="keep substitutions seen at least this often"
    )


def read_pairs(path: Path) -> Iterator[tuple[str, str]]:
    """(spun, original) pairs from a JSONL or TSV file."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.lstrip().startswith("{"):
                record = json.loads(line)
                yield record["spun"], record["original"]
                continue
            fields = line.split("\t")
            if len(fields) < 2:
                raise ValueError(f"{path}:{number}: expected JSON or spun<TAB>original")
            if number == 1 and fields[:2] == ["spun", "original"]:
                continue
            yield fields[0], fields[1]


def learn(paths: list[Path]) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for path in paths:
        for spun, original in read_pairs(path):
            for _, _, spun_key, original_key in substitutions(spun, original):
                counts[spun_key, original_key] += 1
    return counts


def run(args: argparse.Namespace) -> int:
    counts = learn(args.pairs)
    out: Path = args.out or DEFAULT_LEARNED
    out.parent.mkdir(parents=True, exist_ok=True)
    kept = sorted(((k, c) for k, c in counts.items() if c >= args.min_count), key=lambda kc: (-kc[1], kc[0]))
    with open(out, "w", encoding="utf-8") as f:
        f.write("# spun\toriginal\tcount (corrector learn-pairs)\n")
        for (spun, original), count in kept:
            f.write(f"{spun}\t{original}\t{count}\n")
    print(f"{len(kept)} substitutions from {', '.join(map(str, args.pairs))} → {out}", file=sys.stderr)
    return 0
