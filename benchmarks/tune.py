"""Tune the decoder objective: channel weight × change penalty (× beam) on two development sets.

    python benchmarks/tune.py [--beams 4 8] [--weights 0.5 1 1.5] [--penalties 0 0.5 1 1.5 2 3]

Sets: the 12 real dev pairs (../shared/data/dev_pairs.jsonl) and synthetic spins of gensim's
held-out ``lee.cor`` (not LM training text; Reuters stays untouched for the final evaluation).
Lattices are built once; only decoding is repeated per setting. Prints fix / broken / ERR per set
and marks the setting with the best mean ERR among those with broken ≤ 2% on both.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import replace

from corrector import Corrector
from corrector.api import Corrector as CorrectorType
from corrector.corpus import lee_heldout
from corrector.defaults import SHARED_DATA_DIR
from corrector.metrics import CorpusScore, corpus_score, pair_stats
from corrector.results import Restoration, apply_edits
from corrector.spinner import Spinner
from corrector.text import split_sentences


def dev_pairs() -> list[tuple[str, str]]:
    path = SHARED_DATA_DIR / "dev_pairs.jsonl"
    return [(r["spun"], r["original"]) for r in map(json.loads, path.open(encoding="utf-8"))]


def synthetic_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    spinner = Spinner(seed=seed)
    return [(spinner.spin(doc).spun, doc) for doc in itertools.islice(lee_heldout(), n)]


def evaluate(corrector: CorrectorType, pairs: list[tuple[str, str]], lattices: list) -> CorpusScore:
    stats = []
    for (spun, original), doc_lattices in zip(pairs, lattices, strict=True):
        restored = corrector.restore_lattices(spun, doc_lattices).text
        stats.append(pair_stats(spun, original, restored))
    return corpus_score(stats)


def restored_span(result: Restoration, start: int, end: int) -> str:
    """The restored text of source span [start, end) (edits lie inside sentences)."""
    inside = [e for e in result.edits if start <= e.start and e.end <= end]
    shifted = [replace(e, start=e.start - start, end=e.end - start) for e in inside]
    return apply_edits(result.source[start:end], shifted)


def evaluate_in_article(corrector: CorrectorType, article: str, lattices: list) -> CorpusScore:
    """Dev pairs restored inside the whole seed article (so document evidence is available)."""
    result = corrector.restore_lattices(article, lattices)
    stats = []
    for spun, original in dev_pairs():
        start = article.find(spun)
        if start >= 0:
            stats.append(pair_stats(spun, original, restored_span(result, start, start + len(spun))))
    return corpus_score(stats)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--beams", type=int, nargs="+", default=[8])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.5, 1.0, 1.5, 2.0])
    parser.add_argument("--penalties", type=float, nargs="+", default=[0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    parser.add_argument("--synthetic", type=int, default=50, help="lee.cor documents to spin")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--boosts", type=float, nargs="+", default=[0.0, 1.0], help="consistency boosts")
    parser.add_argument("--learned", help="learn-pairs table to use as a channel source")
    parser.add_argument("--max-candidates", type=int, default=None, help="candidates kept per arc")
    parser.add_argument("--clean", type=int, default=0, help="also report edits/word on N clean lee.cor docs")
    args = parser.parse_args()

    base = Corrector.load(learned=args.learned, max_candidates=args.max_candidates)
    sets = {"dev": dev_pairs(), "synthetic": synthetic_pairs(args.synthetic, args.seed)}
    lattices = {
        name: [base.generator.lattices(split_sentences(spun)) for spun, _ in pairs]
        for name, pairs in sets.items()
    }
    article = (SHARED_DATA_DIR / "seed_spun_article.txt").read_text(encoding="utf-8")
    article_lattices = base.generator.lattices(split_sentences(article))
    print(
        "| beam | chw | penalty | boost | dev fix | dev broken | dev ERR | in-article fix | broken | ERR "
        "| syn fix | syn broken | syn ERR |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    best: tuple[float, str] | None = None
    grid = itertools.product(args.beams, args.weights, args.penalties, args.boosts)
    for beam, weight, penalty, boost in grid:
        corrector = base.with_settings(
            beam=beam, channel_weight=weight, change_penalty=penalty, consistency_boost=boost
        )
        scores = {name: evaluate(corrector, pairs, lattices[name]) for name, pairs in sets.items()}
        dev, syn = scores["dev"], scores["synthetic"]
        art = evaluate_in_article(corrector, article, article_lattices)
        row = (
            f"| {beam} | {weight} | {penalty} | {boost} | {dev.fix:.3f} | {dev.broken:.3f} | {dev.err:+.3f} "
            f"| {art.fix:.3f} | {art.broken:.3f} | {art.err:+.3f} "
            f"| {syn.fix:.3f} | {syn.broken:.3f} | {syn.err:+.3f} |"
        )
        print(row, flush=True)
        if max(dev.broken, art.broken, syn.broken) <= 0.02:
            mean = (dev.err + art.err + syn.err) / 3
            if best is None or mean > best[0]:
                best = (mean, row)
    if best:
        print(f"\nbest (mean ERR {best[0]:+.3f}, broken ≤ 2% on all sets): {best[1]}")


if __name__ == "__main__":
    main()
