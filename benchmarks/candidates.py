"""Lattice construction speed (tokens/s, one core) and table load time.

Documents are gensim's Lee background articles (ABC news), spun by ``corrector.research.spinner``
(seed 1), cut to ``--sentences`` sentences. The first pass is cold (a fresh generator, empty
caches: what a new process sees on its first batch; the table's precomputed lists and the
dictionaries loaded by ``CandidateGenerator.load`` are there), the second warm (what a
long-running corrector sees). Each pass prints wall-clock and process CPU tokens/s: on a busy
machine the CPU figure is the one-core speed.

    .venv/bin/python benchmarks/candidates.py [--sentences 2000] [--dump FILE]

``--dump`` writes every arc (span, candidates, log-probs) as JSONL, to diff two versions.
"""

from __future__ import annotations

import argparse
import json
import time

from corrector.text.tokens import Sentence, split_sentences


def documents(n_sentences: int) -> list[list[Sentence]]:
    """Spun Lee background articles, one sentence list per article, ≥ ``n_sentences`` in all."""
    from corrector.builders.corpus import lee_background
    from corrector.research.spinner import Spinner

    spinner = Spinner(seed=1)
    docs, total = [], 0
    for article in lee_background():
        sentences = split_sentences(spinner.spin(article.strip()).spun)
        docs.append(sentences)
        total += len(sentences)
        if total >= n_sentences:
            break
    return docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--dump", help="write the cold-pass arcs as JSONL here")
    args = parser.parse_args()
    docs = documents(args.sentences)
    tokens = sum(len(s.tokens) for doc in docs for s in doc)
    sentences = sum(len(doc) for doc in docs)
    started = time.perf_counter()
    from corrector.candidates.generator import CandidateGenerator

    gen = CandidateGenerator.load()
    print(f"load (imports + table + lemma/frequency dictionaries): {time.perf_counter() - started:.2f} s")
    shipped = len(gen._precomputed or ())
    print(f"precomputed ranked lists: {shipped:,}" if shipped else "precomputed ranked lists: unused")
    print(f"{len(docs)} documents, {sentences:,} sentences, {tokens:,} tokens")
    for label in ("cold", "warm"):
        started, cpu_started = time.perf_counter(), time.process_time()
        lattices = [gen.lattices(doc) for doc in docs]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        arcs = sum(len(lat.arcs) for doc in lattices for lat in doc)
        print(
            f"{label}: {tokens:,} tokens in {seconds:.2f} s = {tokens / seconds:,.0f} tokens/s "
            f"(CPU {cpu:.2f} s = {tokens / cpu:,.0f} tokens/s), {arcs / tokens:.2f} arcs/token"
        )
        if label == "cold" and args.dump:
            with open(args.dump, "w", encoding="utf-8") as f:
                for doc in lattices:
                    for lat in doc:
                        for arc in lat.arcs:
                            cands = [[c.text, c.logprob, list(c.sources)] for c in arc.candidates]
                            f.write(json.dumps([lat.sentence.start, arc.start, arc.end, cands]) + "\n")


if __name__ == "__main__":
    main()
