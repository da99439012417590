"""Single articles through the command line: `corrector correct ARTICLE` (the default path) and `--fast`.

    .venv/bin/python benchmarks/article_speed.py [--articles 6] [--profile dictionary] [--rounds 1]

The articles: gensim's held-out lee.cor documents joined four at a time (~320 words, as
``benchmarks/feed.py``'s ``<profile> ×4`` sets), spun by ``corrector spin --profile PROFILE``,
plus the dev pairs as one article and the seed article when ``../shared/data`` has them. Each
article is one fresh process, as a user runs it: interpreter start, imports, model and neural LM
loads, both passes and the teacher all count. Prints per article the words, wall seconds, words/s
and the run's own CPU seconds, then the totals (words/s = all words / all wall seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from corrector.builders.corpus import lee_heldout  # noqa: E402
from corrector.defaults import SHARED_DATA_DIR  # noqa: E402
from corrector.research.spinner import Spinner, profile_config  # noqa: E402

WORK = PROJECT / "build" / "article_speed"
CORRECTOR = [sys.executable, "-m", "corrector.cli"]
ARTICLE = 4  # lee.cor documents per article


def articles(count: int, profile: str) -> list[tuple[str, str]]:
    """(name, spun text) of ``count`` spun lee articles, the dev article and the seed article."""
    lee = list(lee_heldout())
    spinner = Spinner(profile_config(profile, seed=2))
    out = []
    for i in range(count):
        original = "\n\n".join(lee[ARTICLE * i : ARTICLE * (i + 1)])
        out.append((f"{profile}-{i}", spinner.spin(original, str(i)).spun))
    dev = SHARED_DATA_DIR / "dev_pairs.jsonl"
    if dev.exists():
        rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
        out.append(("dev article", " ".join(r["spun"] for r in rows)))
    seed = SHARED_DATA_DIR / "seed_spun_article.txt"
    if seed.exists():
        out.append(("seed article", seed.read_text(encoding="utf-8")))
    return out


def run(path: Path, flags: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (the child's, BLAS threads included) of one `corrector correct`."""
    env = {k: v for k, v in os.environ.items() if k != "CORRECTOR_FAST"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([*CORRECTOR, "correct", str(path), "-o", str(path.with_suffix(".jsonl")), "-q", *flags],
                   check=True, cwd=PROJECT, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument("--profile", default="dictionary")
    parser.add_argument("--rounds", type=int, default=1, help="runs per article (the fastest counts)")
    parser.add_argument("--fast", action="store_true", help="also time --fast")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    modes = [("default", [])] + ([("--fast", ["--fast"])] if args.fast else [])
    print(f"{'mode':8s} {'article':16s} {'words':>6s} {'wall s':>7s} {'words/s':>8s} {'cpu s':>6s}")
    for mode, flags in modes:
        total_words, total_wall, total_cpu = 0, 0.0, 0.0
        for name, text in articles(args.articles, args.profile):
            path = WORK / f"{name.replace(' ', '-')}.txt"
            path.write_text(text, encoding="utf-8")
            wall, cpu = min(run(path, flags) for _ in range(args.rounds))
            words = len(text.split())
            total_words, total_wall, total_cpu = total_words + words, total_wall + wall, total_cpu + cpu
            print(f"{mode:8s} {name:16s} {words:6d} {wall:7.2f} {words / wall:8.0f} {cpu:6.2f}", flush=True)
        print(f"{mode:8s} {'all':16s} {total_words:6d} {total_wall:7.2f} {total_words / total_wall:8.0f} "
              f"{total_cpu:6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
