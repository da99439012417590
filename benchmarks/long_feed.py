"""A long feed through the command line: `corrector correct`'s default path against `--fast`.

    .venv/bin/python benchmarks/long_feed.py [--sentences 10000] [--profile dictionary] [--workers 2]
        [--distinct]

The feed: gensim's held-out lee.cor documents and the Reuters-21578 originals of ``make
eval-data`` (``build/eval/reuters_originals.jsonl``; both held out from the LM corpus), repeated
to ``--sentences`` sentences (~1,000 distinct ones: the numbers measure speed and the decisions
on a long feed, not accuracy on 10,000 new sentences), spun by ``corrector spin --profile
PROFILE --seed 2`` as one fixed dictionary. ``--distinct``: instead, ``--sentences`` distinct lines
of the LM corpus (``build/corpus/news.txt`` from line 70,000, detokenised, 20 to a document), for
speed on text whose forms do not all recur; its accuracy flatters the n-gram LM, which has seen
them. Each run is a fresh process: model and neural LM loads, both passes and the teacher count.
Prints wall seconds, words/s, fix / broken / ERR, and for the default path the pair types decided
and the share the spinner's dictionary holds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from corrector.builders.corpus import lee_heldout  # noqa: E402
from corrector.research.metrics import corpus_score, pair_stats  # noqa: E402
from corrector.text.tokens import split_sentences  # noqa: E402

REUTERS = PROJECT / "build" / "eval" / "reuters_originals.jsonl"
WORK = PROJECT / "build" / "long_feed"
CORRECTOR = [sys.executable, "-m", "corrector.cli"]


def originals(sentences: int) -> list[dict[str, str]]:
    """The held-out documents, repeated until they hold ``sentences`` sentences."""
    if not REUTERS.exists():
        raise SystemExit(f"{REUTERS} is missing: run `make eval-data` first")
    docs = list(lee_heldout())
    docs += [json.loads(line)["text"] for line in REUTERS.read_text(encoding="utf-8").splitlines() if line]
    rows: list[dict[str, str]] = []
    count, repeat = 0, 0
    while count < sentences:
        for i, text in enumerate(docs):
            rows.append({"id": f"{repeat}-{i}", "text": text})
            count += len(split_sentences(text))
            if count >= sentences:
                break
        repeat += 1
    return rows


CORPUS = PROJECT / "build" / "corpus" / "news.txt"
CORPUS_START = 70_000  # a line well inside the corpus, as any would do for speed
LINES_PER_DOCUMENT = 20


def distinct_originals(sentences: int) -> list[dict[str, str]]:
    """``sentences`` distinct lines of the LM corpus, detokenised, 20 to a document."""
    from corrector.text.tokens import detokenize

    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} is missing: run `make model` first")
    with CORPUS.open(encoding="utf-8") as lines:
        chosen = [line.split() for line in itertools.islice(lines, CORPUS_START, CORPUS_START + sentences)]
    if len(chosen) < sentences:
        raise SystemExit(f"{CORPUS} has only {CORPUS_START + len(chosen):,} lines")
    documents = (chosen[i : i + LINES_PER_DOCUMENT] for i in range(0, sentences, LINES_PER_DOCUMENT))
    return [{"id": str(i), "text": " ".join(map(detokenize, lines))} for i, lines in enumerate(documents)]


def run(flags: list[str], spun: Path, out: Path, workers: int) -> float:
    env = {k: v for k, v in os.environ.items() if k != "CORRECTOR_FAST"}
    started = time.perf_counter()
    command = [*CORRECTOR, "correct", str(spun), "-o", str(out), "--workers", str(workers), "-q", *flags]
    subprocess.run(command, check=True, cwd=PROJECT, env=env)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=10_000)
    parser.add_argument("--profile", default="dictionary")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--distinct", action="store_true", help="distinct LM-corpus lines (speed only)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    tag = f"{args.profile}-{args.sentences}" + ("-distinct" if args.distinct else "")
    source, pairs = WORK / f"originals-{tag}.jsonl", WORK / f"{tag}.pairs.jsonl"
    dictionary = WORK / f"{tag}.dictionary.tsv"
    rows = distinct_originals(args.sentences) if args.distinct else originals(args.sentences)
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    subprocess.run([*CORRECTOR, "spin", str(source), "--profile", args.profile, "--seed", "2",
                    "--dictionary-out", str(dictionary), "-o", str(pairs)], check=True, cwd=PROJECT,
                   capture_output=True)
    spun_rows = [json.loads(line) for line in pairs.read_text(encoding="utf-8").splitlines() if line]
    spun = WORK / f"{tag}.spun.jsonl"
    spun.write_text("".join(json.dumps({"id": r["id"], "text": r["spun"]}) + "\n" for r in spun_rows),
                    encoding="utf-8")
    truth = {r["id"]: (r["spun"], r["original"]) for r in spun_rows}
    used = set()
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            original, replacement, *_ = line.split("\t")
            used.add((replacement.lower(), original.lower()))
    words = sum(len(s.split()) for s, _ in truth.values())
    print(f"feed: {len(rows):,} documents, {args.sentences:,}+ sentences, {words:,} words, "
          f"profile {args.profile}, {args.workers} workers")
    for name, flags in (("--fast", ["--fast"]), ("default", [])):
        out = WORK / f"{tag}.{name.strip('-')}.jsonl"
        seconds = run(flags, spun, out, args.workers)
        restored = {}
        for line in out.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            restored[record["id"]] = record["restored"]
        score = corpus_score([pair_stats(s, o, restored[i]) for i, (s, o) in truth.items()])
        line = (f"{name:8s} {seconds:7.1f} s  {words / seconds:7,.0f} words/s  fix {score.fix:.3f} "
                f"broken {score.broken:.3f} ERR {score.err:+.3f}")
        spinner = Path(f"{out}.spinner.json")
        if name == "default" and spinner.exists():
            rows = json.loads(spinner.read_text())["pairs"]
            decided = [(p["spun"], p["original"]) for p in rows if p["spun"] != p["original"]]
            true = sum(pair in used for pair in decided) / max(len(decided), 1)
            line += f"  {len(decided)} pair types decided, {true:.0%} in the spinner's dictionary"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
