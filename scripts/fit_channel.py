"""Fit the channel weights (logistic regression, numpy) and report candidate recall and MRR.

Training data: synthetic spins (``corrector.spinner``, rarity-biased, over sentences of the LM
corpus ``build/corpus/news.txt``). The 12 real dev pairs are held out for evaluation only, so the
weights do not overfit them. Every span the generator proposes is an example group: its true
original (if any) is the positive, every other candidate a negative, and spans the spinner left
alone contribute only negatives (that is what keeps "broken" low).

    .venv/bin/python scripts/fit_channel.py [--sentences 3000] [--write]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

import numpy as np

from corrector.candidates import CandidateGenerator, substitutions
from corrector.channel import FEATURES, WEIGHTS_FILE, ChannelModel, document_features, static_features
from corrector.defaults import BUILD_DIR, SHARED_DATA_DIR
from corrector.text import Sentence, tokenize

Group = tuple[list[dict[str, float]], list[str], int, list[float]]  # feats, originals, gold idx, raw keys


def examples(gen: CandidateGenerator, pairs: list[tuple[str, str]]) -> tuple[list[Group], dict[str, int]]:
    """Candidate groups per span of the spun texts (one document), plus recall counters."""
    stats = {"single": 0, "single_hit": 0, "multi": 0, "multi_hit": 0}
    docs = []
    for spun, original in pairs:
        tokens = tuple(tokenize(spun))
        sentence = Sentence(0, len(spun), tokens)
        gold = {(s, e): o for s, e, _, o in substitutions(spun, original)}
        docs.append((sentence, gold))
    doc_counts: dict[str, int] = {}
    for sentence, _ in docs:
        for _, _, key in gen.spans(sentence):
            doc_counts[key] = doc_counts.get(key, 0) + 1
    groups: list[Group] = []
    for sentence, gold in docs:
        spans = {(s, e): key for s, e, key in gen.spans(sentence)}
        for (s, e), orig in gold.items():
            kind = "single" if e - s == 1 else "multi"
            stats[kind] += 1
            key = spans.get((s, e))
            if key is not None and any(ev.original == orig for ev in gen.evidence(key, sentence.words[s:e])):
                stats[kind + "_hit"] += 1
        for (s, e), key in spans.items():
            evs = gen.evidence(key, sentence.words[s:e])
            if not evs:
                continue
            feats, originals, raw = [], [], []
            for ev in evs:
                f = static_features(ev)
                f.update(document_features(ev, doc_counts.get(key, 0), doc_counts.get(ev.original, 0)))
                feats.append(f)
                originals.append(ev.original)
                # "Raw thesaurus order": position in the headword's list, rules/numbers first.
                raw.append(min((r for r, _ in ev.ranks.values()), default=-1))
            gold_orig = gold.get((s, e))
            groups.append(
                (feats, originals, originals.index(gold_orig) if gold_orig in originals else -1, raw)
            )
    return groups, stats


def matrix(groups: list[Group]) -> tuple[np.ndarray, np.ndarray]:
    index = {name: i for i, name in enumerate(FEATURES)}
    rows = [f for feats, _, _, _ in groups for f in feats]
    x = np.zeros((len(rows), len(FEATURES)))
    for r, f in enumerate(rows):
        for name, value in f.items():
            x[r, index[name]] = value
    y = np.array([float(i == gold) for feats, _, gold, _ in groups for i in range(len(feats))])
    return x, y


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 60) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method."""
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / len(y) + l2 * w
        hess = (x.T * (p * (1 - p))) @ x / len(y) + l2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def ranking(groups: list[Group], model: ChannelModel | None) -> dict[str, float]:
    """MRR and top-1 share of the true original among candidates (groups that contain it)."""
    rr, first = [], 0
    for feats, _, gold, raw in groups:
        if gold < 0:
            continue
        if model is None:
            order = sorted(range(len(feats)), key=lambda i: raw[i])
        else:
            scores = [model.linear(f) for f in feats]
            order = sorted(range(len(feats)), key=lambda i: -scores[i])
        rank = order.index(gold) + 1
        rr.append(1 / rank)
        first += rank == 1
    n = len(rr)
    return {
        "n": n,
        "mrr": round(float(np.mean(rr)) if n else 0.0, 3),
        "first": round(first / n if n else 0.0, 3),
    }


def spun_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    from corrector.spinner import SpinConfig, Spinner

    lines = (BUILD_DIR / "corpus" / "news.txt").read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    picked = [line for line in rng.sample(lines, n * 2) if 8 <= len(line.split()) <= 40][:n]
    spinner = Spinner(SpinConfig(seed=seed, rarity=0.5))
    out = []
    for line in picked:
        # The corpus is LM-tokenised; re-join so the spinner sees running text.
        from corrector.text import detokenize

        text = detokenize(line.split())
        out.append((spinner.spin(text).spun, text))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sentences", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write", action="store_true", help=f"write weights to {WEIGHTS_FILE}")
    args = parser.parse_args()
    started = time.perf_counter()
    gen = CandidateGenerator.load()
    dev = [
        (json.loads(line)["spun"], json.loads(line)["original"])
        for line in (SHARED_DATA_DIR / "dev_pairs.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    synthetic = spun_pairs(args.sentences, args.seed)
    half = len(synthetic) // 2
    # Documents of 20 sentences so document features see realistic repetition.
    train_groups: list[Group] = []
    test_groups: list[Group] = []
    train_stats: dict[str, int] = {}
    test_stats: dict[str, int] = {}
    for start in range(0, len(synthetic), 20):
        groups, stats = examples(gen, synthetic[start : start + 20])
        target, target_stats = (train_groups, train_stats) if start < half else (test_groups, test_stats)
        target.extend(groups)
        for k, v in stats.items():
            target_stats[k] = target_stats.get(k, 0) + v
    dev_groups, dev_stats = examples(gen, dev)
    x, y = matrix(train_groups)
    w = fit(x, y)
    model = ChannelModel(dict(zip(FEATURES, map(float, w), strict=True)))
    prior = ChannelModel.load()

    def recall(stats: dict[str, int]) -> dict[str, str]:
        out = {}
        for kind in ("single", "multi"):
            hit, total = stats[kind + "_hit"], stats[kind]
            out[kind] = f"{hit}/{total} = {hit / max(total, 1):.3f}"
        return out

    report = {
        "train": {"groups": len(train_groups), "rows": len(y), "positives": int(y.sum())},
        "recall": {"dev": recall(dev_stats), "synthetic_test": recall(test_stats)},
        "rank": {
            name: {
                "raw_thesaurus": ranking(g, None),
                "prior_weights": ranking(g, prior),
                "fitted": ranking(g, model),
            }
            for name, g in (("dev", dev_groups), ("synthetic_test", test_groups))
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=2))
    print(json.dumps({k: round(v, 3) for k, v in model.weights.items()}), file=sys.stderr)
    if args.write:
        model.save(
            WEIGHTS_FILE,
            {
                "fitted": f"scripts/fit_channel.py --sentences {args.sentences} --seed {args.seed}",
                "report": report,
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
