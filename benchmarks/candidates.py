"""Candidate generation: recall and first rank on real spinner pairs and on each simulator
profile's spins, and lattice construction speed (tokens/s, one core) with the table load time.

Recall (issue 23): for every aligned substitution of each source, whether its original is among
``CandidateGenerator.candidates(spun)`` (what ``corrector candidates`` shows) at the decoder's cap
(``max_candidates``, 12) and at 20, and whether it is first. Both caps read the table's shipped
lists (``generator.LIST_CAP``), so both include what only the build adds (the relatives of the
spun word, :mod:`corrector.candidates.relatives`). Sources
(:mod:`corrector.research.spin_pairs`; read at run time, nothing copied):

- ``dev``: the 12 real dev pairs, aligned;
- ``tortured``: the held-out half of the tortured phrases (split by original, as a channel fit
  on real pairs splits them);
- ``design``: the DESIGN §1 / issue 23 swaps (seed family and WordPress kind);
- ``reconstructed``: the swaps of four real synonym-spinner articles (three sites) whose
  originals were reconstructed by hand (:func:`~corrector.research.spin_pairs.reconstructed_articles`);
- ``sim:<profile>``: ``--simulator-sentences`` clean-news sentences spun by each profile of
  ``corrector spin`` (seed 11), aligned like the real pairs.

``lattice`` is what the decoder can reach: whether the lattice of the spun phrase (one-word
arcs chained, phrase and composed arcs, each capped at the decoder's cap) can spell the original.
``--save FILE`` writes the numbers as JSON; ``--baseline FILE`` prints a saved run's next to them
(default ``candidates_today.json``: the numbers of main before issue 23's candidate work, commit
154c279, its own table; the ``sim:dictionary`` row with the realistic dictionary profile). The
script only uses APIs that commit has, so the baseline is made by running this file with that
commit's package first on ``PYTHONPATH``.

Speed: documents are gensim's Lee background articles (ABC news), spun by
``corrector.research.spinner`` (seed 1), cut to ``--sentences`` sentences. The first pass is cold
(a fresh generator, empty caches: what a new process sees on its first batch; the table's
precomputed lists and the dictionaries loaded by ``CandidateGenerator.load`` are there), the
others warm (what a long-running corrector sees; best of ``--repeat``). Each pass prints
wall-clock and process CPU tokens/s: on a busy machine the CPU figure is the one-core speed, and
only the best of several runs compares two versions.

    PYTHONPATH=. .venv/bin/python benchmarks/candidates.py [--sentences 2000] [--dump FILE]
        [--no-speed] [--no-recall] [--repeat 3] [--save FILE] [--baseline FILE]

``--dump`` writes every arc (span, candidates, log-probs) as JSONL, to diff two versions.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from corrector.text.tokens import Sentence, lm_words, split_sentences

if TYPE_CHECKING:
    from corrector.candidates.generator import CandidateGenerator
    from corrector.research.spin_pairs import Substitution
    from corrector.text.lattice import Arc

REAL_SOURCES = ("dev", "tortured", "design", "reconstructed")
SIM_PROFILES = ("thesaurus", "dictionary", "light", "wordpress")
# The recall numbers of main before issue 23's candidate work (see the module docstring).
TODAY = Path(__file__).with_name("candidates_today.json")
# The simulator's seed here: not scripts/study_spinners.py's (7) nor feed.py's (1–4).
SIMULATOR_SEED = 11
PARTS = (("all", None), ("1w", False), ("multi", True))


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


def speed(n_sentences: int, repeat: int, dump: str | None) -> None:
    docs = documents(n_sentences)
    tokens = sum(len(s.tokens) for doc in docs for s in doc)
    sentences = sum(len(doc) for doc in docs)
    started = time.perf_counter()
    from corrector.candidates.generator import CandidateGenerator

    gen = CandidateGenerator.load()
    print(f"load (imports + table + lemma/frequency dictionaries): {time.perf_counter() - started:.2f} s")
    shipped = len(gen._precomputed or ())
    print(f"precomputed ranked lists: {shipped:,}" if shipped else "precomputed ranked lists: unused")
    print(f"{len(docs)} documents, {sentences:,} sentences, {tokens:,} tokens")
    best_warm = 0.0
    for run in range(1 + max(repeat, 1)):
        label = "cold" if run == 0 else "warm"
        started, cpu_started = time.perf_counter(), time.process_time()
        lattices = [gen.lattices(doc) for doc in docs]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        arcs = sum(len(lat.arcs) for doc in lattices for lat in doc)
        if run > 0:
            best_warm = max(best_warm, tokens / cpu)
        print(
            f"{label}: {tokens:,} tokens in {seconds:.2f} s = {tokens / seconds:,.0f} tokens/s "
            f"(CPU {cpu:.2f} s = {tokens / cpu:,.0f} tokens/s), {arcs / tokens:.2f} arcs/token"
        )
        if run == 0 and dump:
            with open(dump, "w", encoding="utf-8") as f:
                for doc in lattices:
                    for lat in doc:
                        for arc in lat.arcs:
                            cands = [[c.text, c.logprob, list(c.sources)] for c in arc.candidates]
                            f.write(json.dumps([lat.sentence.start, arc.start, arc.end, cands]) + "\n")
    print(f"warm best of {max(repeat, 1)}: CPU {best_warm:,.0f} tokens/s")


def profile_pairs(profile: str, n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` clean-news sentences (8–40 tokens) spun by ``profile`` (each its own document, so
    per-occurrence draws differ; a fixed dictionary is the same for all)."""
    from corrector.research import spin_pairs
    from corrector.research.spinner import Spinner, profile_config
    from corrector.text.tokens import detokenize

    lines = spin_pairs.NEWS_CORPUS.read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    picked = [line for line in rng.sample(lines, min(len(lines), n * 3)) if 8 <= len(line.split()) <= 40][:n]
    spinner = Spinner(profile_config(profile, seed=seed))
    out = []
    for i, line in enumerate(picked):
        text = detokenize(line.split())  # the corpus is LM-tokenised: running text again
        out.append((spinner.spin(text, str(i)).spun, text))
    return out


def load_sources(sources: Sequence[str], simulator_sentences: int) -> dict[str, list[Substitution]]:
    from corrector.research import spin_pairs

    real = [s for s in sources if s in REAL_SOURCES]
    loaded = spin_pairs.load(real)
    if "tortured" in loaded:
        loaded["tortured"] = spin_pairs.split_by_original(loaded["tortured"])[1]  # held-out half
    out: dict[str, list[Substitution]] = {}
    for source in sources:
        if source in loaded:
            out[source] = loaded[source]
        elif source.startswith("sim:") and spin_pairs.NEWS_CORPUS.exists():
            pairs = profile_pairs(source[4:], simulator_sentences, SIMULATOR_SEED)
            out[source] = spin_pairs.aligned(pairs, source)
    return out


def _spells(
    words: Sequence[str], arcs: dict[int, list[Arc]], target: tuple[str, ...], i: int, made: tuple[str, ...]
) -> bool:
    """Whether a path from token ``i`` (words kept, or arcs' candidates) spells ``target``
    after ``made``."""
    if target[: len(made)] != made:
        return False
    if i == len(words):
        return made == target
    if _spells(words, arcs, target, i + 1, (*made, words[i])):
        return True
    for arc in arcs.get(i, ()):
        for cand in arc.candidates:
            if _spells(words, arcs, target, arc.end, (*made, *(w.lower() for w in cand.words))):
                return True
    return False


def lattice_hits(gen: CandidateGenerator, subs: Sequence[Substitution]) -> list[bool]:
    """Whether the decoder's lattice of each spun phrase (taken as a sentence) can spell its
    original (a path of words kept and arcs' candidates)."""
    out = []
    memo: dict[tuple[str, str], bool] = {}
    for sub in subs:
        key = (sub.spun, sub.original)
        if key not in memo:
            sentences = split_sentences(sub.spun)
            hit = False
            if len(sentences) == 1:
                [lattice] = gen.lattices(sentences)
                words = [w.lower() for w in lattice.sentence.words]
                target = tuple(lm_words(sub.original.split(" "), lowercase=True))
                hit = _spells(words, lattice.arcs_from(), target, 0, ())
            memo[key] = hit
        out.append(memo[key])
    return out


def _parts(values: Sequence[object], subs: Sequence[Substitution], keep: bool | None) -> list[object]:
    return [v for v, s in zip(values, subs, strict=True) if keep is None or (" " in s.spun) == keep]


def recall(sources: Sequence[str], simulator_sentences: int) -> dict[str, dict[str, float]]:
    """Per source: n, and recall / first share at the cap and at 20 (all substitutions, then
    the one-word and the multi-word ones), and the lattice's reach."""
    from corrector.candidates.generator import CandidateGenerator
    from corrector.research import spin_pairs

    loaded = load_sources(sources, simulator_sentences)
    gen = CandidateGenerator.load()
    gen20 = CandidateGenerator(gen.table, gen.channel, max_candidates=20)
    out: dict[str, dict[str, float]] = {}
    for source, subs in loaded.items():
        if not subs:
            continue
        row: dict[str, float] = {}
        for cap, g in (("cap", gen), ("20", gen20)):
            ranks = spin_pairs.candidate_ranks(g, subs)
            for part, keep in PARTS:
                n, among, first = spin_pairs.recall_row(_parts(ranks, subs, keep))  # type: ignore[arg-type]
                row[f"n_{part}"] = n
                row[f"recall{cap}_{part}"] = round(among, 3)
                row[f"first{cap}_{part}"] = round(first, 3)
        hits = lattice_hits(gen, subs)
        for part, keep in PARTS:
            picked = _parts(hits, subs, keep)
            row[f"lattice_{part}"] = round(sum(map(bool, picked)) / max(len(picked), 1), 3)
        out[source] = row
    return out


def print_recall(numbers: dict[str, dict[str, float]], baseline: dict[str, dict[str, float]] | None) -> None:
    columns = ("recallcap", "firstcap", "recall20", "first20", "lattice")
    head = f"{'source':15} {'part':6} {'n':>5}  " + "  ".join(f"{c:>10}" for c in columns)
    print(head + ("   (baseline → now)" if baseline else ""))
    for source, row in numbers.items():
        for part, _ in PARTS:
            cells = []
            for column in columns:
                now = row.get(f"{column}_{part}", float("nan"))
                before = (baseline or {}).get(source, {}).get(f"{column}_{part}")
                cells.append(f"{before:.2f}→{now:.2f}" if before is not None else f"{now:.3f}")
            print(f"{source:15} {part:6} {int(row[f'n_{part}']):5d}  " + "  ".join(f"{c:>10}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--dump", help="write the cold-pass arcs as JSONL here")
    parser.add_argument("--repeat", type=int, default=3, help="warm passes (the best is printed)")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-recall", action="store_true")
    parser.add_argument(
        "--sources", nargs="+", default=[*REAL_SOURCES, *(f"sim:{p}" for p in SIM_PROFILES)]
    )
    parser.add_argument("--simulator-sentences", type=int, default=500)
    parser.add_argument("--save", help="write the recall numbers as JSON here")
    parser.add_argument(
        "--baseline", default=str(TODAY), help="a --save file to print next to the numbers ('' for none)"
    )
    args = parser.parse_args()
    if not args.no_speed:
        speed(args.sentences, args.repeat, args.dump)
    if not args.no_recall:
        numbers = recall(args.sources, args.simulator_sentences)
        baseline = None
        if args.baseline and Path(args.baseline).exists():
            with open(args.baseline, encoding="utf-8") as f:
                baseline = json.load(f)
        print_recall(numbers, baseline)
        if args.save:
            with open(args.save, "w", encoding="utf-8") as f:
                json.dump(numbers, f, indent=1)


if __name__ == "__main__":
    main()
