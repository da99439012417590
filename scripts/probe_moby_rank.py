"""What the channel's rank features read in Moby's lists, which are alphabetical.

    PYTHONPATH=. .venv/bin/python scripts/probe_moby_rank.py [--end-to-end]

WordNet and MyThes list a headword's synonyms by sense (the dominant sense first), Moby in
alphabetical order (``--order`` prints the share of adjacent synonyms in order per thesaurus). Until
session 28 ``log_rank`` and ``rel_rank`` took the best position over every thesaurus listing a pair,
so for a pair only Moby lists (top ← prime, 240th of 355) the "rank" was where the spun word falls
in the alphabet; the channel now reads ``sense`` below (``channel._rank_features``), with weights
refitted for it. This probe measured the readings with the weights of before that refit: it puts
back the old best-of-every-list reading and re-reads Moby's position by each variant, ranking
every list at run time (the run-time lists lack the build's relatives of the spun word, so the
three are compared with each other, not with the benchmark's numbers; with today's weights the
numbers differ from docs/candidates-study.md's table):

- ``listed``: the reading before session 28 (Moby's position as listed);
- ``middle``: the middle of Moby's list, whatever the position;
- ``sense``: Moby left out of the rank features where another thesaurus ranks the pair (the middle
  of its list where it alone does): what the channel reads now.

Prints ``benchmarks/candidates.py``'s recall and first rank on every source for each, and with
``--end-to-end`` the default path's ERR on the real articles with reconstructed originals and the
dev article (:mod:`benchmarks.feed`'s sets; needs ``../shared/data`` and the neural model).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "benchmarks"))

import candidates as bench  # noqa: E402

from corrector.candidates import channel as channel_module  # noqa: E402
from corrector.candidates.generator import CandidateGenerator  # noqa: E402
from corrector.candidates.table import ReverseTable  # noqa: E402

Ranks = dict[str, tuple[int, int]]


def listed(ranks: Ranks) -> Ranks:
    return ranks


def middle(ranks: Ranks) -> Ranks:
    if "moby" not in ranks:
        return ranks
    n = ranks["moby"][1]
    return {**ranks, "moby": ((n - 1) // 2, n)}


def sense(ranks: Ranks) -> Ranks:
    if "moby" in ranks and len(ranks) > 1:
        return {source: rank for source, rank in ranks.items() if source != "moby"}
    return middle(ranks)


VARIANTS: dict[str, Callable[[Ranks], Ranks]] = {"listed": listed, "middle": middle, "sense": sense}


@contextmanager
def reading(variant: Callable[[Ranks], Ranks]) -> Iterator[None]:
    """The channel scores pairs with Moby's position read by ``variant``, and every generator
    loaded meanwhile ranks its lists at run time."""
    score = channel_module.ChannelModel.static_score
    shipped_reading = channel_module._rank_features
    load, descriptor = CandidateGenerator.load, CandidateGenerator.__dict__["load"]

    def best_of_every_list(ranks: Ranks) -> tuple[float, float]:
        # The reading before session 28, on which each variant rewrites Moby's position.
        return math.log1p(min(r for r, _ in ranks.values())), min(r / max(n, 1) for r, n in ranks.values())

    def static_score(self: channel_module.ChannelModel, ev: channel_module.Evidence) -> float:
        return score(self, dataclasses.replace(ev, ranks=variant(ev.ranks)))

    def run_time_lists(*args: Any, **kwargs: Any) -> CandidateGenerator:
        shipped = load(*args, **kwargs)
        table = ReverseTable(shipped.table._packed, shipped.table.sources, shipped.table.ranked_with)
        return CandidateGenerator(table, shipped.channel, max_candidates=shipped.max_candidates)

    channel_module.ChannelModel.static_score = static_score  # type: ignore[method-assign]
    channel_module._rank_features = best_of_every_list
    CandidateGenerator.load = run_time_lists  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        channel_module.ChannelModel.static_score = score  # type: ignore[method-assign]
        channel_module._rank_features = shipped_reading
        CandidateGenerator.load = descriptor  # type: ignore[method-assign]


def alphabetical_order() -> None:
    from corrector.builders import thesaurus

    for source in thesaurus.SOURCES:
        lists = thesaurus.forward_synonyms(source).values()
        adjacent = in_order = 0
        for synonyms in lists:
            low = [s.lower() for s in synonyms]
            adjacent += len(low) - 1
            in_order += sum(a <= b for a, b in itertools.pairwise(low))
        print(f"{source}: {in_order / max(adjacent, 1):.3f} of adjacent synonyms in alphabetical order")


def end_to_end() -> None:
    import feed

    from corrector import Corrector
    from corrector.research.metrics import corpus_score, pair_stats

    data = feed.sets(8)
    corrector = Corrector.load().with_neural()
    for name in ("real reconstructed", "dev article"):
        if name not in data:
            continue
        stats = [
            pair_stats(spun, original, corrector.correct_feed([spun], 1).restorations[0].text)
            for spun, original in data[name]
            if original
        ]
        score = corpus_score(stats)
        print(f"  {name}: ERR {score.err:+.3f}, fix {score.fix:.3f}, broken {score.broken:.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--end-to-end", action="store_true", help="also the default path on the real articles"
    )
    parser.add_argument("--simulator-sentences", type=int, default=500)
    args = parser.parse_args()
    alphabetical_order()
    sources = [*bench.REAL_SOURCES, *(f"sim:{p}" for p in ("thesaurus", "dictionary", "light", "wordpress"))]
    baseline = None
    for name, variant in VARIANTS.items():
        print(f"== Moby's position read as: {name}" + (" (baseline → this)" if baseline else ""))
        with reading(variant):
            numbers = bench.recall(sources, args.simulator_sentences)
            bench.print_recall(numbers, baseline)
            if args.end_to_end:
                end_to_end()
        baseline = baseline or numbers
    return 0


if __name__ == "__main__":
    sys.exit(main())
