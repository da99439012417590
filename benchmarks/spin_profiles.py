"""The spin profiles' shape, to check against DESIGN §1 (a real spinner's dictionary) and §7.

For each profile and corpus it prints:
- ``changed``: share of tokens (words and punctuation) inside an edit;
- ``hw_rate``: for fixed-dictionary profiles, share of headword occurrences spun (target 0.85);
- ``pairs``: distinct lowercase (original, replacement) pairs the spinner applied;
- ``entry``: fixed-dictionary profiles, replacements per headword met, mean and median (DESIGN §1:
  1.7 and 1 in a real spinner's database);
- ``repl/orig``: distinct replacements applied per original, mean and median;
- ``multi``: share of applied replacements with several words (trading → buying and selling);
- ``runs``: share of spun runs (edits joined across whitespace) with several words (final yr);
- ``repeat``: share of edits whose pair already occurred earlier in the same document;
- ``xdoc``: share of pairs that occur in two or more documents.

Corpora: gensim's lee held-out articles (``corrector.builders.corpus.lee_heldout``) and a slice
of ``build/corpus/news.txt`` cut into pseudo-documents of consecutive sentences (the corpus is
tokenised, so contractions never fire there).

Usage: ``python benchmarks/spin_profiles.py [--profiles thesaurus dictionary ...] [--seed 0]
[--news-lines 2000] [--doc-lines 20]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from corrector.builders.corpus import lee_heldout
from corrector.research.spinner import PROFILES, Spinner, SpinResult, profile_config
from corrector.text.tokens import split_sentences

NEWS = Path(__file__).resolve().parents[1] / "build" / "corpus" / "news.txt"


@dataclass(frozen=True, slots=True)
class ProfileStats:
    changed: float
    headword_rate: float | None
    entry_mean: float | None
    entry_median: float | None
    pairs: int
    replacements_mean: float
    replacements_median: float
    multiword: float
    multiword_runs: float
    repeat: float
    cross_document: float
    seconds: float


def news_documents(lines: int, per_document: int) -> list[str]:
    """The first ``lines`` sentences of news.txt, ``per_document`` consecutive ones per document."""
    if not NEWS.exists():
        return []
    with NEWS.open(encoding="utf-8") as handle:
        sentences = [line.strip() for line in islice(handle, lines) if line.strip()]
    return [" ".join(sentences[i : i + per_document]) for i in range(0, len(sentences), per_document)]


def _spun_runs(result: SpinResult) -> list[str]:
    """Spun sides of maximal runs of edits separated only by whitespace."""
    runs: list[str] = []
    previous_end = -1
    for edit in result.edits:
        if runs and not result.original[previous_end : edit.start].strip():
            runs[-1] += result.original[previous_end : edit.start] + edit.spun
        else:
            runs.append(edit.spun)
        previous_end = edit.end
    return runs


def measure(profile: str, documents: Sequence[str], seed: int) -> ProfileStats:
    spinner = Spinner(profile_config(profile, seed=seed))
    started = time.perf_counter()
    results = [spinner.spin(text, f"doc{i}") for i, text in enumerate(documents)]
    seconds = time.perf_counter() - started

    tokens = changed = headword_tokens = headword_spun = 0
    repeats = edits = 0
    documents_with: dict[tuple[str, str], set[int]] = defaultdict(set)
    runs = multi_runs = 0
    headwords = spinner.dictionary()
    for n, result in enumerate(results):
        spans = [(e.start, e.end) for e in result.edits]
        seen: Counter[tuple[str, str]] = Counter()
        for sentence in split_sentences(result.original):
            for token in sentence.tokens:
                tokens += 1
                inside = any(start <= token.start < end for start, end in spans)
                changed += inside
                if token.text.lower() in headwords:
                    headword_tokens += 1
                    headword_spun += inside
        for edit in result.edits:
            pair = (edit.original.lower(), edit.spun.lower())
            repeats += seen[pair] > 0
            seen[pair] += 1
            edits += 1
            documents_with[pair].add(n)
        for run in _spun_runs(result):
            runs += 1
            multi_runs += len(run.split()) > 1

    used = spinner.used_pairs()
    per_original = Counter(original for original, _ in used)
    applied = sum(used.values())
    counts = list(per_original.values()) or [0]
    entry_sizes = [len(entry) for entry in headwords.values()]
    return ProfileStats(
        changed=changed / max(tokens, 1),
        headword_rate=headword_spun / headword_tokens if spinner.config.fixed_dictionary and headword_tokens
        else None,
        entry_mean=statistics.fmean(entry_sizes) if entry_sizes else None,
        entry_median=statistics.median(entry_sizes) if entry_sizes else None,
        pairs=len(used),
        replacements_mean=statistics.fmean(counts),
        replacements_median=statistics.median(counts),
        multiword=sum(c for (_, spun), c in used.items() if " " in spun) / max(applied, 1),
        multiword_runs=multi_runs / max(runs, 1),
        repeat=repeats / max(edits, 1),
        cross_document=sum(len(d) > 1 for d in documents_with.values()) / max(len(documents_with), 1),
        seconds=seconds,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profiles", nargs="+", default=list(PROFILES), choices=list(PROFILES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--news-lines", type=int, default=2000, help="sentences of news.txt to spin")
    parser.add_argument("--doc-lines", type=int, default=20, help="sentences per news pseudo-document")
    args = parser.parse_args(argv)

    corpora = {"lee": list(lee_heldout()), "news": news_documents(args.news_lines, args.doc_lines)}
    header = (f"{'profile':<11}{'corpus':<6}{'docs':>5}{'changed':>9}{'hw_rate':>9}{'entry':>10}{'pairs':>7}"
              f"{'repl/orig':>11}{'multi':>7}{'runs':>7}{'repeat':>8}{'xdoc':>7}{'sec':>6}")
    print(header)
    for profile in args.profiles:
        for corpus, documents in corpora.items():
            if not documents:
                continue
            s = measure(profile, documents, args.seed)
            rate = f"{s.headword_rate:.2f}" if s.headword_rate is not None else "-"
            entry = f"{s.entry_mean:.2f}/{s.entry_median:g}" if s.entry_mean is not None else "-"
            print(f"{profile:<11}{corpus:<6}{len(documents):>5}{s.changed:>9.3f}{rate:>9}{entry:>10}{s.pairs:>7}"
                  f"{s.replacements_mean:>6.2f}/{s.replacements_median:<4g}{s.multiword:>7.3f}"
                  f"{s.multiword_runs:>7.3f}{s.repeat:>8.3f}{s.cross_document:>7.3f}{s.seconds:>6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
