"""The teacher's score against its neighbours: each form's decision recomputed under other weights.

    CORRECTOR_FAST=0 PYTHONPATH=. .venv/bin/python scripts/probe_teacher_weights.py
        [--sets "real reconstructed,dev article,clean ×4,light ×4"]   (default: SETS below)
        [--grid count|channel]

Each document of those ``benchmarks/feed.py`` sets is restored as ``corrector correct ARTICLE``
does by default (``Corrector.correct_feed([text], 1)``), and a wrapper of
``teacher._best_types`` records the last round's components of every type the teacher scored:
its neural gains, n-gram gain and shift, displacement, form count and channel log10 probability
(``PairDecision.channel``; the n-gram gain is the n-gram LM's gain + ``channel_weight`` × that).
Each form's decision is then recomputed offline under

    a · mean neural gain + b · (n-gram LM gain) + d · channel − proposal penalty − t
      + displacement + c · log10 (the form's count)

for a grid of (a, b, d, t, c) (``--grid count``: d = b · ``channel_weight``, so b weighs the whole
n-gram gain as the shipped score does, over a, b, t and c; ``--grid channel``: the channel apart,
c = 0), and counted against the aligned originals: a decided form whose (form, original) is an aligned
pair of its document is *fixed*, one whose form is spun but with another original *wrong*, one whose
form the wire text wrote *broken*, each weighted by the form's count (of a form's types that pass,
the one the teacher chooses: ``teacher.CHOICE_CHANNEL_WEIGHT``). The first row is the shipped score
(1, 1, 2, 3, 0 today) in counts, the others its differences. Offline: the decisions' interplay
(rounds in restored context, the decoder, the gate) is not replayed, so a promising point needs an
end-to-end run (docs/experiments.md, "Long articles, and the teacher's score against its
neighbours").
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
from corrector.research.metrics import regions, tokens
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
    channel: float  # the channel's log10 probability of the pair (its best, over its proposals)
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
                last.append(Scored(d.spun, d.original, sum(found) / len(found), d.mean_gain + shift,
                                   d.channel, moved, d.spun_count))
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
    return {(" ".join(s[a1:a2]), " ".join(o[b1:b2])) for a1, a2, b1, b2 in regions(s, o)[1]}


def outcome(scored: list[Scored], aligned: set[tuple[str, str]], weights: tuple[float, ...],
            penalty: float, channel_weight: float) -> tuple[int, int, int]:
    """(fixed, wrong, broken) form occurrences of one document's decisions under ``weights``."""
    a, b, d, t, c = weights
    by_form: dict[str, list[tuple[float, Scored]]] = {}
    for x in scored:
        lm_gain = x.ngram - channel_weight * x.channel
        score = (a * x.neural + b * lm_gain + d * x.channel - penalty - t + x.displacement
                 + c * math.log10(max(x.count, 1)))
        by_form.setdefault(x.spun, []).append((score, x))
    spun_forms = {form for form, _ in aligned}
    fixed = wrong = broken = 0
    for form, types in by_form.items():
        score, x = teacher.decided_type(types)  # as the teacher chooses
        if score <= 0:
            continue
        if (form, x.original) in aligned:
            fixed += x.count
        elif form in spun_forms:
            wrong += x.count
        else:
            broken += x.count
    return fixed, wrong, broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=SETS)
    parser.add_argument("--grid", choices=("count", "channel"), default="count")
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

    cw = corrector.config.channel_weight
    if args.grid == "count":
        others = [(a, b, b * cw, t, c) for a, b, t, c in itertools.product(
            (0.5, 0.75, 1.0), (1.0, 1.25, 1.5), (2.5, 3.0, 3.5), (0.0, 0.5, 1.0))]
    else:
        channel_weights = (0.0, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0)
        others = [(a, b, d, t, 0.0) for a, b, d, t in itertools.product(
            (0.75, 1.0, 1.25), (0.5, 0.75, 1.0, 1.25), channel_weights, (2.0, 2.5, 3.0, 3.5))]
    # The shipped score first: the neural gain counts once, the n-gram gain as the decoder's.
    grid = [(1.0, shipped.decoder_weight, shipped.decoder_weight * cw, shipped.threshold, 0.0), *others]
    print("a, b, d, t, c | " + " | ".join(recorded) + "   (fixed r, broken b, wrong w)")
    base: list[tuple[int, int, int]] = []
    for weights in dict.fromkeys(grid):
        cells = []
        for docs in recorded.values():
            penalty = shipped.proposal_penalty
            counts = [outcome(scored, aligned, weights, penalty, cw) for scored, aligned in docs]
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
