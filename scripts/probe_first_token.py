"""Could the teacher skip a variant by its first token? A measurement, not a feature.

    PYTHONPATH=. .venv/bin/python scripts/probe_first_token.py [--sets "dictionary ×4,dev article"]
        [--documents 48]

Each set of ``benchmarks/feed.py`` is restored as ``corrector correct ARTICLE`` does by default,
and every (window, variant) pair the neural teacher asks is recorded with its gain (log10) and
the gain of its first differing token alone (the variant's token against the spun window's, read
from the state both share). Were the first token's gain enough to tell a hopeless variant, the
rest of its window (~5 tokens a variant, half of a single article's neural work) could be
skipped. Printed: the share of pairs and of their tokens a first-token cut would skip, how many
of those had a gain above −1, 0 and 1, and how far the whole gain lies from the first token's.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "benchmarks"))

import feed  # noqa: E402

from corrector import Corrector  # noqa: E402
from corrector.lm import neural  # noqa: E402

# (first token's gain, whole gain, the variant's tokens from its difference on)
Recorded = tuple[float, float, int]


def recording_gains(records: list[Recorded]) -> object:
    """``NeuralLM.gains`` as it is, also recording each pair's first token's gain (scored apart,
    in one more call per call)."""
    shipped = neural.NeuralLM.gains

    def gains(self: neural.NeuralLM, pairs: Sequence[tuple[str, str]]) -> list[float]:
        out = shipped(self, pairs)
        sequences, starts = [], []
        for base, variant in pairs:
            ids = [[self.bos, *self.encode(text)] for text in (base, variant)]
            first = max(1, neural._common_prefix(*ids))
            sequences.extend(ids)
            starts.extend([first, first])
        values = self._scores(sequences, starts)
        for i, whole in enumerate(out):
            spun, swapped = values[2 * i], values[2 * i + 1]
            head = (float(swapped[0]) - float(spun[0])) / math.log(10)
            records.append((head, whole, len(sequences[2 * i + 1]) - starts[2 * i + 1]))
        return out

    return gains


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = "dictionary ×4,light ×4,wordpress ×4,thesaurus ×4,dev article,real reconstructed"
    parser.add_argument("--sets", default=default)
    parser.add_argument("--documents", type=int, default=48)
    args = parser.parse_args()
    records: list[Recorded] = []
    neural.NeuralLM.gains = recording_gains(records)  # type: ignore[method-assign]
    corrector = Corrector.load().with_neural()
    data = feed.sets(args.documents)
    for name in args.sets.split(","):
        for spun, _ in data[name]:
            corrector.correct_feed([spun], 1)
    tokens = sum(r[2] for r in records)
    print(f"{len(records):,} pairs, {tokens:,} variant tokens from their difference on")
    print("cut (first token's gain below)  pairs  tokens  gain > -1  gain > 0  gain > 1")
    for cut in (1.0, 1.5, 2.0, 3.0, 4.0):
        skipped = [r for r in records if r[0] < -cut]
        share = sum(r[2] for r in skipped) / max(tokens, 1)
        above = [sum(r[1] > g for r in skipped) for g in (-1, 0, 1)]
        counts = " ".join(f"{n:9d}" for n in above)
        print(f"{-cut:>30.1f}  {len(skipped) / len(records):5.2f}  {share:6.2f}  {counts}")
    rest = [whole - head for head, whole, _ in records]
    mean, spread = statistics.mean(rest), statistics.pstdev(rest)
    print(f"whole gain − first token's: mean {mean:+.2f}, sd {spread:.2f} log10")


if __name__ == "__main__":
    main()
