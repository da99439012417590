"""The teacher's score against its neighbours: each form's decision recomputed under other weights.

    CORRECTOR_FAST=0 PYTHONPATH=. .venv/bin/python scripts/probe_teacher_weights.py
        [--sets "real reconstructed,dev article,clean ×4,light ×4"]   (default: SETS below)

Each document of those ``benchmarks/feed.py`` sets is restored as ``corrector correct ARTICLE``
does by default (``Corrector.correct_feed([text], 1)``), and a wrapper of
``teacher._best_types`` records the last round's components of every type the teacher scored:
its neural gains, n-gram gain and shift, displacement and its form's count. Each form's decision
is then recomputed offline under

    a · mean neural gain + b · (n-gram gain + shift − proposal penalty) − t + displacement
      + c · log10 (the form's count)

for a grid of (a, b, t, c), and counted against the aligned originals: a decided form whose
(form, original) is an aligned pair of its document is *fixed*, one whose form is spun but with
another original *wrong*, one whose form the wire text wrote *broken*, each weighted by the
form's count. The first row is the shipped score (1, 1, 3, 0 today) in counts, the others its
differences. Offline: the decisions' interplay (rounds in restored context, the decoder, the
gate) is not replayed, so a promising point needs an end-to-end run (docs/experiments.md, "Long
articles, and the teacher's score against its neighbours").
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from dataclasses import dataclass
from typing import Any

from corrector import Corrector
from corrector.defaults import PROJECT_DIR
from corrector.research.metrics import _regions, tokens
from corrector.restore import teacher
from corrector.restore.document import DocumentRestorer

sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
import feed  # the benchmark's sets

SETS = ("real reconstructed,dev article,clean ×4,light ×4,dictionary ×4,wordpress ×4,thesaurus ×4,"
        "mythes-only ×4")


@dataclass(frozen=True, slots=True)
class Scored:
    """One type the teacher scored: its last round's components."""

    spun: str
    original: str
    neural: float  # mean neural gain over its windows
    ngram: float  # n-gram gain + the shift measured in restored context
    displacement: float  # weighted, as the teacher adds it
    count: int  # the form's occurrences in the document


def record(corrector: Corrector, text: str) -> list[Scored]:
    """The types the teacher scored in ``text`` as a single article, at its last round."""
    last: list[Scored] = []
    best_types = teacher._best_types

    def recorded(candidates: Any, gains: Any, weights: Any, shifts: Any = None, frequency: Any = None) -> Any:
        last.clear()
        for d in candidates:
            found = gains.get((d.spun, d.original))
            if found:
                shift = (shifts or {}).get((d.spun, d.original), 0.0)
                moved = (frequency or {}).get((d.spun, d.original), 0.0)
                last.append(Scored(d.spun, d.original, sum(found) / len(found), d.mean_gain + shift, moved,
                                   d.spun_count))
        return best_types(candidates, gains, weights, shifts, frequency)

    teacher._best_types = recorded  # type: ignore[assignment]
    try:
        corrector.correct_feed([text], 1)
    finally:
        teacher._best_types = best_types  # type: ignore[assignment]
    return list(last)


def aligned_pairs(spun: str, original: str) -> set[tuple[str, str]]:
    """(spun words, original words) of every region where the two texts differ."""
    s, o = tokens(spun), tokens(original)
    return {(" ".join(s[a1:a2]), " ".join(o[b1:b2])) for a1, a2, b1, b2 in _regions(s, o)[1]}


def outcome(scored: list[Scored], pairs: set[tuple[str, str]], weights: tuple[float, ...],
            penalty: float) -> tuple[int, int, int]:
    """(fixed, wrong, broken) form occurrences of one document's decisions under ``weights``."""
    a, b, t, c = weights
    best: dict[str, tuple[float, Scored]] = {}
    for x in scored:
        score = a * x.neural + b * (x.ngram - penalty) - t + x.displacement + c * math.log10(max(x.count, 1))
        if x.spun not in best or score > best[x.spun][0]:
            best[x.spun] = (score, x)
    spun_forms = {form for form, _ in pairs}
    fixed = wrong = broken = 0
    for form, (score, x) in best.items():
        if score <= 0:
            continue
        if (form, x.original) in pairs:
            fixed += x.count
        elif form in spun_forms:
            wrong += x.count
        else:
            broken += x.count
    return fixed, wrong, broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=SETS)
    args = parser.parse_args()
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    data = feed.sets(48)
    corrector = Corrector.load().with_neural()
    shipped = DocumentRestorer(corrector.lm, corrector.config, corrector.neural).teacher_weights
    recorded: dict[str, list[tuple[list[Scored], set[tuple[str, str]]]]] = {}
    for name in names:
        if name not in data:
            print(f"no set {name!r} (its data is missing): skipped", file=sys.stderr)
            continue
        recorded[name] = [
            (record(corrector, spun), aligned_pairs(spun, original))
            for spun, original in data[name] if original is not None
        ]
        print(f"{name}: {len(recorded[name])} documents recorded", file=sys.stderr, flush=True)

    # The shipped score first: the neural gain counts once, no form-count term.
    others = itertools.product((0.5, 0.75, 1.0), (1.0, 1.25, 1.5), (2.5, 3.0, 3.5), (0.0, 0.5, 1.0))
    grid = [(1.0, shipped.decoder_weight, shipped.threshold, 0.0), *others]
    print("a, b, t, c | " + " | ".join(recorded) + "   (fixed r, broken b, wrong w)")
    base: list[tuple[int, int, int]] = []
    for weights in dict.fromkeys(grid):
        cells = []
        for docs in recorded.values():
            counts = [outcome(scored, pairs, weights, shipped.proposal_penalty) for scored, pairs in docs]
            cells.append(tuple(sum(c[i] for c in counts) for i in range(3)))
        if not base:
            base = cells
            row = " | ".join(f"{r}r {k}b {w}w" for r, w, k in cells)
        else:
            row = " | ".join(f"{r - r0:+d}r {k - k0:+d}b {w - w0:+d}w"
                             for (r, w, k), (r0, w0, k0) in zip(cells, base, strict=True))
        print(f"{weights} | {row}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
