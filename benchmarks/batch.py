"""Batch correction throughput (1 worker, 2 workers, Dask) and peak memory on 100 MB vs 1 GB inputs.

    python benchmarks/batch.py [--model DIR] [--sentences 10000] [--rss-sizes 100M,1G]
                               [--skip-throughput] [--skip-rss] [--workdir DIR]

Throughput: ``--sentences`` spun sentences, one JSONL record each, restored by the real Corrector
(``--model``, default models/default) with the local engine at 1 and 2 workers and the Dask engine on a
2-worker LocalCluster. Times include each worker's model load. The three outputs must be identical.

Memory: for each size in ``--rss-sizes`` a JSONL file of spun paragraphs (~1 KB records) is generated
and run through ``corrector correct --workers 2`` as a subprocess; the peak summed RSS of the process
tree is sampled from /proc (Linux). These runs use ``EchoCorrector`` (below) through the CLI's hidden
``--corrector-factory`` hook, because decoding 1 GB with the real model would take days: they measure
what the pipeline itself holds (reader, chunk window, writer), which must not grow with the input.

Sentences come from the corpus on this machine (build/corpus/news.txt, else gensim's Lee corpus via
``corrector.builders.corpus``), spun with the word pairs in benchmarks/news_spins.tsv; nothing is committed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from corrector.batch.executors import DaskExecutor, Executor, LocalExecutor, ProcessExecutor
from corrector.batch.job import BatchJob, CorrectorSpec, run_batch
from corrector.defaults import BUILD_DIR, default_model_dir
from corrector.text.results import Restoration, Scores

BENCH_DIR = Path(__file__).resolve().parent


class EchoCorrector:
    """Pass-through corrector for memory runs: restored = source, no edits (pipeline cost only)."""

    @classmethod
    def load(cls, model_dir: str | None = None, **_: Any) -> EchoCorrector:
        return cls()

    def correct(self, text: str) -> Restoration:
        return Restoration(text, text, (), Scores(0.0, 0.0, 1.0, 1.0), 0.0)


def spin_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in (BENCH_DIR / "news_spins.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            original, spun = line.split("\t")[:2]
            pairs.setdefault(original, spun)
    return pairs


def source_sentences() -> list[str]:
    corpus = BUILD_DIR / "corpus" / "news.txt"
    if corpus.exists():
        lines = corpus.read_text(encoding="utf-8").splitlines()
    else:
        from corrector.builders.corpus import lee_heldout
        from corrector.text.tokens import split_sentences

        lines = [doc[s.start : s.end] for doc in lee_heldout() for s in split_sentences(doc)]
    return [line for line in lines if 8 <= len(line.split()) <= 60]


def spun_sentences(n: int, seed: int = 1) -> list[str]:
    pairs = spin_pairs()
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(pairs, key=len, reverse=True))) + r")\b")
    pool = source_sentences()
    rng = random.Random(seed)
    rng.shuffle(pool)
    return [pattern.sub(lambda m: pairs[m.group(1)], pool[i % len(pool)]) for i in range(n)]


def write_jsonl(path: Path, texts: list[str]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            handle.write(json.dumps({"id": f"s{i}", "text": text}) + "\n")
    return path


def throughput(model_dir: Path, n: int, workdir: Path) -> None:
    source = write_jsonl(workdir / "spun.jsonl", spun_sentences(n))
    spec = CorrectorSpec.create(model_dir)
    engines: list[tuple[str, Executor]] = [
        ("local, 1 worker", LocalExecutor()),
        ("local, 2 workers", ProcessExecutor(2)),
        ("dask, 2-worker LocalCluster", DaskExecutor(workers=2)),
    ]
    print(f"## Throughput: {n:,} spun sentences, model {model_dir}, {os.cpu_count()} CPUs")
    print("| engine | records | words | seconds | words/s | vs 1 worker | sha256 |")
    print("|---|---:|---:|---:|---:|---:|---|")
    base = None
    for name, executor in engines:
        out = workdir / f"out-{len(name)}.jsonl"
        stats = run_batch(BatchJob((str(source),), output=str(out), spec=spec), executor)
        base = base or stats.words_per_second
        digest = hashlib.sha256(out.read_bytes()).hexdigest()[:12]
        speed = stats.words_per_second
        row = [name, f"{stats.records:,}", f"{stats.words:,}", f"{stats.seconds:.1f}", f"{speed:,.0f}"]
        print("| " + " | ".join([*row, f"{speed / base:.2f}×", digest]) + " |", flush=True)


def generate_input(path: Path, size: int) -> int:
    """A JSONL file of about ``size`` bytes of spun paragraphs (~1 KB records); returns the record count."""
    sentences = spun_sentences(5000, seed=2)
    paragraphs = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences) - 6, 6)]
    lines = [json.dumps({"text": p}) + "\n" for p in paragraphs]
    block = "".join(lines).encode("utf-8")
    count = 0
    with open(path, "wb") as handle:
        written = 0
        while written < size:
            handle.write(block)
            written += len(block)
            count += len(lines)
    return count


def tree_rss(pid: int) -> int:
    """Summed RSS in bytes of ``pid`` and all its descendants (from /proc)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024  # type: ignore[union-attr]
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, AttributeError):
            continue
    return total


class PeakRSS:
    """The peak :func:`tree_rss` of a process, sampled every 50 ms while the ``with`` block runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.05)

    def __enter__(self) -> PeakRSS:
        self._sampler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._sampler.join()


def peak_rss_run(source: Path, out: Path) -> tuple[int, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), os.environ.get("PYTHONPATH", "")])}
    factory = ["--corrector-factory", "batch:EchoCorrector.load"]
    command = [
        sys.executable,
        "-m",
        "corrector.cli",
        "correct",
        *factory,
        "--workers",
        "2",
        "-q",
        str(source),
    ]
    command += ["-o", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    with PeakRSS(process.pid) as rss:
        code = process.wait()
    if code != 0:
        raise RuntimeError(f"correct exited with {code}")
    return rss.peak, time.perf_counter() - started


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def memory(sizes: list[str], workdir: Path) -> None:
    print("\n## Peak RSS (CLI, 2 workers, pass-through corrector; process tree summed)")
    print("| input | records | seconds | MB/s | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for label in sizes:
        source = workdir / f"input-{label}.jsonl"
        records = generate_input(source, parse_size(label))
        size = source.stat().st_size
        out = workdir / f"output-{label}.jsonl"
        peak, seconds = peak_rss_run(source, out)
        row = [
            f"{label} ({size / 1e6:,.0f} MB)",
            f"{records:,}",
            f"{seconds:.1f}",
            f"{size / 1e6 / seconds:.1f}",
        ]
        print("| " + " | ".join([*row, f"{peak / 2**20:,.0f} MiB"]) + " |", flush=True)
        source.unlink()
        out.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: models/default)")
    parser.add_argument("--sentences", type=int, default=10_000)
    parser.add_argument("--rss-sizes", default="100M,1G", help="comma-separated input sizes for memory runs")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch directory (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as scratch:
        workdir = Path(scratch)
        if not args.skip_throughput:
            throughput(args.model or default_model_dir(), args.sentences, workdir)
        if not args.skip_rss:
            memory([s.strip() for s in args.rss_sizes.split(",") if s.strip()], workdir)


if __name__ == "__main__":
    main()
