"""Calibrate and check ``spun_score``: can the corrector tell spun documents from clean ones?

    python benchmarks/spun_score.py [--docs 50] [--fit]

Clean: gensim's held-out ``lee.cor`` documents (not LM training text). Spun: the same documents
through the project's spinner (all sources, and MyThes only). Features per document: edits per
word and LM gain per word of the restoration. Prints AUC and accuracy at 0.5 for the current
constants in ``corrector.defaults``; ``--fit`` fits a two-feature logistic regression on the first
half of the documents and reports it on the second half (paste the constants into defaults.py).
"""

from __future__ import annotations

import argparse
import itertools
import math

import numpy as np

from corrector import Corrector, defaults
from corrector.builders.corpus import lee_heldout
from corrector.research.fitting import auc
from corrector.research.spinner import Spinner
from corrector.text.tokens import is_word, split_sentences


def features(corrector: Corrector, text: str) -> tuple[float, float, float]:
    result = corrector.correct(text)
    words = sum(1 for s in split_sentences(text) for t in s.tokens if is_word(t.text)) or 1
    return len(result.edits) / words, sum(e.gain for e in result.edits) / words, result.spun_score


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 5000, lr: float = 0.5) -> np.ndarray:
    """Plain gradient descent on standardised features; returns weights for raw features + bias."""
    mean, std = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= lr * z.T @ (p - y) / len(y)
    raw = w[:-1] / std
    return np.append(raw, w[-1] - (w[:-1] * mean / std).sum())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--fit", action="store_true")
    args = parser.parse_args()

    corrector = Corrector.load()
    docs = list(itertools.islice(lee_heldout(), args.docs))
    spinners = [Spinner(seed=11), Spinner(sources=("mythes",), seed=12)]
    rows, labels, halves = [], [], []
    for i, doc in enumerate(docs):
        variants = [(doc, 0)] + [(s.spin(doc).spun, 1) for s in spinners]
        for text, label in variants:
            rows.append(features(corrector, text))
            labels.append(label)
            halves.append(i < len(docs) // 2)
    x = np.array([r[:2] for r in rows])
    current = np.array([r[2] for r in rows])
    y = np.array(labels, dtype=float)
    train = np.array(halves)
    print(f"documents: {len(docs)} clean, {2 * len(docs)} spun")
    print(f"mean edits/word   clean {x[y == 0, 0].mean():.3f}  spun {x[y == 1, 0].mean():.3f}")
    print(f"mean gain/word    clean {x[y == 0, 1].mean():.3f}  spun {x[y == 1, 1].mean():.3f}")
    print(
        f"current constants (scale {defaults.SPUN_SCALE}, gain {defaults.SPUN_GAIN_SCALE}, "
        f"bias {defaults.SPUN_BIAS}): AUC {auc(current, y):.3f}, "
        f"accuracy@0.5 {((current > 0.5) == (y == 1)).mean():.3f}"
    )
    if args.fit:
        w = fit_logistic(x[train], y[train])
        test = ~train
        p = 1 / (1 + np.exp(-(x[test] @ w[:2] + w[2])))
        print(
            f"fitted on first half: SPUN_SCALE = {w[0]:.2f}, SPUN_GAIN_SCALE = {w[1]:.2f}, "
            f"SPUN_BIAS = {w[2]:.2f}; held-out AUC {auc(p, y[test]):.3f}, "
            f"accuracy@0.5 {((p > 0.5) == (y[test] == 1)).mean():.3f}"
        )
        assert all(math.isfinite(v) for v in w)


if __name__ == "__main__":
    main()
