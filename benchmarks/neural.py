"""Neural verification (``--neural``) against the n-gram decoder alone: the tuning table and speed.

    python benchmarks/neural.py [--thresholds 2 2.5 3] [--decoder-weights 1] [--proposals 0.25]
                                [--candidates 0 6] [--gates 0.4 0.5] [--consistency 0 0.5]
                                [--windows 0 10] [--budgets 0 10] [--reuters 25]

``--budgets``: the teacher's pair types judged per 100 words (``corrector.restore.teacher``; the
``--neural`` default); 0 is the per-sentence selection and verification the other grids tune.

Sets: as ``benchmarks/tune.py`` (dev = 12 real pairs alone, article = the same pairs inside the
seed article, syn / light = held-out ``lee.cor`` spun heavily / lightly, clean = ``lee.cor``
unspun), plus the first ``--reuters`` pairs of two held-out Reuters sets from ``make eval-data``
(``all`` = spun with the restorer's own thesauri, ``user`` = a dictionary it does not know).
Cells are fix / broken / ERR. Neural scores of each sentence variant are cached across settings,
so the grid costs one neural pass per proposal penalty, candidate count, gate and window; the words/s
line after a row is that pass.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tune import evaluate, evaluate_in_article, tuning_sets

from corrector import Corrector, settings
from corrector.builders.corpus import lee_heldout
from corrector.defaults import PROJECT_DIR, SHARED_DATA_DIR
from corrector.restore.verify import MemoScorer, SentenceScorer

EVAL_DIR = PROJECT_DIR / "build" / "eval"


class CachedScorer(MemoScorer):
    """The neural LM with one cache of text → log10 P for every setting of the grid, timed."""

    def __init__(self, lm: SentenceScorer) -> None:
        super().__init__(lm)
        self.seconds = 0.0

    def logprob(self, texts: Sequence[str]) -> list[float]:
        start = time.perf_counter()
        scores = super().logprob(texts)
        self.seconds += time.perf_counter() - start
        return scores

    def fingerprint(self) -> str:
        return self.scorer.fingerprint()  # type: ignore[attr-defined, no-any-return]


def reuters(name: str, n: int) -> list[tuple[str, str]]:
    path = EVAL_DIR / f"reuters_pairs_{name}.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    return [(r["spun"], r["original"]) for r in rows[:n]]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--thresholds", type=float, nargs="+", default=[1.5, 2.0, 2.5, 3.0])
    parser.add_argument("--decoder-weights", type=float, nargs="+", default=[0.5, 1.0])
    parser.add_argument("--proposals", type=float, nargs="+", default=[0.25])
    parser.add_argument("--candidates", type=int, nargs="+", default=[0, 6], help="neural candidates per arc")
    parser.add_argument("--gates", type=float, nargs="+", default=[0.4, 0.5])
    parser.add_argument(
        "--consistency", type=float, nargs="+", default=[0.0, 0.5], help="neural consistency weights"
    )
    parser.add_argument(
        "--windows", type=int, nargs="+", default=[0, 10], help="selection windows (words past the edit)"
    )
    parser.add_argument(
        "--budgets", type=float, nargs="+", default=[settings.DEFAULTS["neural_budget"]],
        help="teacher budgets (pair types per 100 words; 0: per-sentence selection and verification)",
    )
    parser.add_argument("--synthetic", type=int, default=20, help="lee.cor documents to spin")
    parser.add_argument("--reuters", type=int, default=25, help="pairs of each held-out Reuters set")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    ngram = Corrector.load()
    neural = Corrector.load(neural="default")
    scorer = CachedScorer(neural.neural)
    neural.neural = scorer
    docs = list(itertools.islice(lee_heldout(), 2 * args.synthetic))
    sets = tuning_sets(docs, args.synthetic, args.seed)
    sets |= {"reuters-all": reuters("all", args.reuters), "reuters-user": reuters("user", args.reuters)}
    sets = {name: pairs for name, pairs in sets.items() if pairs}
    lattices = {name: [ngram.lattices(spun) for spun, _ in pairs] for name, pairs in sets.items()}
    article = (SHARED_DATA_DIR / "seed_spun_article.txt").read_text(encoding="utf-8")
    article_lattices = ngram.lattices(article)
    names = ["dev", "article", *[n for n in sets if n != "dev"]]
    tuning = ["dev", "article", "syn", "light"]
    print(f"signature: {neural.signature_fields()}")
    print("| setting | " + " | ".join(names) + " | mean ERR (dev/article/syn/light) |")
    print("|---" * (len(names) + 2) + "|")

    def row(label: str, corrector: Corrector) -> None:
        scores = {name: evaluate(corrector, pairs, lattices[name]) for name, pairs in sets.items()}
        scores["article"] = evaluate_in_article(corrector, article, article_lattices)
        cells = [f"{scores[n].fix:.3f}/{scores[n].broken:.3f}/{scores[n].err:+.3f}" for n in names]
        mean = sum(scores[n].err for n in tuning) / len(tuning)
        print(f"| {label} | " + " | ".join(cells) + f" | {mean:+.3f} |", flush=True)

    row("n-gram decoder alone (default)", ngram)
    words = sum(len(spun.split()) for pairs in sets.values() for spun, _ in pairs) + len(article.split())
    passes = itertools.product(
        args.budgets, args.proposals, args.candidates, sorted(args.gates), args.windows
    )
    for budget, proposal, candidates, gate, window in passes:
        grid = itertools.product(args.thresholds, args.decoder_weights, args.consistency)
        for threshold, weight, consistency in grid:
            corrector = neural.with_settings(
                proposal_penalty=proposal,
                min_spun_score=gate,
                neural_threshold=threshold,
                neural_decoder_weight=weight,
                neural_candidates=candidates,
                neural_consistency=consistency,
                neural_window=window,
                neural_budget=budget,
            )
            before = scorer.seconds
            label = (
                f"neural: budget {budget}, proposal {proposal}, candidates {candidates}, gate {gate}, "
                f"window {window}, threshold {threshold}, weight {weight}, consistency {consistency}"
            )
            start = time.perf_counter()
            row(label, corrector)
            spent = time.perf_counter() - start
            # The first setting of each (proposal, candidates, gate) pays the neural pass: its speed.
            if scorer.seconds - before > 1.0:
                print(f"|   (neural pass: {words} words in {spent:.0f} s = {words / spent:.0f} words/s) |")


if __name__ == "__main__":
    main()
