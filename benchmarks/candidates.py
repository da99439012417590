"""Lattice construction speed (tokens/s, one core) and table load time.

Documents are 20-sentence slices of the LM corpus, spun by ``corrector.spinner``; the first
pass is cold (empty caches), the second warm (what a long-running corrector sees).

    .venv/bin/python benchmarks/candidates.py [--sentences 2000]
"""

from __future__ import annotations

import argparse
import random
import time

from corrector.candidates import CandidateGenerator
from corrector.defaults import BUILD_DIR, SHARED_DATA_DIR
from corrector.text import detokenize, split_sentences


def documents(n: int) -> list[str]:
    path = BUILD_DIR / "corpus" / "news.txt"
    if not path.exists():  # no corpus built yet: the seed article, repeated
        return [(SHARED_DATA_DIR / "seed_spun_article.txt").read_text(encoding="utf-8")] * max(1, n // 40)
    from corrector.spinner import Spinner

    lines = path.read_text(encoding="utf-8").splitlines()
    picked = random.Random(1).sample(lines, n)
    spinner = Spinner()
    texts = [spinner.spin(detokenize(line.split())).spun for line in picked]
    return [" ".join(texts[i : i + 20]) for i in range(0, len(texts), 20)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    gen = CandidateGenerator.load()
    print(f"load (imports + table): {time.perf_counter() - started:.2f} s")
    docs = [split_sentences(text) for text in documents(args.sentences)]
    tokens = sum(len(s.tokens) for doc in docs for s in doc)
    for label in ("cold", "warm"):
        started = time.perf_counter()
        arcs = sum(len(lat.arcs) for doc in docs for lat in gen.lattices(doc))
        seconds = time.perf_counter() - started
        print(
            f"{label}: {tokens:,} tokens in {seconds:.2f} s = {tokens / seconds:,.0f} tokens/s, "
            f"{arcs / tokens:.2f} arcs/token"
        )


if __name__ == "__main__":
    main()
