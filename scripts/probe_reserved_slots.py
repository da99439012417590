"""Would reserving cap slots for frequent news words put real spinners' originals among the candidates?

    PYTHONPATH=. .venv/bin/python scripts/probe_reserved_slots.py

Issue 23's misses are frequent originals ranked below the decoder's cap (prime ← top, individuals ←
people). The rule probed: of a spun key's candidates uncapped (whole-phrase keys, as
``scripts/probe_ranking.py``), the first 12 − R by the channel's static score, then the R most
frequent of the rest with wordfreq Zipf ≥ Z. Prints recall at 12 on the design swaps and the dev
substitutions for each (R, Z); (0, –) is today's cut.
"""

from __future__ import annotations

from wordfreq import zipf_frequency

from corrector.candidates.generator import CandidateGenerator
from corrector.research import spin_pairs

CAP = 12


def recall(generator: CandidateGenerator, pairs: list[tuple[str, str]], reserved: int, floor: float) -> float:
    hits = 0
    for spun, original in pairs:
        names = [o for _, o, _ in generator._compute_ranked(spun, spun.split())]
        rest = sorted((o for o in names[CAP - reserved :] if zipf_frequency(o, "en") >= floor),
                      key=lambda o: -zipf_frequency(o, "en"))
        hits += original in names[: CAP - reserved] + rest[:reserved]
    return hits / max(len(pairs), 1)


def main() -> None:
    generator = CandidateGenerator.load()
    generator._list_cap = 10**6  # every candidate, not the shipped head
    design = [(s.spun, s.original) for s in spin_pairs.design_substitutions()]
    dev = [(s.spun, s.original) for s in spin_pairs.aligned(spin_pairs.dev_pairs(), "dev")] \
        if spin_pairs.DEV_FILE.exists() else []
    print(f"{'reserved':>8s} {'min Zipf':>8s} {'design':>7s} {'dev':>7s}")
    for reserved, floor in ((0, 0.0), (1, 5.0), (2, 5.0), (2, 5.5), (3, 5.0), (4, 5.0), (4, 4.5)):
        found = [recall(generator, pairs, reserved, floor) for pairs in (design, dev)]
        print(f"{reserved:8d} {floor if reserved else float('nan'):8.1f} {found[0]:7.3f} {found[1]:7.3f}")


if __name__ == "__main__":
    main()
