"""Whole documents and feeds across spinner profiles: fix, broken, ERR, detection AUC, words/s.

Sets (all held out from the LM corpus):
- ``<profile>``: gensim's lee.cor articles (``--documents`` of them) spun by each spinner
  profile, restored one document at a time (``document``), as one feed (``feed``: a first pass
  gathers the pair evidence of every document, a second restores each with it), or with the
  feed's learned pair decisions as its spinner (``learned``: ``corrector adapt --method pairs``
  then ``correct --spinner``), or by ``corrector correct``'s default path (with ``--modes
  neural``: the neural teacher decides the pair types, the n-gram decoder applies them; without
  a neural LM the pair model decides): the set as one feed (``taught``) or each document as its
  own (``default``), as ``Corrector.correct_feed`` does;
- ``clean``: the same articles unspun (broken = edits on clean news);
- ``<profile> ×4``, ``clean ×4``: the same documents joined four at a time into whole articles
  (~350 words, the length of real ones; ``--article N`` joins N at a time: ``×N``);
- ``mixed ×4``: those articles of every profile and clean ones interleaved: a feed of several
  spinners, as a directory of articles scraped from several sites is; ``mixed ×4 by spinner``:
  the same feed with each article's profile as its group (``correct_feed(groups=…)``, what
  ``corrector correct --group-by site`` does with a site field), so each spinner's articles are
  decided as a feed of their own;
- ``<profile> sentences``, ``clean sentences``, ``real <style> sentences``: each sentence of
  those documents a document of its own (a feed of headlines or one-sentence records, too short
  to be gated alone; with ``--scopes taught`` they are gated together);
- ``dev article``: the 12 real dev pairs joined into one article (``../shared/data``); ``dev
  pairs``: each of them a document of its own;
- ``seed article``: the real spun seed article (edits per 100 words only: no original);
- ``real <style>``: the unlabeled real spun articles by style: edits per 100 words (synonym
  spinners should get edits, back-translations and paraphrases should not);
- ``real reconstructed``: four of the real synonym-spinner articles (three sites: two heavily
  spun, two lightly) with their originals reconstructed by hand
  (:func:`corrector.research.spin_pairs.reconstructed_articles`), each its own document: fix,
  broken and ERR on real spinners' whole articles (a lower bound on fix: words the
  reconstruction left as spun may be spins); ``real reconstructed by site``: the same articles
  with their site as their group (with ``--scopes taught``: each site's articles a feed).
Detection AUC: how well the document ``spun_score`` separates each profile's spun articles from
the clean ones.

    .venv/bin/python benchmarks/feed.py [--documents 50] [--article 4] [--modes decoder,pairs]
                                        [--scopes document,feed,learned] [--set NAME=VALUE]
                                        [--sets light,clean,dev article]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from corrector.builders.corpus import lee_heldout  # noqa: E402
from corrector.defaults import SHARED_DATA_DIR  # noqa: E402
from corrector.research.fitting import auc  # noqa: E402
from corrector.research.metrics import corpus_score, pair_stats  # noqa: E402
from corrector.research.spin_pairs import real_articles, reconstructed_articles  # noqa: E402
from corrector.research.spinner import SpinConfig, Spinner, profile_config  # noqa: E402
from corrector.restore.pairs import ScopeEvidence  # noqa: E402
from corrector.text.tokens import split_sentences  # noqa: E402

USER_DICT = PROJECT / "benchmarks" / "news_spins.tsv"
# Evaluation profiles: seeds differ from scripts/fit_pairs.py's, and the text is lee.cor, not
# the LM corpus the pair model was fitted on.
PROFILES: dict[str, SpinConfig] = {
    "thesaurus": profile_config("thesaurus", seed=1),
    "dictionary": profile_config("dictionary", seed=2),
    # The dictionary profile before issue 23's realistic draw (what light and wordpress still use).
    "dictionary, earlier draw": profile_config(
        "dictionary", seed=2, sense_order=False, frequent_zipf=0.0, coverage=0.75
    ),
    "light": profile_config("light", seed=3),
    "wordpress": profile_config("wordpress", seed=4),
    "mythes-only": SpinConfig(sources=("mythes",), seed=7),
    "intensifier": profile_config("intensifier", seed=5),
}
# lee.cor documents per whole article in the ``<profile> ×4`` sets (``--article``).
ARTICLE = 4
# Settings of each mode: Corrector.with_settings overrides.
MODES: dict[str, dict[str, Any]] = {
    "decoder": {"pair_weight": 0.0},
    "pairs": {},  # the shipped defaults, with --set overrides
    "neural": {},  # --neural: per-sentence selection and verification (slow: use few --documents)
    "teacher": {"neural_budget": 20.0},  # --neural-budget 20 (corrector.restore.teacher)
}

Docs = list[tuple[str, str | None]]
# Sets whose documents carry a group (their spinner, or site): the set's name → a key per document.
GROUPS: dict[str, list[str]] = {}
# (spun, original) pairs each profile's spinner applied, lowercase: what ``learned`` should find.
APPLIED: dict[str, set[tuple[str, str]]] = {}


def sets(documents: int, article: int = ARTICLE) -> dict[str, Docs]:
    lee = list(lee_heldout())[:documents]
    out: dict[str, Docs] = {}
    for name, config in PROFILES.items():
        spinner = Spinner(config)
        out[name] = [(spinner.spin(t, str(i)).spun, t) for i, t in enumerate(lee)]
        APPLIED[name] = {(spun.lower(), original.lower()) for original, spun in spinner.used_pairs()}
    out["clean"] = [(t, t) for t in lee]
    # Whole articles: lee.cor's documents are short (~90 words); real articles run 300-1,100.
    for name in [*PROFILES, "clean"]:
        docs = out[name]
        groups = [docs[i : i + article] for i in range(0, len(docs) - article + 1, article)]
        out[f"{name} ×{article}"] = [
            ("\n\n".join(s for s, _ in group), "\n\n".join(o or "" for _, o in group)) for group in groups
        ]
    # Feeds of short records (one sentence each, as headlines, RSS summaries or a file read with
    # --lines are): too short to be gated alone, they are gated together.
    for name in [*PROFILES, "clean"]:
        out[f"{name} sentences"] = _sentences(out[name])
    # A feed of many spinners, as a directory of articles scraped from several sites is: each
    # profile's whole articles and clean ones, interleaved.
    # (intensifier: added after the mixed feed's numbers of record, which it would change)
    mixed = [name for name in [*PROFILES, "clean"] if name not in {"dictionary, earlier draw", "intensifier"}]
    articles = [out[f"{name} ×{article}"] for name in mixed]
    out[f"mixed ×{article}"] = [doc for group in zip(*articles, strict=True) for doc in group]
    out[f"mixed ×{article} by spinner"] = list(out[f"mixed ×{article}"])
    GROUPS[f"mixed ×{article} by spinner"] = [name for _ in articles[0] for name in mixed]
    dev = SHARED_DATA_DIR / "dev_pairs.jsonl"
    if dev.exists():
        rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
        out["dev article"] = [(" ".join(r["spun"] for r in rows), " ".join(r["original"] for r in rows))]
        out["dev pairs"] = [(r["spun"], r["original"]) for r in rows]  # each sentence its own document
    seed = SHARED_DATA_DIR / "seed_spun_article.txt"
    if seed.exists():
        out["seed article"] = [(seed.read_text(encoding="utf-8"), None)]
    rows = real_articles()
    for style in sorted({r["style"] for r in rows}):
        out[f"real {style}"] = [(r["text"], None) for r in rows if r["style"] == style]
        out[f"real {style} sentences"] = _sentences(out[f"real {style}"])
    try:
        articles = reconstructed_articles()
    except ValueError as error:  # the shared texts changed: the other sets still run
        print(f"feed.py: no 'real reconstructed' set: {error}", file=sys.stderr)
    else:
        if articles:
            out["real reconstructed"] = [(spun, original) for _, spun, original in articles]
            out["real reconstructed by site"] = list(out["real reconstructed"])
            sites = {r["id"]: r["site"] for r in rows}
            GROUPS["real reconstructed by site"] = [sites[name] for name, _, _ in articles]
    return out


def _sentences(docs: Docs) -> Docs:
    """Each sentence of ``docs`` a document of its own (spun and original sentences paired where
    a document has as many of each)."""
    out: Docs = []
    for spun, original in docs:
        spun_parts = [spun[s.tokens[0].start : s.tokens[-1].end] for s in split_sentences(spun)]
        if original is None:
            out.extend((part, None) for part in spun_parts)
            continue
        original_parts = [original[s.tokens[0].start : s.tokens[-1].end] for s in split_sentences(original)]
        if len(original_parts) == len(spun_parts):
            out.extend(zip(spun_parts, original_parts, strict=True))
    return out


LEARNED: dict[int, list[Any]] = {}  # the ``learned`` scope's decisions, by the docs list's id
MIN_OCCURRENCES = [1]  # taught/default: occurrences a pair type needs (--min-occurrences)


def restore(
    corrector: Any, docs: Docs, scope: str, groups: list[str] | None = None
) -> tuple[list[Any], float, float]:
    """Restorations of ``docs``, words/s and words per CPU-second (the one-core figure on a busy
    machine; BLAS threads count in full); ``feed``: two passes with the feed's pair evidence;
    ``learned``: the feed's pair decisions learned in a first pass, applied as its spinner."""
    started, cpu = time.perf_counter(), time.process_time()
    if scope == "feed":
        evidence = ScopeEvidence()
        for spun, _ in docs:
            evidence += corrector.pair_evidence(spun)
        results = [corrector.correct(spun, evidence) for spun, _ in docs]
    elif scope == "learned":
        # What `corrector adapt --method pairs` then `correct --spinner` do, feed = the set.
        evidence = ScopeEvidence()
        for spun, _ in docs:
            evidence += corrector.pair_evidence(spun)
        decided = corrector.pair_decisions(evidence)
        adapted = corrector.with_decisions(decided)
        results = [adapted.correct(spun) for spun, _ in docs]
        LEARNED[id(docs)] = decided
    elif scope == "taught":
        # What `corrector correct FEED` does by default (Corrector.correct_feed): the neural
        # teacher decides the feed's pair types, the n-gram decoder applies them.
        # A grouped set: each group's occurrences by its size, as the CLI's default path (a group
        # of one document is a single article).
        occurrences = None if groups is not None else MIN_OCCURRENCES[0]
        taught = corrector.correct_feed([spun for spun, _ in docs], occurrences, groups)
        results = list(taught.restorations)
        LEARNED[id(docs)] = list(taught.decisions)
    elif scope == "default":
        # What `corrector correct ARTICLE` does by default, one document at a time: each its own feed.
        results = [corrector.correct_feed([spun], MIN_OCCURRENCES[0]).restorations[0] for spun, _ in docs]
    else:
        results = [corrector.correct(spun) for spun, _ in docs]
    words = sum(len(spun.split()) for spun, _ in docs)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return results, words / max(wall, 1e-9), words / max(cpu, 1e-9)


def table(corrector: Any, data: dict[str, Docs], scope: str, emit: Callable[[str], None]) -> None:
    clean_scores: dict[str, list[float]] = {}  # by length: "" (lee documents) or " ×4" (articles)
    rows = []
    for name, docs in data.items():
        results, rate, cpu_rate = restore(corrector, docs, scope, GROUPS.get(name))
        edits = sum(len(r.edits) for r in results)
        words = sum(len(s.split()) for s, _ in docs)
        labelled = [(s, o, r.text) for (s, o), r in zip(docs, results, strict=True) if o is not None]
        score = corpus_score([pair_stats(*t) for t in labelled]) if labelled else None
        spun_scores = [r.spun_score for r in results]
        if name.startswith("clean"):
            clean_scores[name.removeprefix("clean")] = spun_scores
        rows.append((name, len(docs), words, edits, score, rate, cpu_rate, spun_scores))
    for name, count, words, edits, score, rate, cpu_rate, spun_scores in rows:
        detection = ""
        profile, _, times = name.partition(" ×")
        clean = clean_scores.get(f" ×{times}" if times else "", [])
        if profile in PROFILES and clean:
            labels = np.r_[np.ones(len(spun_scores)), np.zeros(len(clean))]
            detection = f"{auc(np.r_[spun_scores, clean], labels):.3f}"
        numbers = f"{score.fix:6.3f} {score.broken:6.3f} {score.err:+7.3f}" if score is not None else " " * 21
        emit(f"{scope:8s} {name:26s} {count:4d} {words:6d} {100 * edits / words:7.2f} {numbers} "
             f"{detection:>6s} {rate:7.0f} {cpu_rate:7.0f}{learned_pairs(name, data[name])}")


def learned_pairs(name: str, docs: Docs) -> str:
    """Of the ``learned`` scope: how many pairs it decided, and the share the spinner applied."""
    decided = LEARNED.get(id(docs))
    if decided is None:
        return ""
    kept = sum(d.kept for d in decided)
    decided = [d for d in decided if not d.kept]
    applied = APPLIED.get(name.split(" ×")[0].removesuffix(" sentences"))
    if applied is None:
        return f"  learned {len(decided)}, kept {kept}"
    true = sum(1 for d in decided if (d.spun, d.original) in applied)
    return f"  learned {len(decided)}, true {true / max(len(decided), 1):.2f}, kept {kept}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--article", type=int, default=ARTICLE,
                        help="lee.cor documents per whole article (the ×N sets; 48: one of ~3,800 words)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--scopes", default="document,feed")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Corrector setting for every mode (e.g. pair_weight=1.0; one the "
                             "tables are built with, e.g. max_candidates=20, loads the model with it)")
    parser.add_argument("--sets", default="", help="only these sets (comma-separated names; default all)")
    parser.add_argument("--min-occurrences", type=int, default=1,
                        help="taught/default: occurrences a pair type needs (the CLI's default path: 1)")
    args = parser.parse_args()
    MIN_OCCURRENCES[0] = args.min_occurrences
    from corrector import Corrector, settings

    extra = {k: settings.parse(k, v) for k, v in (item.split("=", 1) for item in args.set)}
    # Settings the tables are built with (max_candidates, …) need a load of their own.
    loaded = {k: v for k, v in extra.items() if k not in settings.RELOAD_FREE}
    extra = {k: v for k, v in extra.items() if k in settings.RELOAD_FREE}
    base = Corrector.load(**loaded)
    data = sets(args.documents, args.article)
    if args.sets:
        wanted = args.sets.split(",")
        unknown = sorted(set(wanted) - set(data))
        if unknown:
            parser.error(f"unknown sets {unknown}; known: {sorted(data)}")
        data = {name: docs for name, docs in data.items() if name in wanted}
    modes = args.modes.split(",")
    neural = base.with_neural() if {"neural", "teacher"} & set(modes) else None
    for mode in modes:
        corrector = neural if mode in ("neural", "teacher") and neural is not None else base
        if MODES[mode] or extra:
            corrector = corrector.with_settings(**{**extra, **MODES[mode]})
        print(f"== mode {mode}: {corrector.config.pair_weight=} {corrector.config.pair_offset=}")
        print(f"{'scope':8s} {'set':26s} {'docs':>4s} {'words':>6s} {'edit%':>7s} {'fix':>6s} {'broken':>6s} "
              f"{'ERR':>7s} {'detAUC':>6s} {'w/s':>7s} {'w/cpu-s':>7s}")
        for scope in args.scopes.split(","):
            table(corrector, data, scope, lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
