"""Accuracy of the default model: synthetic Reuters pairs (three spinner settings) and dev pairs.

Needs ``make model thesaurus eval-data``. Prints one table: per pair set, fix / broken / ERR /
edit P, R, F0.5 with the ERR 95% bootstrap CI, the lattice oracle's fix (the ceiling any decoder
has on these candidates, :mod:`corrector.research.oracle`) and words/s; then the evaluation signature.
Synthetic settings: ``all`` = spun with Moby+WordNet+MyThes (the restorer's own sources),
``mythes`` = MyThes only, ``user`` = a user TSV the restorer has never seen. The MyThes-only spins
are restored twice: with all sources, and — not circular — with a table built from Moby and
WordNet only (``build/thesaurus-no-mythes``, built on first use, ~75 s).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from corrector.defaults import SHARED_DATA_DIR  # noqa: E402
from corrector.research.metrics import bootstrap_ci, corpus_score, pair_stats, signature  # noqa: E402
from corrector.research.oracle import oracle_score  # noqa: E402

EVAL_DIR = PROJECT / "build" / "eval"
NO_MYTHES = PROJECT / "build" / "thesaurus-no-mythes"
SETS = [
    ("reuters spun: all thesauri", EVAL_DIR / "reuters_pairs_all.jsonl", False),
    ("reuters spun: mythes only", EVAL_DIR / "reuters_pairs_mythes.jsonl", False),
    ("  same, restored w/o mythes", EVAL_DIR / "reuters_pairs_mythes.jsonl", True),
    ("reuters spun: user dict only", EVAL_DIR / "reuters_pairs_user.jsonl", False),
    ("dev pairs (real spinner)", SHARED_DATA_DIR / "dev_pairs.jsonl", False),
]


def no_mythes_corrector():
    """A corrector whose candidates come from Moby and WordNet only."""
    from corrector import Corrector
    from corrector.candidates.channel import ChannelModel
    from corrector.candidates.table import TABLE_FORMAT

    manifest = NO_MYTHES / "manifest.json"
    built = json.loads(manifest.read_text()) if manifest.exists() else {}
    # Rebuilt when the table format or the channel weights its lists were ranked with change.
    if (built.get("format"), built.get("ranked_with")) != (TABLE_FORMAT, ChannelModel.load().fingerprint()):
        command = [sys.executable, "-m", "corrector.cli", "build-thesaurus", "-o", str(NO_MYTHES)]
        subprocess.run([*command, "--sources", "moby,wordnet"], check=True, stdout=subprocess.DEVNULL)
    return Corrector.load(thesaurus_dir=NO_MYTHES)


def main() -> int:
    from corrector import Corrector

    corrector = Corrector.load()
    fields = dict(getattr(corrector, "signature_fields", dict)())
    header = f"{'pair set':30s} {'pairs':>5s} {'words':>6s} {'fix':>6s} {'broken':>6s} {'ERR':>7s} " \
             f"{'ERR 95% CI':>17s} {'P':>6s} {'R':>6s} {'F0.5':>6s} {'oracle':>6s} {'w/s':>6s}"
    print(header)
    for name, path, without_mythes in SETS:
        if not path.exists():
            print(f"{name:30s} missing {path} (run `make eval-data`)")
            continue
        pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        words = sum(len(p["spun"].split()) for p in pairs)
        start = time.perf_counter()
        restorer = no_mythes_corrector() if without_mythes else corrector
        lattices = [restorer.lattices(p["spun"]) for p in pairs]
        restored = [restorer.restore_lattices(p["spun"], lat).text
                    for p, lat in zip(pairs, lattices, strict=True)]
        rate = words / max(time.perf_counter() - start, 1e-9)
        stats = [pair_stats(p["spun"], p["original"], r) for p, r in zip(pairs, restored, strict=True)]
        s = corpus_score(stats)
        lo, hi = bootstrap_ci(stats, 1000, 12345)["err"]
        oracle = oracle_score((p["spun"], lat, p["original"]) for p, lat in zip(pairs, lattices, strict=True))
        print(f"{name:30s} {len(pairs):5d} {words:6d} {s.fix:6.3f} {s.broken:6.3f} {s.err:7.3f} "
              f"[{lo:6.3f}, {hi:6.3f}] {s.precision:6.3f} {s.recall:6.3f} {s.f05:6.3f} {oracle.fix:6.3f} "
              f"{rate:6.0f}")
    print(signature(fields, bootstrap=1000, seed=12345))
    return 0


if __name__ == "__main__":
    sys.exit(main())
