"""Where the default path's edits on single articles go right and wrong, per simulator profile.

    PYTHONPATH=. .venv/bin/python scripts/probe_teacher_edits.py [--sets "dictionary ×4,wordpress ×4"]
        [--documents 48]

Each set of ``benchmarks/feed.py`` (whole articles of four lee.cor documents) is restored as
``corrector correct ARTICLE`` does by default (``Corrector.correct_feed([article], 1)``), and every
edit is put in one class by what it did to the text:

- ``fix``: the span was spun and the edit wrote (part of) the aligned original;
- ``wrong``: the span was spun, but the edit wrote something else;
- ``broken``: every word of the span was the wire text's own: the edit broke correct words.

and by where it came from: ``decided`` (its pair type is one of the teacher's decisions) or
``undecided`` (an n-gram edit of a form the teacher left open). A broken edit is ``spinner form``
when its pair type is one the spinner used elsewhere in the set (the wire text used the spun
form too), else ``not the spinner's`` (the teacher restored a form the spinner never made).
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "benchmarks"))

import feed  # noqa: E402

from corrector import Corrector  # noqa: E402
from corrector.research import metrics  # noqa: E402
from corrector.text.results import Restoration  # noqa: E402
from corrector.text.tokens import split_sentences  # noqa: E402


def classify(
    spun: str, original: str, restoration: Restoration, decided: set[tuple[str, str]]
) -> list[tuple[str, str, str, str]]:
    """(origin, verdict, spun span, restored) of each edit of ``restoration``, under the alignment
    the metrics use (:func:`corrector.research.metrics.regions`), so that the broken edits here
    are the broken words ``benchmarks/feed.py`` counts. (A word-level ``difflib`` alignment, used
    before, pairs a spun word with a like word of the original sentences away once a long text is
    heavily spun, and called restored spins broken.)"""
    spun_tokens = [t for s in split_sentences(spun) for t in s.tokens]
    source = [metrics.normalize(t.text) for t in spun_tokens]
    target = metrics.tokens(original)
    region_of = {i: (b1, b2) for a1, a2, b1, b2 in metrics.regions(source, target)[1] for i in range(a1, a2)}
    out = []
    for edit in restoration.edits:
        covered = [i for i, t in enumerate(spun_tokens) if t.start >= edit.start and t.end <= edit.end]
        pair = (edit.spun.lower(), edit.restored.lower())
        origin = "decided" if pair in decided else "undecided"
        blocks = {region_of[i] for i in covered if i in region_of}
        if not blocks:
            verdict = "broken"
        else:
            written = metrics.tokens(edit.restored)
            verdict = "fix" if any(_within(written, target[b1:b2]) for b1, b2 in blocks) else "wrong"
        out.append((origin, verdict, edit.spun, edit.restored))
    return out


def _within(part: list[str], whole: list[str]) -> bool:
    """``part`` is a run of ``whole``'s tokens (part of the aligned original)."""
    n = len(part)
    return any(whole[i : i + n] == part for i in range(len(whole) - n + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="dictionary ×4,wordpress ×4")
    parser.add_argument("--documents", type=int, default=48)
    args = parser.parse_args()
    data = feed.sets(args.documents)
    corrector = Corrector.load().with_neural()
    for name in args.sets.split(","):
        counts: collections.Counter[tuple[str, str]] = collections.Counter()
        broken_types: collections.Counter[tuple[str, str]] = collections.Counter()
        applied = feed.APPLIED.get(name.split(" ×")[0], set())
        spinner_form = 0
        for spun, original in data[name]:
            taught = corrector.correct_feed([spun], 1)
            decided = {(d.spun, d.original) for d in taught.decisions if not d.kept}
            for origin, verdict, span, restored in classify(spun, original, taught.restorations[0], decided):
                counts[origin, verdict] += 1
                if verdict == "broken":
                    broken_types[span.lower(), restored.lower()] += 1
                    spinner_form += (span.lower(), restored.lower()) in applied
        total = sum(counts.values())
        print(f"== {name}: {len(data[name])} articles, {total} edits")
        for (origin, verdict), n in sorted(counts.items()):
            print(f"  {origin:10s} {verdict:7s} {n:5d}  {n / max(total, 1):6.1%}")
        broken = sum(broken_types.values())
        print(f"  broken: {spinner_form} at a spinner form, {broken - spinner_form} not the spinner's; "
              f"{len(broken_types)} types, commonest: "
              + ", ".join(f"{s} → {r} ×{n}" for (s, r), n in broken_types.most_common(8)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
