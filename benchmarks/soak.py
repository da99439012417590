"""Soak test: a mixed feed of good, bad and hostile records through 2 workers, then a kill and resume.

    python benchmarks/soak.py [--mb 100] [--real] [--model DIR] [--kill-at 0.4] [--workdir DIR]

Builds a JSONL feed of about ``--mb`` MB: ~90 % good records (spun news paragraphs, generated as
``benchmarks/batch.py`` does from the corpus on this machine; nothing is committed), ~5 % bad ones
(malformed JSON, not an object, missing or non-string text, invalid UTF-8, empty text, JSON nested
10,000 deep, a line over --max-chars) and ~5 % hostile ones (NUL and other controls, lone surrogate
escapes, a BOM, CRLF and CR line ends, terminal escape sequences, 5,000 words without punctuation,
190,000 one-character tokens). It then runs ``corrector correct FEED -o OUT --workers 2`` twice:

1. uninterrupted;
2. killed (SIGKILL to the process group) once ``--kill-at`` of the records are checkpointed, then
   ``--resume``.

and prints, for each: records in and out, errors, words/s, peak RSS of the whole process tree
(sampled from /proc every 50 ms), and whether the resumed output is byte-identical to the first.

By default the runs use the pass-through ``EchoCorrector`` of ``benchmarks/batch.py`` (the
pipeline's own cost: reading, chunking, workers, writing, checkpoints), since decoding 1 GB with
the real model takes days on two cores; ``--real`` restores with the real corrector (``--model``,
default models/default): use a small ``--mb`` (the default model restores ~9k words/s on 2 workers).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from batch import BENCH_DIR, PeakRSS, spun_sentences

# Large records (hundreds of kB each) are drawn rarely, so the feed's bytes stay mostly records.
BIG_BAD = [b'{"text": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", b'{"text": "' + b"too long " * 30_000 + b'"}']
BIG_HOSTILE = ["word " * 5_000, "&" * 190_000]
BAD = [
    b'{"text": "unterminated',
    b'["not", "an", "object"]',
    b'{"body": "no text field"}',
    b'{"text": 42}',
    b'{"text": "caf\xe9 latin-1"}',
    b'{"text": "   "}',
]
HOSTILE = [
    "Officials\u0000 stated the talks\u0007 went on.",
    "A lone surrogate \ud800 and another \udfff inside a sentence stated today.",
    "\ufeffA byte order mark, then\r\nCRLF and\rCR line ends within the text.",
    "Terminal \u001b[2J\u001b[31m escapes \u009b and C1 \u0085 controls stated.",
]


def build_feed(path: Path, megabytes: float, seed: int = 5) -> int:
    """Write the mixed feed; returns the number of records (non-blank lines)."""
    rng = random.Random(seed)
    sentences = spun_sentences(3000, seed=seed)
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences) - 5, 5)]
    target = int(megabytes * 1e6)
    written = records = 0
    with open(path, "wb") as handle:
        while written < target:
            roll = rng.random()
            if roll < 0.001:
                line = rng.choice(BIG_BAD)
            elif roll < 0.002:
                line = json.dumps({"id": f"h{records}", "text": rng.choice(BIG_HOSTILE)}).encode()
            elif roll < 0.05:
                line = rng.choice(BAD)
            elif roll < 0.10:
                line = json.dumps({"id": f"h{records}", "text": rng.choice(HOSTILE)}).encode()
            else:
                good = {"id": f"g{records}", "text": rng.choice(paragraphs), "n": records}
                line = json.dumps(good).encode()
            handle.write(line + b"\n")
            written += len(line) + 1
            records += 1
    return records


@dataclass(frozen=True, slots=True)
class RunResult:
    """One ``corrector correct`` process: exit status, peak tree RSS, wall time, its summary line."""

    code: int
    peak_rss: int
    seconds: float
    summary: str


def run(command: list[str], env: dict[str, str], kill_at: tuple[Path, int] | None = None) -> RunResult:
    """Run ``command``, sampling its tree's RSS; ``kill_at=(checkpoint, n)``: SIGKILL the process
    group once the checkpoint counts ``n`` records."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, start_new_session=True)
    with PeakRSS(process.pid) as rss:
        if kill_at is not None:
            checkpoint, records = kill_at
            while process.poll() is None:
                try:
                    if json.loads(checkpoint.read_text())["records"] >= records:
                        os.killpg(process.pid, signal.SIGKILL)
                        break
                except (OSError, ValueError, KeyError):
                    pass
                time.sleep(0.01)
        _, stderr = process.communicate()
    peak = rss.peak
    lines = stderr.decode(errors="replace").splitlines()
    summary = next((line for line in lines if "records" in line), "\n".join(lines[-3:]))
    return RunResult(process.returncode, peak, time.perf_counter() - started, summary.strip())


def words_per_second(summary: str) -> str:
    match = re.search(r"= ([\d,]+) words/s", summary)
    return match.group(1) if match else "?"


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=100.0, help="feed size in MB (default: %(default)s)")
    parser.add_argument("--real", action="store_true", help="restore with the real corrector (slow)")
    parser.add_argument("--model", type=Path, default=None, help="model directory for --real")
    parser.add_argument(
        "--kill-at", type=float, default=0.4, help="kill once this fraction of the records is checkpointed"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="scratch directory (default: a temp dir)")
    args = parser.parse_args()

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), os.environ.get("PYTHONPATH", "")])}
    base = [sys.executable, "-m", "corrector.cli", "correct", "--workers", "2"]  # stderr is a pipe: no bar
    if not args.real:
        base += ["--corrector-factory", "batch:EchoCorrector.load"]
    elif args.model is not None:
        base += ["--model", str(args.model)]
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as scratch:
        workdir = Path(scratch)
        feed = workdir / "feed.jsonl"
        started = time.perf_counter()
        records = build_feed(feed, args.mb)
        size = feed.stat().st_size
        print(f"feed: {size / 1e6:,.1f} MB, {records:,} records (~90% good, 5% bad, 5% hostile), "
              f"built in {time.perf_counter() - started:.1f} s; corrector: "
              f"{'real' if args.real else 'pass-through (EchoCorrector)'}")  # fmt: skip
        first_out = workdir / "first.jsonl"
        first = run([*base, str(feed), "-o", str(first_out)], env)
        if first.code != 0:
            raise SystemExit(f"first run failed ({first.code}): {first.summary}")
        resumed_out = workdir / "resumed.jsonl"
        checkpoint = resumed_out.with_name(resumed_out.name + ".checkpoint")
        kill_at = (checkpoint, int(args.kill_at * records))
        killed = run([*base, str(feed), "-o", str(resumed_out)], env, kill_at=kill_at)
        done = 0
        if checkpoint.exists():
            done = json.loads(checkpoint.read_text())["records"]
        resumed = run([*base, str(feed), "-o", str(resumed_out), "--resume"], env)
        if resumed.code != 0:
            raise SystemExit(f"resumed run failed ({resumed.code}): {resumed.summary}")

        print("| run | records in | records out | seconds | words/s | peak RSS (tree) |")
        print("|---|---:|---:|---:|---:|---:|")
        out_first = count_lines(first_out)
        print(f"| uninterrupted | {records:,} | {out_first:,} | {first.seconds:.1f} | "
              f"{words_per_second(first.summary)} | {first.peak_rss / 2**20:,.0f} MiB |")  # fmt: skip
        print(f"| killed (SIGKILL at {args.kill_at:.0%}, exit {killed.code}) | | {done:,} checkpointed | "
              f"{killed.seconds:.1f} | | {killed.peak_rss / 2**20:,.0f} MiB |")  # fmt: skip
        out_resumed = count_lines(resumed_out)
        print(f"| --resume | {records:,} | {out_resumed:,} | {resumed.seconds:.1f} | "
              f"{words_per_second(resumed.summary)} | {resumed.peak_rss / 2**20:,.0f} MiB |")  # fmt: skip
        identical = sha(first_out) == sha(resumed_out)
        print(f"records in = records out: {records == out_first == out_resumed}; "
              f"resumed output byte-identical: {identical}")  # fmt: skip
        print(f"first run: {first.summary}")
        print(f"resumed:   {resumed.summary}")
        if not (identical and records == out_first == out_resumed):
            raise SystemExit(1)


if __name__ == "__main__":
    main()
