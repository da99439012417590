"""Where the default path's teacher loses the spinner's true pairs, per simulator profile.

    PYTHONPATH=. .venv/bin/python scripts/probe_teacher_losses.py [--articles 5]

Each profile of ``benchmarks/feed.py`` spins ``--articles`` whole articles (four lee.cor documents
each, as its ``×4`` sets); each is restored as ``corrector correct ARTICLE`` does by default
(``Corrector.correct_feed([article], 1)``), and every spun occurrence the spinner made is put in
one class, by what became of its (spun form, original) type:

- ``decided``: the teacher decided the form and chose this original;
- ``judged, rejected`` / ``judged, another won``: the type was scored, and the form kept, or
  another original chosen;
- ``not selected``: the pair model proposed the type, but the teacher did not score it (posterior
  × the form's count below ``FEED_MIN_PROBABILITY``, or beyond ``FEED_ORIGINALS`` per form);
- ``not proposed``: no candidate of the lattice was this original (candidate recall).

Then a second table: of the forms the teacher scored, how the decisions would change if the
pair model's posterior weighed in the teacher's score (score + w · (log10 odds − c)), or if an
original were scored only when its posterior is at least r × its form's best (fewer types to
score): fixed / broken / wrong occurrences of the forms decided, and the share of types scored.
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
from typing import Any

from corrector import Corrector
from corrector.builders.corpus import lee_heldout
from corrector.defaults import PROJECT_DIR
from corrector.research.spinner import Spinner
from corrector.restore import document, teacher

sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
import feed  # the benchmark's profiles

ARTICLE = 4


def _log10_odds(probability: float) -> float:
    p = min(max(probability, 1e-4), 1 - 1e-4)
    return math.log10(p / (1 - p))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5)
    args = parser.parse_args()

    seen: dict[str, Any] = {}
    teach_feed_steps, best_types = teacher.teach_feed_steps, teacher._best_types

    def recorded_teach_feed_steps(judged: Any, *rest: Any, **options: Any) -> Any:
        seen["judged"] = list(judged)
        seen["decided"] = yield from teach_feed_steps(judged, *rest, **options)
        return seen["decided"]

    def recorded_best_types(candidates: Any, gains: Any, weights: Any, shifts: Any = None) -> Any:
        # The last call holds the final gains (after the second judgement, with its n-gram shifts).
        seen["scored"] = [
            (d, sum(found) / len(found)
             + weights.decoder_weight * (d.mean_gain + (shifts or {}).get((d.spun, d.original), 0.0)
                                         - weights.proposal_penalty)
             - weights.threshold)
            for d in candidates if (found := gains.get((d.spun, d.original)))
        ]
        return best_types(candidates, gains, weights, shifts)

    document.teach_feed_steps = recorded_teach_feed_steps  # type: ignore[assignment]
    teacher._best_types = recorded_best_types  # type: ignore[assignment]
    corrector = Corrector.load(neural="default")
    lee = list(lee_heldout())[: ARTICLE * args.articles]
    forms_scored: list[tuple[str, list[tuple[Any, float]], collections.Counter[tuple[str, str]]]] = []
    print(f"{'profile':12s} {'spun':>5s}  share of the spinner's occurrences")
    for name, config in feed.PROFILES.items():
        if name == "dictionary, earlier draw":
            continue
        spinner = Spinner(config)
        classes: collections.Counter[str] = collections.Counter()
        for a in range(args.articles):
            spun, truth = [], collections.Counter()
            for i in range(ARTICLE * a, ARTICLE * (a + 1)):
                result = spinner.spin(lee[i], str(i))
                spun.append(result.spun)
                truth.update((e.spun.lower(), e.original.lower()) for e in result.edits)
            seen.clear()
            corrector.correct_feed(["\n\n".join(spun)], 1)
            judged = {(d.spun, d.original) for d in seen.get("judged", [])}
            scored = {(d.spun, d.original) for d, _ in seen.get("scored", [])}
            decided = {d.spun: d.original for d in seen.get("decided", [])}
            for (form, original), count in truth.items():
                if decided.get(form) == original:
                    kind = "decided"
                elif (form, original) in scored:
                    kind = "judged, another won" if decided.get(form, form) != form else "judged, rejected"
                elif (form, original) in judged:
                    kind = "not selected"
                else:
                    kind = "not proposed"
                classes[kind] += count
            forms_scored.append((name, seen.get("scored", []), truth))
        total = sum(classes.values())
        shares = ", ".join(f"{kind} {n / total:.3f}" for kind, n in classes.most_common())
        print(f"{name:12s} {total:5d}  {shares}", flush=True)

    print("\nforms scored: fixed / broken / wrong occurrences, share of types scored")
    variants = [("shipped", 0.0, 0.0, 0.0), ("w 0.5, c -1", 0.5, -1.0, 0.0), ("w 1, c -1", 1.0, -1.0, 0.0),
                ("w 1, c 0", 1.0, 0.0, 0.0), ("r 0.3", 0.0, 0.0, 0.3), ("r 0.5", 0.0, 0.0, 0.5)]
    for label, weight, centre, ratio in variants:
        cells = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
        for name, scored_types, truth in forms_scored:
            spun_counts: collections.Counter[str] = collections.Counter()
            for (form, _), count in truth.items():
                spun_counts[form] += count
            by_form: dict[str, list[tuple[Any, float]]] = collections.defaultdict(list)
            for d, score in scored_types:
                by_form[d.spun].append((d, score))
            cell = cells[name]
            for form, types in by_form.items():
                top = max(d.probability for d, _ in types)
                kept = [(d, s) for d, s in types if d.probability >= ratio * top]
                cell[3] += len(kept)
                cell[4] += len(types)
                odds = [(d, s + weight * (_log10_odds(d.probability) - centre)) for d, s in kept]
                d, score = max(odds, key=lambda item: item[1])
                if score > 0:
                    right = truth.get((form, d.original), 0)
                    cell[0] += right
                    cell[1] += max(d.spun_count - spun_counts[form], 0)
                    cell[2] += spun_counts[form] - right
        row = "  ".join(f"{n}: {c[0]}/{c[1]}/{c[2]} {c[3] / max(c[4], 1):.2f}" for n, c in cells.items())
        print(f"{label:12s} {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
