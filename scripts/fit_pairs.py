"""Fit the pair-type model on several spinner profiles and report how it transfers.

For each profile, ``--documents`` documents of ``--sentences`` consecutive LM-corpus sentences
are spun and every proposal labelled (:mod:`corrector.research.pair_fit`). Prints, per held-out
profile and scope (document / feed), the AUC of the model fitted on the OTHER profiles next to the
fast-match gain's own AUC; then fits on all profiles and both scopes and, with ``--write``,
stores the weights in ``corrector/data/pair_weights.json``.

    .venv/bin/python scripts/fit_pairs.py [--documents 40] [--sentences 15] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from corrector.research.fitting import auc  # noqa: E402
from corrector.research.pair_fit import (  # noqa: E402
    corpus_documents,
    fit,
    label_document,
    rows,
    scores,
)
from corrector.research.spinner import SpinConfig, Spinner, profile_config  # noqa: E402
from corrector.restore.pairs import WEIGHTS_FILE, FrequencyPrior  # noqa: E402

USER_DICT = PROJECT / "benchmarks" / "news_spins.tsv"
# Spinner profiles the model is fitted on (`corrector spin --profile`), with seeds of their own
# (benchmarks/feed.py evaluates on other seeds and other text), plus a small fixed user dictionary.
PROFILES: dict[str, SpinConfig] = {
    "thesaurus": profile_config("thesaurus", seed=11),
    "dictionary": profile_config("dictionary", seed=12),
    "light": profile_config("light", seed=13),
    "wordpress": profile_config("wordpress", seed=14),
    "user-dict": SpinConfig(sources=(), user_dicts=(str(USER_DICT),), seed=15),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--sentences", type=int, default=15)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--write", action="store_true", help=f"write {WEIGHTS_FILE.name}")
    args = parser.parse_args()

    from corrector import Corrector

    corrector = Corrector.load()
    prior = FrequencyPrior(corrector.lm)
    texts = corpus_documents(args.documents * len(PROFILES), args.sentences, args.seed)
    data = {}
    started = time.perf_counter()
    for k, (name, config) in enumerate(PROFILES.items()):
        spinner = Spinner(config)
        share = texts[k * args.documents : (k + 1) * args.documents]  # a profile's own documents
        documents = [label_document(corrector, spinner.spin(t, str(i))) for i, t in enumerate(share)]
        data[name] = {scope: rows(documents, prior, scope == "feed") for scope in ("document", "feed")}
    print(f"labelled {len(PROFILES)} profiles in {time.perf_counter() - started:.0f} s")
    print(f"{'held-out profile':16s} {'scope':8s} {'rows':>6s} {'true':>5s} {'AUC':>6s} {'gain AUC':>8s}")
    for held in PROFILES:
        train = [data[n][s] for n in PROFILES if n != held for s in ("document", "feed")]
        model = fit(np.vstack([x for x, _ in train]), np.concatenate([y for _, y in train]), args.l2)
        for scope in ("document", "feed"):
            x, y = data[held][scope]
            print(f"{held:16s} {scope:8s} {len(y):6d} {y.mean():5.2f} {auc(scores(model, x), y):6.3f} "
                  f"{auc(x[:, 0], y):8.3f}")
    everything = [data[n][s] for n in PROFILES for s in ("document", "feed")]
    model = fit(
        np.vstack([x for x, _ in everything]),
        np.concatenate([y for _, y in everything]),
        args.l2,
        fitted_on=f"profiles {'+'.join(PROFILES)}; {args.documents} documents x {args.sentences} corpus "
        f"sentences each; seed {args.seed}; l2 {args.l2}",
    )
    print("weights:", dict(zip(("gain", "support", "log_occurrences", "spun_excess", "original_deficit"),
                               model.weights, strict=True)), "bias", model.bias)
    if args.write:
        WEIGHTS_FILE.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
