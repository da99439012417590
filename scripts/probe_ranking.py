"""Ranking evidence tried for issue 23 on top of today's static channel score: sense position,
forward-entry frequency rank, the dictionary profile's pick rule, news frequency with thesaurus
agreement, Moby's order neutralised, context similarity in clean news, and a joint refit of such
terms. Nothing here is in the channel: no term raised recall@12 and first rank on the real
sources without lowering them on a simulator profile (docs/candidates-study.md, "Ranking
evidence measured for the open targets").

For every substitution of each source it takes all candidates of the spun key uncapped
(:meth:`CandidateGenerator.evidence`, the relatives included), their static score under the
shipped weights, and the terms below; a variant adds ``weight × term`` to the static score and
the original's rank among the candidates gives recall@12 and first. Sources: the tortured
phrases' train and held-out halves (split by original), each simulator profile on the
benchmark's sentences (``sim:*``, seed 11, as ``benchmarks/candidates.py``) and on tuning
sentences (``tune:*``, seed 5, what the refit is fitted on with ``tortured-train``), the dev
pairs and the DESIGN §1 pairs. Uncapped one-key ranks: multi-word compositions are not counted,
so the numbers are below the benchmark's at cap 12 for multi-word sources.

Context similarity: PPMI of ±2-word contexts (the 3,000 most frequent words as contexts, words
seen ≥ 5 times as targets) over ``build/corpus/news.txt`` (the LM corpus), randomised SVD to
200 dimensions, cosine of the spun form and the original (phrases: sum of their words' vectors).

    PYTHONPATH=. .venv/bin/python scripts/probe_ranking.py [--sentences 500] [--cache FILE]
"""

from __future__ import annotations

import argparse
import math
import pickle
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from corrector.builders import thesaurus
from corrector.candidates import inflection
from corrector.candidates import sources as sources_module
from corrector.candidates.channel import FEATURES, ChannelModel, static_features, zipf
from corrector.candidates.generator import CandidateGenerator
from corrector.candidates.relatives import Relatives
from corrector.candidates.table import ReverseTable
from corrector.research import spin_pairs

CAP = 12
PROFILES = ("thesaurus", "dictionary", "light", "wordpress")
TERMS = (
    "wn_sense",  # 1/(1 + position of the spun form in the original's WordNet list): sense order
    "my_sense",  # the same in MyThes
    "sense0",  # the spun form is first in the original's WordNet or MyThes list
    "fwd_freq_rank",  # log1p(position of the spun form among the original's synonyms by Zipf)
    "dict_pick",  # the original's dictionary pick (corrector spin --profile dictionary's rule)
    "zhigh",  # max(0, Zipf of the original − 4.5): a frequent news word
    "zhigh_agree",  # zhigh × (thesauri listing the pair − 1)
    "zhigh_single",  # zhigh for a pair only one thesaurus lists
    "moby_only",  # only Moby lists the pair
    "similarity",  # context similarity of spun form and original in clean news
    "sim_frequent",  # similarity for originals of Zipf ≥ 5
)
SOURCES = ("moby", "wordnet", "mythes")
# Inflectional agreement (sources.agree_inflection) at these margins, as extra term columns
# holding the score change it makes (the shipped margin is sources.INFLECTION_MARGIN).
AGREE_MARGINS = (0.5, 1.0, 1.5, 2.0, math.inf)

Group = tuple[np.ndarray, np.ndarray, np.ndarray, "int | None"]  # static, features, terms, original


class Forward:
    """The thesauri's forward lists, with each headword's synonyms ordered by frequency."""

    def __init__(self) -> None:
        self.lists = {s: thesaurus.forward_synonyms(s) for s in SOURCES}

    @cache  # noqa: B019 (one instance per run)
    def by_frequency(self, head: str) -> dict[str, int]:
        syns = dict.fromkeys(x for s in SOURCES for x in self.lists[s].get(head, ()) if x != head)
        return {x: i for i, x in enumerate(sorted(syns, key=lambda x: -zipf(x)))}

    def pair(self, original: str, spun: str) -> tuple[str, str] | None:
        """(original lemma, spun lemma) some thesaurus lists, reading inflected forms back."""
        spun_lemmas, orig_lemmas = [spun], [original]
        if " " not in spun:
            spun_lemmas.extend(lemma for lemma, _ in inflection.analyses(spun))
        if " " not in original:
            orig_lemmas.extend(lemma for lemma, _ in inflection.analyses(original))
        for lo in orig_lemmas:
            ranks = self.by_frequency(lo)
            for ls in spun_lemmas:
                if ls in ranks:
                    return lo, ls
        return None

    def terms(self, original: str, spun: str) -> dict[str, float]:
        found = self.pair(original, spun)
        if found is None:
            return {"fwd_freq_rank": math.log1p(200)}
        lo, ls = found
        out = {"fwd_freq_rank": math.log1p(self.by_frequency(lo)[ls])}
        head4 = [x for s in ("wordnet", "mythes") for x in self.lists[s].get(lo, ())[:4]]
        rarer = [x for x in dict.fromkeys(head4) if zipf(x) < zipf(lo)]
        if rarer and max(rarer, key=zipf) == ls:
            out["dict_pick"] = 1.0
        if any(self.lists[s].get(lo, [None])[0] == ls for s in ("wordnet", "mythes")):
            out["sense0"] = 1.0
        return out


def context_vectors(corpus: Path) -> tuple[dict[str, int], np.ndarray]:
    """word → row, unit vectors (see the module docstring)."""
    lines = corpus.read_text(encoding="utf-8").lower().split("\n")
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(line.split())
    vocab = {w: i for i, w in enumerate(w for w, c in counts.items() if c >= 5)}
    contexts = {w: i for i, (w, _) in enumerate(counts.most_common(3000))}
    m = np.zeros((len(vocab), len(contexts)), dtype=np.float32)
    for line in lines:
        words = line.split()
        rows = [vocab.get(w, -1) for w in words]
        cols = [contexts.get(w, -1) for w in words]
        for i, row in enumerate(rows):
            if row < 0:
                continue
            for j in (i - 2, i - 1, i + 1, i + 2):
                if 0 <= j < len(words) and cols[j] >= 0:
                    m[row, cols[j]] += 1
    total = m.sum()
    col = m.sum(0, keepdims=True) ** 0.75
    with np.errstate(divide="ignore", invalid="ignore"):
        ppmi = np.log((m / total) / ((m.sum(1, keepdims=True) / total) * (col / col.sum())))
    ppmi = np.maximum(np.nan_to_num(ppmi, nan=0.0, posinf=0.0, neginf=0.0), 0).astype(np.float32)
    rng = np.random.default_rng(0)
    q = np.linalg.qr(ppmi @ rng.standard_normal((ppmi.shape[1], 260)).astype(np.float32))[0]
    u, s, _ = np.linalg.svd(q.T @ ppmi, full_matrices=False)
    vectors = (q @ u[:, :200]) * np.sqrt(s[:200])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return vocab, vectors


def groups(
    gen: CandidateGenerator,
    subs: Sequence[spin_pairs.Substitution],
    forward: Forward,
    vectors: tuple[dict[str, int], np.ndarray],
) -> list[Group]:
    vocab, vecs = vectors

    def vector(phrase: str) -> np.ndarray | None:
        rows = [vocab.get(w) for w in phrase.split(" ")]
        if None in rows:
            return None
        v = vecs[rows].sum(0)
        return v / (np.linalg.norm(v) + 1e-9)  # type: ignore[no-any-return]

    memo: dict[str, tuple[list[str], np.ndarray, np.ndarray, np.ndarray]] = {}
    out: list[Group] = []
    for sub in subs:
        hit = memo.get(sub.spun)
        if hit is None:
            evs = gen.evidence(sub.spun, sub.spun.split(" "))
            static = np.array([gen.channel.static_score(ev) for ev in evs])
            feats = np.zeros((len(evs), len(FEATURES)))
            terms = np.zeros((len(evs), len(TERMS) + len(AGREE_MARGINS)))
            spun_vec = vector(sub.spun)
            for i, ev in enumerate(evs):
                f = static_features(ev)
                feats[i] = [f.get(k, 0.0) for k in FEATURES]
                t = forward.terms(ev.original, sub.spun)
                for at, source in ((0, "wordnet"), (1, "mythes")):
                    if source in ev.ranks:
                        t[TERMS[at]] = 1.0 / (1 + ev.ranks[source][0])
                high = max(0.0, f["zipf_original"] - 4.5)
                t["zhigh"] = high
                t["zhigh_agree"] = high * (len(ev.ranks) - 1 if ev.ranks else 0)
                t["zhigh_single"] = high * (len(ev.ranks) == 1)
                t["moby_only"] = float(set(ev.ranks) == {"moby"})
                orig_vec = vector(ev.original) if spun_vec is not None else None
                if orig_vec is not None:
                    t["similarity"] = float(spun_vec @ orig_vec)  # type: ignore[operator]
                    t["sim_frequent"] = t["similarity"] * (f["zipf_original"] >= 5)
                terms[i, : len(TERMS)] = [t.get(k, 0.0) for k in TERMS]
            order = sorted(zip(static.tolist(), evs, strict=True), key=lambda item: -item[0])
            shipped = sources_module.INFLECTION_MARGIN
            for k, margin in enumerate(AGREE_MARGINS):
                sources_module.INFLECTION_MARGIN = margin
                agreed = {ev.original: z for z, ev in sources_module.agree_inflection(sub.spun, order)}
                change = [agreed[ev.original] - z for z, ev in zip(static, evs, strict=True)]
                terms[:, len(TERMS) + k] = change
            sources_module.INFLECTION_MARGIN = shipped
            hit = memo[sub.spun] = ([ev.original for ev in evs], static, feats, terms)
        names, static, feats, terms = hit
        out.append((static, feats, terms, names.index(sub.original) if sub.original in names else None))
    return out


Shift = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def score(data: list[Group], shift: Shift) -> tuple[float, float]:
    among = first = 0
    for static, feats, terms, at in data:
        if at is None:
            continue
        z = static + shift(static, feats, terms)
        rank = int((z > z[at]).sum())
        among += rank < CAP
        first += rank == 0
    n = max(len(data), 1)
    return among / n, first / n


def refit(train: list[list[Group]], l2: float) -> np.ndarray:
    """Conditional-logit deltas for all TERMS on top of the static score (Newton, L2), each
    source weighted the same."""
    rows = []
    for data in train:
        weight = 1000.0 / max(len(data), 1)
        for static, _, terms, at in data:
            if at is None or len(static) < 2:
                continue
            terms = terms[:, : len(TERMS)]
            keep = np.argsort(-static)[:200]
            if at not in keep:
                keep = np.append(keep, at)
            rows.append((static[keep], terms[keep], int(np.flatnonzero(keep == at)[0]), weight))
    w = np.zeros(len(TERMS))
    for _ in range(30):
        grad, hess = -l2 * w, -l2 * np.eye(len(TERMS))
        for static, terms, at, weight in rows:
            z = static + terms @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            mean = p @ terms
            grad += weight * (terms[at] - mean)
            hess -= weight * ((terms * p[:, None]).T @ terms - np.outer(mean, mean))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sentences", type=int, default=500, help="simulator sentences per profile (sim:*)")
    parser.add_argument("--cache", help="a pickle of the groups: read if present, else written")
    args = parser.parse_args()
    if args.cache and Path(args.cache).exists():
        with open(args.cache, "rb") as f:
            data = pickle.load(f)
    else:
        from benchmarks.candidates import profile_pairs

        forward = Forward()
        gen = CandidateGenerator(
            ReverseTable.load(), ChannelModel.load(), related=Relatives.from_forward(forward.lists)
        )
        vectors = context_vectors(spin_pairs.NEWS_CORPUS)
        sets: dict[str, list[spin_pairs.Substitution]] = {}
        train, test = spin_pairs.split_by_original(spin_pairs.load(["tortured"]).get("tortured", []))
        sets["tortured-train"], sets["tortured"] = train, test
        for profile in PROFILES:
            sets[f"tune:{profile}"] = spin_pairs.aligned(profile_pairs(profile, 300, 5), profile)
            sets[f"sim:{profile}"] = spin_pairs.aligned(profile_pairs(profile, args.sentences, 11), profile)
        sets.update(spin_pairs.load(["dev", "design"]))
        data = {name: groups(gen, subs, forward, vectors) for name, subs in sets.items()}
        if args.cache:
            with open(args.cache, "wb") as f:
                pickle.dump(data, f)
    shown = ["dev", "tortured", "design", *(f"sim:{p}" for p in PROFILES)]
    base = {name: score(data[name], lambda s, f, t: 0.0) for name in shown}  # type: ignore[arg-type, return-value]
    print(f"{'variant':26} " + "  ".join(f"{n:>14}" for n in shown) + "   (Δ recall@12 / Δ first)")
    print(f"{'today (absolute)':26} " + "  ".join(f"{base[n][0]:.3f} / {base[n][1]:.3f}" for n in shown))
    variants: list[tuple[str, Shift]] = []
    for term in TERMS:
        for weight in (-0.5, 0.5, 1.0, 2.0):
            i = TERMS.index(term)
            variants.append((f"{term} {weight:+.1f}", lambda s, f, t, i=i, w=weight: w * t[:, i]))
    sim = TERMS.index("similarity")
    for weight in (1.0, 2.0):
        near_top: Shift = lambda s, f, t, w=weight: w * t[:, sim] * (s >= s.max() - 1)  # noqa: E731
        variants.append((f"similarity near top {weight:+.1f}", near_top))
    for k, margin in enumerate(AGREE_MARGINS):
        column = len(TERMS) + k
        variants.append((f"inflection agreement {margin}", lambda s, f, t, c=column: t[:, c]))
    for label, shift in variants:
        cells = []
        for n in shown:
            among, first = score(data[n], shift)
            cells.append(f"{among - base[n][0]:+.3f} / {first - base[n][1]:+.3f}")
        print(f"{label:26} " + "  ".join(cells))
    # The margin is chosen on the tuning sources (each no worse, the most gained).
    tuning = ["tortured-train", *(f"tune:{p}" for p in PROFILES)]
    tune_base = {name: score(data[name], lambda s, f, t: 0.0) for name in tuning}  # type: ignore[arg-type, return-value]
    print(f"\n{'tuning sources':26} " + "  ".join(f"{n:>14}" for n in tuning))
    absolute = (f"{tune_base[n][0]:.3f} / {tune_base[n][1]:.3f}" for n in tuning)
    print(f"{'today (absolute)':26} " + "  ".join(absolute))
    for k, margin in enumerate(AGREE_MARGINS):
        cells = []
        column = len(TERMS) + k
        for n in tuning:
            among, first = score(data[n], lambda s, f, t, c=column: t[:, c])
            cells.append(f"{among - tune_base[n][0]:+.3f} / {first - tune_base[n][1]:+.3f}")
        print(f"{'inflection agreement ' + str(margin):26} " + "  ".join(cells))
    train = [data[name] for name in tuning]
    print()
    for l2 in (10.0, 100.0):
        w = refit(train, l2)
        cells = []
        for n in shown:
            among, first = score(data[n], lambda s, f, t, w=w: t[:, : len(TERMS)] @ w)
            cells.append(f"{among - base[n][0]:+.3f} / {first - base[n][1]:+.3f}")
        print(f"{'refit all, L2 ' + str(l2):26} " + "  ".join(cells))
        print("    weights: " + " ".join(f"{k}={v:+.2f}" for k, v in zip(TERMS, w, strict=True)))


if __name__ == "__main__":
    main()
