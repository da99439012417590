"""Would a bigger, general-purpose LM rank true originals better than our news KenLM?

The one large pre-trained English n-gram LM in the registries we may install from is CMU Sphinx's
generic US English 3-gram (72k words, 2.1M bigrams, 1.7M trigrams; lowercase, no punctuation),
shipped by Debian ``pocketsphinx-en-us`` and inside PyPI ``pocketsphinx`` (its ARPA export is
broken, so it is queried through the library). For every aligned dev substitution whose original
is among the candidates, each candidate is substituted alone and ranked by the LM gain of the
sentence (and by gain + channel); the script prints MRR and the share ranked first for our model,
the CMU model and their sum, and how often each prefers the original to the spun span.

    .venv/bin/pip install pocketsphinx   # not a project dependency
    .venv/bin/python benchmarks/external_lm.py [--model models/default]
"""

from __future__ import annotations

import argparse
import json
import math
import string
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from corrector.candidates.align import substitutions
from corrector.candidates.generator import CandidateGenerator
from corrector.defaults import SHARED_DATA_DIR, default_model_dir
from corrector.lm.kenlm import KenlmModel
from corrector.settings import DEFAULTS
from corrector.text.tokens import lm_words, tokenize

_CLITICS = frozenset({"n't", "'s", "'re", "'ll", "'ve", "'d", "'m"})
_PUNCTUATION = frozenset(string.punctuation + "“”‘’—–")


class SphinxLM:
    """CMU Sphinx's generic English LM scoring our LM tokens (clitics rejoined, punctuation dropped)."""

    def __init__(self) -> None:
        import pocketsphinx

        self._model = pocketsphinx.NGramModel.readfile(pocketsphinx.get_model_path("en-us/en-us.lm.bin"))
        self._to_log10 = math.log10(1.0001)  # the library's log base

    @cache  # noqa: B019 - one instance per run
    def _prob(self, context: tuple[str, ...]) -> float:
        return self._model.prob(list(context)) * self._to_log10

    def logprob(self, words: Sequence[str]) -> float:
        kept: list[str] = []
        for word in (w.lower() for w in words):
            if word in _CLITICS and kept:
                kept[-1] += word
            elif not set(word) <= _PUNCTUATION:
                kept.append(word)
        padded = ["<s>", *kept, "</s>"]
        return sum(self._prob(tuple(padded[max(0, i - 2) : i + 1])) for i in range(1, len(padded)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=default_model_dir())
    args = parser.parse_args()
    ours, sphinx, gen = KenlmModel(args.model), SphinxLM(), CandidateGenerator.load()
    rankers: dict[str, Callable[[float, float, float], float]] = {
        "ours": lambda k, s, c: k,
        "cmu": lambda k, s, c: s,
        "ours+cmu": lambda k, s, c: k + s,
        "ours+channel": lambda k, s, c: k + DEFAULTS["channel_weight"] * c,
        "ours+cmu+channel": lambda k, s, c: (k + s) / 2 + DEFAULTS["channel_weight"] * c,
        "channel alone": lambda k, s, c: c,
    }
    ranks: dict[str, list[int]] = {name: [] for name in rankers}
    prefers = {"ours": 0, "cmu": 0, "ours+cmu": 0}
    pairs = [json.loads(line) for line in (SHARED_DATA_DIR / "dev_pairs.jsonl").open(encoding="utf-8")]
    for pair in pairs:
        words = lm_words(t.text for t in tokenize(pair["spun"]))
        base = ours.logprob(words), sphinx.logprob(words)
        for start, end, _spun, original in substitutions(pair["spun"], pair["original"]):
            candidates = gen.candidates(" ".join(words[start:end]))
            truth = next((c for c in candidates if " ".join(c.words).lower() == original), None)
            if truth is None:
                continue
            rows = []
            for cand in candidates:
                new = [*words[:start], *cand.words, *words[end:]]
                rows.append((cand, ours.logprob(new) - base[0], sphinx.logprob(new) - base[1]))
            for name, score in rankers.items():
                order = sorted(rows, key=lambda r: -score(r[1], r[2], r[0].logprob))
                ranks[name].append(1 + [r[0] for r in order].index(truth))
            _, gain_ours, gain_cmu = next(r for r in rows if r[0] is truth)
            prefers["ours"] += gain_ours > 0
            prefers["cmu"] += gain_cmu > 0
            prefers["ours+cmu"] += gain_ours + gain_cmu > 0
    n = len(ranks["ours"])
    print(f"{n} dev substitutions with the original among the candidates")
    print(f"{'ranked by':18} {'MRR':>6} {'first':>6}")
    for name, found in ranks.items():
        print(f"{name:18} {sum(1 / r for r in found) / n:6.3f} {sum(r == 1 for r in found) / n:6.3f}")
    print("original preferred to the spun span: " + ", ".join(f"{k} {v / n:.3f}" for k, v in prefers.items()))


if __name__ == "__main__":
    main()
