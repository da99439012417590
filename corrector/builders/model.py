"""Build a KenLM model: stream a corpus through ``lmplz`` and ``build_binary``, write a manifest.

The corpus is never held in Python memory: lines are normalised one at a time and piped into
``lmplz``'s stdin, so a 10 GB corpus needs no more memory than a small one (``lmplz -S``
bounds KenLM's own use).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from corrector.builders.corpus import NORMALISATION
from corrector.defaults import DEFAULT_ORDER, TOOLS_BIN
from corrector.files import replace_file
from corrector.lm.kenlm import MANIFEST_FILE, MODEL_FILE
from corrector.text.tokens import normalize_line

CORPUS_SUFFIXES = (".txt", ".txt.gz", ".tok", ".tok.gz")


def tool(name: str) -> str:
    """Path of a KenLM tool: the project's tools/bin first, then $PATH."""
    local = TOOLS_BIN / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found in {TOOLS_BIN} or on PATH (run `make setup`)")
    return found


def corpus_files(corpus: str) -> list[Path | None]:
    """Files of a corpus given as a file, a directory of text files, or ``-`` (stdin → None)."""
    if corpus == "-":
        return [None]
    path = Path(corpus)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(CORPUS_SUFFIXES))
        if not files:
            raise ValueError(f"corpus directory {path} has no {'/'.join(CORPUS_SUFFIXES)} files")
        return list(files)
    if not path.exists():
        raise FileNotFoundError(f"corpus {path} does not exist")
    return [path]


def _open(path: Path | None) -> IO[str]:
    if path is None:
        return sys.stdin
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def corpus_lines(files: Iterable[Path | None], pretokenized: bool, lowercase: bool) -> Iterator[str]:
    """Non-empty LM lines of the corpus, streamed."""
    for path in files:
        try:
            with _open(path) as handle:
                for line in handle:
                    line = line.strip()
                    if not line:
                        continue
                    if not pretokenized:
                        line = normalize_line(line)
                    yield line.lower() if lowercase else line
        except UnicodeDecodeError as exc:
            raise ValueError(f"corpus file {path} is not UTF-8 text: {exc}") from exc
        except OSError as exc:
            raise OSError(f"cannot read corpus file {path}: {exc}") from exc


def _arpa_counts(arpa: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with arpa.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("ngram "):
                order, count = line[6:].strip().split("=")
                counts[order] = int(count)
            elif line.startswith("\\1-grams:"):
                break
    return counts


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_model(
    corpus: str,
    out_dir: Path,
    order: int = DEFAULT_ORDER,
    lowercase: bool = False,
    pretokenized: bool = False,
    memory: str = "2G",
    discount_fallback: bool = False,
    prune: str | None = None,
    quantize: int | None = None,
    keep_arpa: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Build ``out_dir/model.bin`` (trie) and ``out_dir/manifest.json``; returns the manifest."""
    from tqdm import tqdm

    if not 2 <= order <= 6:
        raise ValueError("order must be between 2 and 6 (KenLM was compiled with max order 6)")
    files = corpus_files(corpus)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    digest = hashlib.sha256()
    sentences = tokens = 0
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        arpa = Path(tmp) / "model.arpa"
        command = [tool("lmplz"), "-o", str(order), "-S", memory, "-T", tmp, "--arpa", str(arpa)]
        if discount_fallback:
            command.append("--discount_fallback")
        if prune:
            command += ["--prune", *prune.split()]
        log = Path(tmp) / "lmplz.log"
        with log.open("wb") as log_handle:
            lmplz = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=log_handle, stdout=log_handle)
            assert lmplz.stdin is not None
            try:
                lines = corpus_lines(files, pretokenized, lowercase)
                for line in tqdm(lines, desc="lmplz", unit=" lines", disable=not progress, file=sys.stderr):
                    data = (line + "\n").encode("utf-8")
                    lmplz.stdin.write(data)
                    digest.update(data)
                    sentences += 1
                    tokens += line.count(" ") + 1
            except BrokenPipeError:
                pass
            except BaseException:
                lmplz.kill()
                lmplz.wait()
                raise
            finally:
                with contextlib.suppress(BrokenPipeError):
                    lmplz.stdin.close()
            returncode = lmplz.wait()
        if sentences == 0:
            raise ValueError(f"corpus {corpus} is empty: no non-blank lines")
        if returncode != 0:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"lmplz failed (exit {returncode}):\n{tail}")
        counts = _arpa_counts(arpa)
        arpa_size = arpa.stat().st_size
        binary = out_dir / MODEL_FILE
        tmp_binary = Path(tmp) / MODEL_FILE
        command = [tool("build_binary")]
        if quantize:
            command += ["-q", str(quantize), "-b", str(quantize)]
        command += ["trie", str(arpa), str(tmp_binary)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"build_binary failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
        replace_file(tmp_binary, binary)
        if keep_arpa:
            replace_file(arpa, out_dir / "model.arpa")
    manifest: dict[str, Any] = {
        "format": "kenlm-trie",
        "order": order,
        "lowercase": lowercase,
        "normalisation": NORMALISATION,
        "pretokenized": pretokenized,
        "quantize_bits": quantize,
        "prune": prune,
        "sentences": sentences,
        "tokens": tokens,
        "ngram_counts": counts,
        "corpus": corpus,
        "corpus_sha256": digest.hexdigest(),
        "arpa_bytes": arpa_size,
        "binary_bytes": binary.stat().st_size,
        "build_seconds": round(time.monotonic() - started, 2),
        "sha256": sha256_file(binary),
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest
