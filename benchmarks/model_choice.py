"""Which order and casing? How often each model prefers the original over the spun text.

For every dev pair: (a) whole sentence, original vs spun; (b) every aligned substitution applied
alone to the spun sentence, fixed vs spun (the local preference the decoder relies on), with the
mean margin in log10. Prints a markdown table (README "Choosing the default model").

    python benchmarks/model_choice.py [MODEL_DIR ...]
"""

from __future__ import annotations

import difflib
import json
import sys
import time
from pathlib import Path

from corrector.defaults import BUILD_DIR, SHARED_DATA_DIR
from corrector.lm.kenlm import KenlmModel
from corrector.text.tokens import tokenize


def local_fixes(spun: list[str], original: list[str]) -> list[list[str]]:
    """The spun sentence with each differing aligned block replaced by the original's, one at a time."""
    matcher = difflib.SequenceMatcher(
        a=[w.lower() for w in spun], b=[w.lower() for w in original], autojunk=False
    )
    fixed = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            fixed.append(spun[:i1] + original[j1:j2] + spun[i2:])
    return fixed


def evaluate(model: KenlmModel, pairs: list[dict[str, str]]) -> dict[str, float]:
    whole = local = local_total = 0
    margins: list[float] = []
    for pair in pairs:
        spun = [t.text for t in tokenize(pair["spun"])]
        original = [t.text for t in tokenize(pair["original"])]
        spun_lp = model.score_sentence(spun).logprob
        whole += model.score_sentence(original).logprob > spun_lp
        for fixed in local_fixes(spun, original):
            margin = model.score_sentence(fixed).logprob - spun_lp
            margins.append(margin)
            local += margin > 0
            local_total += 1
    return {
        "sentences": whole / len(pairs),
        "local": local / max(local_total, 1),
        "margin": sum(margins) / max(len(margins), 1),
        "n_local": local_total,
    }


def main(argv: list[str]) -> None:
    dirs = [Path(a) for a in argv] or sorted(p for p in (BUILD_DIR / "models").iterdir() if p.is_dir())
    pairs = [json.loads(line) for line in (SHARED_DATA_DIR / "dev_pairs.jsonl").open()]
    print(
        "| model | order | casing | original preferred (sentences) | local fixes preferred "
        "| mean margin (log10) | binary MB | load s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for model_dir in dirs:
        started = time.perf_counter()
        model = KenlmModel(model_dir)
        load = time.perf_counter() - started
        r = evaluate(model, pairs)
        size = (model_dir / "model.bin").stat().st_size / 1e6
        print(
            f"| {model_dir.name} | {model.order} | {'lower' if model.lowercase else 'cased'} | "
            f"{r['sentences']:.2f} | {r['local']:.2f} (n={r['n_local']}) | {r['margin']:+.2f} "
            f"| {size:.0f} | {load:.3f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
