"""Default-model numbers: build time, size, load time, raw KenLM scoring rate.

    python benchmarks/model.py [--model DIR] [--corpus FILE] [--sentences N]

Build time is read from the manifest (``make model`` records it); load time is measured here
(memory-mapped, so it is the open + header parse); scoring rate is ``score()`` on N corpus
sentences through the Python wrapper and through raw ``kenlm.Model.score``.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import kenlm

from corrector.defaults import DEFAULT_CORPUS_DIR, default_model_dir
from corrector.lm.kenlm import MODEL_FILE, KenlmModel, read_manifest


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=default_model_dir())
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS_DIR / "news.txt")
    parser.add_argument("--sentences", type=int, default=10_000)
    args = parser.parse_args()

    manifest = read_manifest(args.model)
    with args.corpus.open(encoding="utf-8") as handle:
        # Every 7th line: a spread over all sources rather than the first source only.
        sentences = [line.split() for line in itertools.islice(handle, 0, None, 7)][: args.sentences]
    tokens = sum(len(s) for s in sentences)

    started = time.perf_counter()
    model = KenlmModel(args.model)
    load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for words in sentences:
        model.score_sentence(words)
    wrapped = time.perf_counter() - started

    raw_model = kenlm.Model(str(args.model / MODEL_FILE))
    lines = [" ".join(s) for s in sentences]
    started = time.perf_counter()
    for line in lines:
        raw_model.score(line)
    raw = time.perf_counter() - started

    size_mb = (args.model / MODEL_FILE).stat().st_size / 1e6
    casing = "lowercased" if manifest.get("lowercase") else "cased"
    build = manifest.get("build_seconds", float("nan"))
    arpa_mb = manifest.get("arpa_bytes", 0) / 1e6
    print(
        f"model            {args.model} (order {manifest.get('order')}, {casing}, "
        f"{manifest.get('tokens', 0):,} training tokens)"
    )
    print(f"build time       {build:.1f} s (lmplz + build_binary, manifest)")
    print(f"model size       {size_mb:.1f} MB binary trie; ARPA was {arpa_mb:.1f} MB")
    print(f"load time        {load_seconds:.3f} s (memory-mapped)")
    print(
        f"score() wrapper  {len(sentences) / wrapped:,.0f} sentences/s, {tokens / wrapped:,.0f} tokens/s "
        f"({len(sentences):,} sentences, {tokens:,} tokens)"
    )
    print(f"score() raw      {len(sentences) / raw:,.0f} sentences/s, {tokens / raw:,.0f} tokens/s")


if __name__ == "__main__":
    main()
