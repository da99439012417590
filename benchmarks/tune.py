"""Tune the decoder objective: channel weight × change penalty (× beam) on two development sets.

    python benchmarks/tune.py [--beams 4 8] [--weights 0.5 1 1.5] [--penalties 0 0.5 1 1.5 2 3]

Sets: the 12 real dev pairs (../shared/data/dev_pairs.jsonl) and synthetic spins of gensim's
held-out ``lee.cor`` (not LM training text; Reuters stays untouched for the final evaluation).
Lattices are built once; only decoding is repeated per setting. Prints fix / broken / ERR per set
and marks the setting with the best mean ERR among those with broken ≤ 2% on both. The first row is
the lattice oracle (:mod:`corrector.research.oracle`): the best any setting could do with these candidates.
"""

from __future__ import annotations

import argparse
import itertools
import json

from corrector import Corrector
from corrector.api import Corrector as CorrectorType
from corrector.builders.corpus import lee_heldout
from corrector.defaults import SHARED_DATA_DIR
from corrector.research.metrics import CorpusScore, corpus_score, pair_stats
from corrector.research.oracle import oracle_score
from corrector.research.spinner import Spinner
from corrector.text.results import Restoration, apply_edits
from corrector.text.tokens import split_sentences


def dev_pairs() -> list[tuple[str, str]]:
    path = SHARED_DATA_DIR / "dev_pairs.jsonl"
    return [(r["spun"], r["original"]) for r in map(json.loads, path.open(encoding="utf-8"))]


def tuning_sets(docs: list[str], synthetic: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """(spun, original) pairs: the dev pairs, then ``docs`` spun heavily (the first ``synthetic``),
    lightly (the next ``synthetic``) and left clean (the same next ones)."""
    heavy, light = Spinner(seed=seed), Spinner(seed=seed, rate=0.25, function_rate=0.05)
    return {
        "dev": dev_pairs(),
        "syn": [(heavy.spin(doc).spun, doc) for doc in docs[:synthetic]],
        "light": [(light.spin(doc).spun, doc) for doc in docs[synthetic : 2 * synthetic]],
        "clean": [(doc, doc) for doc in docs[synthetic : 2 * synthetic]],
    }


def evaluate(corrector: CorrectorType, pairs: list[tuple[str, str]], lattices: list) -> CorpusScore:
    stats = []
    for (spun, original), doc_lattices in zip(pairs, lattices, strict=True):
        restored = corrector.restore_lattices(spun, doc_lattices).text
        stats.append(pair_stats(spun, original, restored))
    return corpus_score(stats)


def restored_span(result: Restoration, start: int, end: int) -> str:
    """The restored text of source span [start, end) (edits lie inside sentences)."""
    inside = [e for e in result.edits if start <= e.start and e.end <= end]
    shifted = [e.shifted(-start) for e in inside]
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
    parser.add_argument("--weights", type=float, nargs="+", default=[1.0, 2.0])
    parser.add_argument("--penalties", type=float, nargs="+", default=[1.0, 1.5, 2.0])
    parser.add_argument("--boosts", type=float, nargs="+", default=[0.0, 1.0], help="consistency boosts")
    parser.add_argument("--priors", type=float, nargs="+", default=[0.0], help="spin prior weights")
    parser.add_argument("--gates", type=float, nargs="+", default=[0.0], help="min first-pass spun_score")
    parser.add_argument("--synthetic", type=int, default=20, help="lee.cor documents to spin")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--learned", help="learn-pairs table to use as a channel source")
    parser.add_argument("--channel", help="channel weights JSON (default: the package's)")
    parser.add_argument("--max-candidates", type=int, default=None, help="candidates kept per arc")
    args = parser.parse_args()

    base = Corrector.load(learned=args.learned, max_candidates=args.max_candidates, channel=args.channel)
    docs = list(itertools.islice(lee_heldout(), 2 * args.synthetic))
    sets = tuning_sets(docs, args.synthetic, args.seed)
    lattices = {
        name: [base.generator.lattices(split_sentences(spun)) for spun, _ in pairs]
        for name, pairs in sets.items()
    }
    article = (SHARED_DATA_DIR / "seed_spun_article.txt").read_text(encoding="utf-8")
    article_lattices = base.generator.lattices(split_sentences(article))
    names = ["dev", "article", "syn", "light", "clean"]
    print(
        "| beam | chw | pen | boost | prior | gate | "
        + " | ".join(f"{n} fix/broken/ERR" for n in names)
        + " |"
    )
    print("|---" * (6 + len(names)) + "|")
    oracle = {
        name: oracle_score((spun, lattices[name][i], original) for i, (spun, original) in enumerate(pairs))
        for name, pairs in sets.items()
    }
    cells = [f"{oracle[n].fix:.3f}/{oracle[n].broken:.3f}/{oracle[n].err:+.3f}" if n in oracle else "–"
             for n in names]
    print("| oracle | | | | | | " + " | ".join(cells) + " |", flush=True)
    best: tuple[float, str] | None = None
    grid = itertools.product(args.beams, args.weights, args.penalties, args.boosts, args.priors, args.gates)
    for beam, weight, penalty, boost, prior, gate in grid:
        corrector = base.with_settings(
            beam=beam,
            channel_weight=weight,
            change_penalty=penalty,
            consistency_boost=boost,
            spin_prior_weight=prior,
            min_spun_score=gate,
        )
        scores = {name: evaluate(corrector, pairs, lattices[name]) for name, pairs in sets.items()}
        scores["article"] = evaluate_in_article(corrector, article, article_lattices)
        cells = [f"{scores[n].fix:.3f}/{scores[n].broken:.3f}/{scores[n].err:+.3f}" for n in names]
        row = f"| {beam} | {weight} | {penalty} | {boost} | {prior} | {gate} | " + " | ".join(cells) + " |"
        print(row, flush=True)
        if max(scores[n].broken for n in names) <= 0.02:
            mean = sum(scores[n].err for n in ["dev", "article", "syn", "light"]) / 4
            if best is None or mean > best[0]:
                best = (mean, row)
    if best:
        print(
            f"\nbest (mean ERR of dev/article/syn/light {best[0]:+.3f}, broken ≤ 2% on all sets): {best[1]}"
        )


if __name__ == "__main__":
    main()
