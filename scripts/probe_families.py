"""How many tokens the neural LM runs for the teacher's questions, with families cut at their
weakest link (shipped) and without the cut (each run of texts that begin alike one family).

    CORRECTOR_FAST=0 PYTHONPATH=. .venv/bin/python scripts/probe_families.py ARTICLE...
    CORRECTOR_FAST=0 PYTHONPATH=. .venv/bin/python scripts/probe_families.py \
        --set "mixed ×4 by spinner" --documents 24

The first form records the (window, variant) pairs the teacher asks on each article read alone
(``corrector correct ARTICLE``); the second, those of a set of ``benchmarks/feed.py`` restored as
one feed (``Corrector.correct_feed``, with the set's groups where it has them, as ``corrector
correct --group-by site`` does). Each recorded call is then scored again both ways: the tokens run
through the transformer (anchors whole, other members from their first differing token), the
time (the process's cores, as the teacher runs), and how far the gains moved.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from probe_int8_teacher import teacher_calls  # this directory is on sys.path as a script

import corrector.lm.neural as neural
from corrector.lm.neural import NeuralLM


def feed_calls(name: str, documents: int) -> tuple[NeuralLM, list[list[tuple[str, str]]]]:
    """The neural LM and the pairs its teacher asked on ``documents`` of a feed.py set, as a feed."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import feed  # type: ignore[import-not-found]

    from corrector import Corrector

    docs = feed.sets(48)[name][:documents]
    groups = feed.GROUPS.get(name)
    rounds: list[list[tuple[str, str]]] = []
    gains = NeuralLM.gains

    def recorded(self: NeuralLM, pairs: Any) -> list[float]:
        rounds.append(list(pairs))
        return gains(self, pairs)

    NeuralLM.gains = recorded  # type: ignore[method-assign]
    try:
        corrector = Corrector.load(neural="default")
        corrector.correct_feed([spun for spun, _ in docs], None, groups[:documents] if groups else None)
    finally:
        NeuralLM.gains = gains  # type: ignore[method-assign]
    assert corrector.neural is not None
    return corrector.neural, rounds


def replay(lm: NeuralLM, rounds: list[list[tuple[str, str]]]) -> tuple[float, int, int, list[float]]:
    """Seconds, anchor tokens and suffix tokens run, and the gains, of every recorded call."""
    tokens = {"anchor": 0, "suffix": 0}
    run = NeuralLM._run

    def counted(self: NeuralLM, sequences: Any, offsets: Any, keep: bool = False, past: Any = None,
                **kw: Any) -> Any:
        tokens["anchor" if past is None else "suffix"] += sum(map(len, sequences))
        return run(self, sequences, offsets, keep, past, **kw)

    NeuralLM._run = counted  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        gains = [g for pairs in rounds for g in lm.gains(pairs)]
        return time.perf_counter() - started, tokens["anchor"], tokens["suffix"], gains
    finally:
        NeuralLM._run = run  # type: ignore[method-assign]


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("articles", nargs="*", type=Path)
    parser.add_argument("--set", help="a benchmarks/feed.py set, restored as one feed")
    parser.add_argument("--documents", type=int, default=24)
    args = parser.parse_args()
    if args.set:
        lm, rounds = feed_calls(args.set, args.documents)
    else:
        corrector, rounds = teacher_calls(args.articles)
        assert corrector.neural is not None
        lm = corrector.neural
    print(f"{len(rounds)} calls, {sum(map(len, rounds))} pairs")
    lm.gains(rounds[0][:8])  # warm: the weights paged in
    cut = neural._cut
    results = {}
    for label in ("not cut", "cut (shipped)"):
        if label == "not cut":
            neural._cut = lambda sequences, group, links: [neural._anchored(sequences, group, links)[0]]
        else:
            neural._cut = cut
        seconds, anchors, suffixes, gains = replay(lm, rounds)
        results[label] = np.array(gains)
        counts = f"anchors {anchors:,}, suffixes {suffixes:,}, all {anchors + suffixes:,}"
        print(f"{label:14s} {seconds:7.2f} s  tokens: {counts}")
    moved = np.abs(results["cut (shipped)"] - results["not cut"])
    print(f"gains moved (log10): max {moved.max():.2e}, mean {moved.mean():.2e}")


if __name__ == "__main__":
    main()
