"""Restoration speed on one core with the default model and beam, and the ratio to raw KenLM.

    python benchmarks/speed.py [--model DIR] [--sentences N] [--beam B]

Input: N sentences of gensim's held-out ``lee.cor`` spun by the project's spinner (seed 1), as
documents of ~20 sentences. Reports words/s of ``Corrector.correct`` (sentence splitting, lattice,
beam search, result assembly) and of raw ``kenlm.Model.score`` on the same spun sentences.
"""

from __future__ import annotations

import argparse
import time

import kenlm

from corrector import Corrector
from corrector.builders.corpus import lee_heldout
from corrector.defaults import default_model_dir
from corrector.lm.kenlm import MODEL_FILE
from corrector.research.spinner import Spinner
from corrector.settings import DEFAULTS
from corrector.text.tokens import normalize_line, split_sentences


def spun_documents(n_sentences: int) -> list[str]:
    spinner = Spinner(seed=1)
    sentences: list[str] = []
    while len(sentences) < n_sentences:
        for doc in lee_heldout():
            spun = spinner.spin(doc).spun
            sentences.extend(spun[s.start : s.end] for s in split_sentences(spun))
            if len(sentences) >= n_sentences:
                break
    sentences = sentences[:n_sentences]
    return [" ".join(sentences[i : i + 20]) for i in range(0, len(sentences), 20)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=str(default_model_dir()))
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--beam", type=int, default=DEFAULTS["beam"])
    args = parser.parse_args()

    documents = spun_documents(args.sentences)
    started = time.perf_counter()
    corrector = Corrector.load(args.model, beam=args.beam)
    load = time.perf_counter() - started

    words = sum(len(s.tokens) for doc in documents for s in split_sentences(doc))
    rates = []
    for _ in range(2):  # first pass: cold candidate caches; second: steady state of a long batch job
        edits = 0
        started = time.perf_counter()
        for doc in documents:
            edits += len(corrector.correct(doc).edits)
        rates.append(words / (time.perf_counter() - started))

    raw = kenlm.Model(f"{args.model}/{MODEL_FILE}")
    lines = [normalize_line(s) for doc in documents for s in [doc]]
    started = time.perf_counter()
    for line in lines:
        raw.score(line)
    raw_elapsed = time.perf_counter() - started

    print(f"load              {load:.2f} s (LM mmap + candidate tables)")
    print(
        f"restoration       {rates[0]:,.0f} words/s first pass (cold candidate caches), {rates[1]:,.0f} "
        f"words/s second pass (warm)  [{words:,} words, {len(documents)} documents, beam {args.beam}, "
        f"{edits:,} edits]"
    )
    print(f"raw KenLM score() {words / raw_elapsed:,.0f} words/s on the same text")
    cold, warm = (rate * raw_elapsed / words for rate in rates)
    print(f"ratio             {cold:.4f} cold, {warm:.4f} warm (restoration / raw scoring speed)")


if __name__ == "__main__":
    main()
