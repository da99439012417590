"""How real spinners choose their replacements, against our simulator (issue 23, step 1).

For every aligned (original → spun) substitution of each source (see
:mod:`corrector.research.spin_pairs`: tortured phrases, dev pairs, DESIGN §1 examples, simulator
spins) it measures: the original's wordfreq Zipf and its frequency rank in the clean-news corpus;
where the spun form sits in each thesaurus's forward list for the original (rank; WordNet and
MyThes lists are in sense order, so rank ≈ sense order; lemma pairs when the inflected forms are
not headwords); whether the spun form is frequent; the multi-word shape; where the original sits
among the reverse table's candidates of the spun form (by today's static score, and by
frequency); and the candidate recall/first-rank of ``corrector candidates`` at cap 12 and 20.

    PYTHONPATH=. .venv/bin/python scripts/study_spinners.py [--sources tortured dev design simulator]
        [--dump rows.jsonl]

Prints one markdown table per block (the numbers in docs/candidates-study.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from corrector.builders.thesaurus import forward_synonyms
from corrector.candidates import inflection
from corrector.candidates.channel import zipf
from corrector.candidates.generator import CandidateGenerator
from corrector.candidates.table import SOURCES
from corrector.research import spin_pairs
from corrector.research.spin_pairs import Substitution


@dataclass
class Row:
    source: str
    spun: str
    original: str
    zipf_original: float
    news_rank: int | None  # 1 = the corpus's most frequent word; None: multi-word or unseen
    zipf_spun: float
    shape: str  # "spun words:original words"
    forward: dict[str, tuple[int, int] | None]  # thesaurus → (rank of spun in original's list, length)
    in_reverse: bool  # the original is among the reverse table's candidates of the spun key
    static_rank: int | None  # its position among them by today's static channel score
    freq_rank: int | None  # its position among them by original frequency (Zipf, descending)
    n_reverse: int
    symmetric: bool  # the original is in the spun form's own forward lists (lemma level)
    rank12: int | None  # position in `corrector candidates` (cap 12), None: absent
    rank20: int | None


def news_ranks(limit: int = 200_000) -> dict[str, int]:
    """Lowercase word → frequency rank in the clean-news LM corpus (1 = most frequent)."""
    counts: Counter[str] = Counter()
    if spin_pairs.NEWS_CORPUS.exists():
        with open(spin_pairs.NEWS_CORPUS, encoding="utf-8") as f:
            for line in f:
                counts.update(line.lower().split())
    return {w: i + 1 for i, (w, _) in enumerate(counts.most_common(limit))}


def forward_rank(source: str, original: str, spun: str) -> tuple[int, int] | None:
    """(rank, length) of ``spun`` in ``original``'s forward list, at the lemma level when the
    forms themselves are not listed (told → advised via tell → advise)."""
    table = forward_synonyms(source)
    syns = table.get(original)
    if syns and spun in syns:
        return syns.index(spun), len(syns)
    for lemma_o, tag in inflection.analyses(original.split(" ")[-1]) if " " not in original else ():
        for lemma_s, tag_s in inflection.analyses(spun) if " " not in spun else ((spun, tag),):
            if tag_s != tag:
                continue
            syns = table.get(lemma_o)
            if syns and lemma_s in syns:
                return syns.index(lemma_s), len(syns)
    return None


def symmetric(original: str, spun: str) -> bool:
    """Whether some thesaurus lists ``original`` (or its lemma) under ``spun`` (or its lemma)."""
    def forms(word: str) -> set[str]:
        return {word} | ({lemma for lemma, _ in inflection.analyses(word)} if " " not in word else set())

    originals = forms(original)
    return any(
        not originals.isdisjoint(forward_synonyms(s).get(spun_form, ()))
        for s in SOURCES
        for spun_form in forms(spun)
    )


def study(gen12: CandidateGenerator, gen20: CandidateGenerator, subs: Sequence[Substitution]) -> list[Row]:
    ranks = news_ranks()
    r12 = spin_pairs.candidate_ranks(gen12, subs)
    r20 = spin_pairs.candidate_ranks(gen20, subs)
    rows = []
    evidence_memo: dict[str, tuple[list[str], list[str]]] = {}
    for sub, a, b in zip(subs, r12, r20, strict=True):
        hit = evidence_memo.get(sub.spun)
        if hit is None:
            evs = gen12.evidence(sub.spun, sub.spun.split(" "))
            score = gen12.channel.static_score
            by_score = [ev.original for ev in sorted(evs, key=lambda ev: -score(ev))]
            by_freq = sorted(by_score, key=lambda o: -zipf(o))
            hit = evidence_memo[sub.spun] = (by_score, by_freq)
        by_score, by_freq = hit
        rows.append(
            Row(
                source=sub.source,
                spun=sub.spun,
                original=sub.original,
                zipf_original=zipf(sub.original),
                news_rank=ranks.get(sub.original),
                zipf_spun=zipf(sub.spun),
                shape=f"{len(sub.spun.split())}:{len(sub.original.split())}",
                forward={s: forward_rank(s, sub.original, sub.spun) for s in SOURCES},
                in_reverse=sub.original in by_score,
                static_rank=by_score.index(sub.original) if sub.original in by_score else None,
                freq_rank=by_freq.index(sub.original) if sub.original in by_freq else None,
                n_reverse=len(by_score),
                symmetric=symmetric(sub.original, sub.spun),
                rank12=a,
                rank20=b,
            )
        )
    return rows


def _ranked(rows: Sequence[Row], field: str) -> list[int]:
    return [getattr(r, field) for r in rows if getattr(r, field) is not None]


def _below(rows: Sequence[Row], field: str, cut: int) -> str:
    return _share(rows, lambda r: getattr(r, field) is not None and getattr(r, field) < cut)


def _share(rows: Sequence[Row], test) -> str:  # type: ignore[no-untyped-def]
    return f"{sum(1 for r in rows if test(r)) / max(len(rows), 1):.2f}"


def _median(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f}" if values else "–"


def report(rows: Sequence[Row]) -> str:
    by_source: dict[str, list[Row]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    names = list(by_source)
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def add(label: str, fn) -> None:  # type: ignore[no-untyped-def]
        lines.append(f"| {label} | " + " | ".join(fn(by_source[n]) for n in names) + " |")

    add("substitutions", lambda rs: str(len(rs)))
    add("distinct originals", lambda rs: str(len({r.original for r in rs})))
    add("one word → one word", lambda rs: _share(rs, lambda r: r.shape == "1:1"))
    add("multi-word spun form", lambda rs: _share(rs, lambda r: r.shape.split(":")[0] != "1"))
    add("median Zipf of original", lambda rs: _median([r.zipf_original for r in rs]))
    add("median Zipf of spun form", lambda rs: _median([r.zipf_spun for r in rs]))
    add("original Zipf ≥ 5 (very frequent)", lambda rs: _share(rs, lambda r: r.zipf_original >= 5))
    add("original more frequent than spun", lambda rs: _share(rs, lambda r: r.zipf_original > r.zipf_spun))
    add("spun form frequent (Zipf ≥ 4)", lambda rs: _share(rs, lambda r: r.zipf_spun >= 4))
    add("original in news top 2,000 words", lambda rs: _share(rs, lambda r: (r.news_rank or 10**9) <= 2000))
    # Thesaurus and reverse-list measures on one-word swaps (the others need composition).
    def add1(label: str, fn) -> None:  # type: ignore[no-untyped-def]
        add(label + " (1:1)", lambda rs: fn([r for r in rs if r.shape == "1:1"]))

    for s in SOURCES:
        add1(f"spun in {s} list of original", lambda rs, s=s: _share(rs, lambda r: r.forward[s] is not None))
        add1(
            f"… median {s} rank (0 = first)",
            lambda rs, s=s: _median([r.forward[s][0] for r in rs if r.forward[s] is not None]),  # type: ignore[index]
        )
        add1(
            f"… {s} rank ≤ 5",
            lambda rs, s=s: _share(rs, lambda r: r.forward[s] is not None and r.forward[s][0] <= 5),  # type: ignore[index]
        )
    add1("in no thesaurus list", lambda rs: _share(rs, lambda r: all(v is None for v in r.forward.values())))
    add1("original in the spun form's own lists", lambda rs: _share(rs, lambda r: r.symmetric))
    add1("original among reverse candidates", lambda rs: _share(rs, lambda r: r.in_reverse))
    add1("… median reverse list length", lambda rs: _median([r.n_reverse for r in rs if r.in_reverse]))
    add1("… median static-score rank", lambda rs: _median(_ranked(rs, "static_rank")))
    add1("… static-score rank < 12", lambda rs: _below(rs, "static_rank", 12))
    add1("… median frequency rank", lambda rs: _median(_ranked(rs, "freq_rank")))
    add1("… frequency rank < 3", lambda rs: _below(rs, "freq_rank", 3))
    add1("… frequency rank < 12", lambda rs: _below(rs, "freq_rank", 12))
    add("candidates (cap 12): original among them", lambda rs: _share(rs, lambda r: r.rank12 is not None))
    add("candidates (cap 12): original first", lambda rs: _share(rs, lambda r: r.rank12 == 0))
    add("candidates (cap 20): original among them", lambda rs: _share(rs, lambda r: r.rank20 is not None))
    add("candidates (cap 20): original first", lambda rs: _share(rs, lambda r: r.rank20 == 0))
    add1("candidates (cap 12): among them", lambda rs: _share(rs, lambda r: r.rank12 is not None))
    add("candidates (cap 12): among them, n:n multi-word", lambda rs: _share(
        [r for r in rs if r.shape[0] == r.shape[-1] != "1"], lambda r: r.rank12 is not None))
    add("candidates (cap 12): among them, n:m (n ≠ m)", lambda rs: _share(
        [r for r in rs if r.shape[0] != r.shape[-1]], lambda r: r.rank12 is not None))
    return "\n".join(lines)


def reserve_policies(gen: CandidateGenerator, subs: Sequence[Substitution]) -> str:
    """One-word recall at 12 of a frequency-reserved cut: the top 12−R by static score plus the
    R most frequent remaining originals (any / same part of speech / also mutual)."""
    from corrector.candidates.channel import Evidence, static_features

    def eligible(kind: str, ev: Evidence) -> bool:
        pos = static_features(ev).get("pos_agree", 0.0) > 0
        return kind == "any" or (pos and (kind == "pos" or ev.mutual))

    one_word = [s for s in subs if " " not in s.spun and " " not in s.original]
    hits: Counter[tuple[str, int]] = Counter()
    for sub in one_word:
        evs = sorted(gen.evidence(sub.spun, [sub.spun]), key=lambda ev: -gen.channel.static_score(ev))
        for kind in ("any", "pos", "posmut"):
            for reserve in (0, 2, 3, 4, 6):
                kept = [ev.original for ev in evs[: 12 - reserve]]
                rest = [ev for ev in evs[12 - reserve :] if eligible(kind, ev)]
                rest.sort(key=lambda ev: -zipf(ev.original))
                kept += [ev.original for ev in rest[:reserve]]
                hits[(kind, reserve)] += sub.original in kept
    n = max(len(one_word), 1)
    shares = " ".join(f"{k}{r}:{v / n:.3f}" for (k, r), v in sorted(hits.items()))
    return f"{len(one_word)} one-word: {shares}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", nargs="+", default=["tortured", "dev", "design", "simulator"])
    parser.add_argument("--simulator-sentences", type=int, default=1000)
    parser.add_argument("--dump", help="write every row as JSONL here")
    parser.add_argument(
        "--reserve", action="store_true", help="also check frequency-reserved cuts (one-word recall at 12)"
    )
    args = parser.parse_args()
    subs = spin_pairs.load(args.sources, args.simulator_sentences)
    gen12 = CandidateGenerator.load()
    gen20 = CandidateGenerator(gen12.table, gen12.channel, max_candidates=20)
    rows = [row for source in subs.values() for row in study(gen12, gen20, source)]
    print(report(rows))
    if args.reserve:
        for source, source_subs in subs.items():
            if source == "tortured":
                source_subs = spin_pairs.split_by_original(source_subs)[1]
            print(f"reserved cut, {source}: {reserve_policies(gen12, source_subs)}")
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(asdict(row)) + "\n")


if __name__ == "__main__":
    main()
