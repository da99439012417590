"""Batch correction: reader → restore step → writer, run by a :mod:`corrector.batch.executors` executor.

- :class:`CorrectorSpec` is the picklable recipe for a corrector (model directory + overrides).
  Workers receive the spec, never a model, and load it once per process
  (:func:`~corrector.batch.executors.cached`).
- :func:`restore_record` turns one :class:`~corrector.batch.readers.Record` into one output dict; a
  record that cannot be restored becomes an output with ``error`` set, so nothing is lost.
- :func:`run_batch` drives a :class:`BatchJob`: it streams records in chunks through the executor
  (in order, a bounded number in flight) and writes the output lines through
  :class:`~corrector.batch.writers.CheckpointedOutput`, so ``--resume`` after a crash (even SIGKILL)
  gives byte-identical output.
- :func:`parallel_restorations` is ``Corrector.correct_many(texts, workers)`` on the same executors.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import json
import os
import shutil
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

from corrector.batch.executors import Executor, LocalExecutor, ProcessExecutor, cached
from corrector.batch.readers import (
    DEFAULT_MAX_CHARS,
    DEFAULT_TEXT_FIELD,
    STDIN,
    InputError,
    Record,
    expand_inputs,
    group_key,
    read_records,
)
from corrector.batch.writers import (
    CheckpointedOutput,
    OutputLock,
    error_output,
    format_output,
    output_record,
)
from corrector.files import atomic_file
from corrector.version import __version__

DEFAULT_FACTORY = "corrector:Corrector.load"
DEFAULT_CHUNK_RECORDS = 64
# Chunks close early at this many words, so long documents still spread over the workers.
DEFAULT_CHUNK_WORDS = 2_000


T = TypeVar("T")


class SupportsCorrect(Protocol):
    def correct(self, text: str) -> Any: ...


# ------------------------------------------------------------------------------------ corrector spec


@dataclass(frozen=True, slots=True)
class CorrectorSpec:
    """How to build a corrector in any process: ``factory(model_dir=..., **overrides)``.

    ``factory`` is ``"module:attribute.path"``; the default is ``Corrector.load``. Tests and
    benchmarks may point it at another callable with the same contract.
    """

    model_dir: str | None = None
    overrides: tuple[tuple[str, Any], ...] = ()
    factory: str = DEFAULT_FACTORY

    @classmethod
    def create(
        cls, model_dir: str | os.PathLike[str] | None = None, factory: str = DEFAULT_FACTORY, **overrides: Any
    ) -> CorrectorSpec:
        kept = tuple(sorted((k, v) for k, v in overrides.items() if v is not None))
        # absolute, so that workers started elsewhere (Dask) find the same directory
        return cls(None if model_dir is None else os.path.abspath(model_dir), kept, factory)

    def __str__(self) -> str:
        return f"corrector (model {self.model_dir or 'default'})"

    def load(self) -> SupportsCorrect:
        module_name, _, attr_path = self.factory.partition(":")
        if not module_name or not attr_path:
            raise ValueError(f"corrector factory {self.factory!r} is not 'module:callable'")
        target: Any = importlib.import_module(module_name)
        for attr in attr_path.split("."):
            target = getattr(target, attr)
        return target(model_dir=self.model_dir, **dict(self.overrides))


# ------------------------------------------------------------------------------------------- the step


def restore_record(record: Record, corrector: SupportsCorrect) -> dict[str, Any]:
    """One output dict for one record; any failure of the corrector becomes the record's ``error``."""
    if record.error is not None or record.text is None:
        return error_output(record)
    try:
        result = corrector.correct(record.text)
        return output_record(record, result.to_dict())
    except Exception as exc:  # one bad record must not stop the batch
        failed = Record(
            record.id, record.text, record.fields, f"correction failed: {type(exc).__name__}: {exc}"
        )
        return error_output(failed)


def restore_chunk(spec: CorrectorSpec, records: list[Record]) -> list[dict[str, Any]]:
    """Restore a chunk in whatever process runs it (the unit of work for every executor)."""
    needs_model = any(r.error is None for r in records)
    corrector = cached(spec) if needs_model else None
    if corrector is None:
        return [error_output(r) for r in records]
    group_by = getattr(corrector, "group_by", None)
    # A grouped spinner file: each record restored with its group's decisions.
    groups = None if group_by is None else [group_key(record, group_by) for record in records]
    return restore_records(records, corrector, groups)


def restore_records(
    records: list[Record], corrector: SupportsCorrect, groups: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """One output per record: the readable records restored together when the corrector can
    (``correct_batch``: the documents' own teachers share the neural LM's calls), else each alone,
    as they also are when restoring them together fails, so that the record at fault becomes an
    error output and no other is lost. ``groups``: one key per record, which the corrector
    restores it with (``Corrector.for_group``)."""
    batch = getattr(corrector, "correct_batch", None)
    readable = [r.error is None and r.text is not None for r in records]
    # Each record's own corrector, to restore it alone: its group's in a grouped run.
    owners: list[SupportsCorrect] = [corrector] * len(records)
    if groups is not None:
        for_group = corrector.for_group  # type: ignore[attr-defined]  # a grouped run's Corrector
        owners = [for_group(g) for g in groups]
    if batch is None or sum(readable) < 2:
        return [restore_record(r, owner) for r, owner in zip(records, owners, strict=True)]
    texts = [r.text for r, ok in zip(records, readable, strict=True) if ok]
    try:
        if groups is None:
            restored = iter(batch(texts))
        else:
            restored = iter(batch(texts, [g for g, ok in zip(groups, readable, strict=True) if ok]))
        return [
            output_record(r, next(restored).to_dict()) if ok else error_output(r)
            for r, ok in zip(records, readable, strict=True)
        ]
    except Exception:  # one bad record must not stop the batch: find it, one record at a time
        return [restore_record(r, owner) for r, owner in zip(records, owners, strict=True)]


def chunk_records(
    records: Iterable[Record], max_records: int = DEFAULT_CHUNK_RECORDS, max_words: int = DEFAULT_CHUNK_WORDS
) -> Iterator[list[Record]]:
    """Consecutive chunks of at most ``max_records`` records or about ``max_words`` words."""
    return _consecutive(records, lambda record: record.word_count, max_records, max_words)


def text_batches(
    texts: Iterable[str], max_records: int = DEFAULT_CHUNK_RECORDS, max_words: int = DEFAULT_CHUNK_WORDS
) -> Iterator[list[str]]:
    """``texts`` in the chunks :func:`chunk_records` makes of them as records: what
    ``Corrector.correct_feed`` restores together, as ``corrector correct`` does."""
    return _consecutive(texts, lambda text: len(text.split()), max_records, max_words)


def feed_teams(words: Sequence[int]) -> list[list[int]]:
    """The feeds (a run's groups, by their words) whose teachers run side by side, by index:
    consecutive ones, as many as a chunk's records and words (a feed of a chunk's words or more
    runs alone). Cut from the feeds alone, so the neural LM's calls, and with them the floats,
    are the input's, whatever reads it (``Corrector.decide_feeds``, ``corrector correct``)."""
    teams = _consecutive(range(len(words)), words.__getitem__, DEFAULT_CHUNK_RECORDS, DEFAULT_CHUNK_WORDS)
    return list(teams)


def _consecutive(
    items: Iterable[T], words: Callable[[T], int], max_items: int, max_words: int
) -> Iterator[list[T]]:
    chunk: list[T] = []
    total = 0
    for item in items:
        chunk.append(item)
        total += words(item)
        if len(chunk) >= max_items or total >= max_words:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


# ------------------------------------------------------------------------------------------ the driver


@dataclass(slots=True)
class BatchStats:
    """Counts of one run (mergeable with ``+``); ``resumed`` records were done by an earlier run."""

    records: int = 0
    errors: int = 0
    edits: int = 0
    words: int = 0
    seconds: float = 0.0
    resumed: int = 0

    def __add__(self, other: BatchStats) -> BatchStats:
        return BatchStats(
            *(a + b for a, b in zip(asdict(self).values(), asdict(other).values(), strict=True))
        )

    def add_outputs(self, outputs: list[dict[str, Any]]) -> None:
        """Count a chunk's outputs."""
        words = 0
        for out in outputs:
            self.records += 1
            if out["error"] is not None:
                self.errors += 1
            self.edits += len(out["edits"])
            if out["source"]:
                words += len(out["source"].split())
        self.words += words

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        resumed = f" (+{self.resumed:,} from an earlier run)" if self.resumed else ""
        return (
            f"{self.records:,} records{resumed}, {self.errors:,} errors, {self.edits:,} edits, "
            f"{self.words:,} words in {self.seconds:.1f} s = {self.words_per_second:,.0f} words/s"
        )


@dataclass(frozen=True, slots=True)
class BatchJob:
    """Everything that determines the output bytes of a batch run (and so its checkpoint)."""

    inputs: tuple[str, ...]
    output: str | None = None  # None: stdout
    spec: CorrectorSpec = field(default_factory=CorrectorSpec)
    text_field: str = DEFAULT_TEXT_FIELD
    lines: bool = False
    input_format: str = "auto"
    output_format: str = "jsonl"
    max_chars: int = DEFAULT_MAX_CHARS
    spool: str | None = None  # stdin is copied to this file first and read from it (resumable)
    group_by: str = "none"  # which records share a spinner (readers.group_key): pass 1's groups

    def records(self, stdin: IO[bytes] | None = None) -> Iterator[Record]:
        return read_records(
            self.inputs,
            text_field=self.text_field,
            lines=self.lines,
            forced_format=self.input_format,
            max_chars=self.max_chars,
            stdin=stdin,
            stdin_path=self.spool,
        )  # type: ignore[arg-type]

    def reads_stdin(self) -> bool:
        return any(path == STDIN for path, _ in expand_inputs(self.inputs))

    def input_digest(self) -> str:
        """blake2b of every input's bytes as stored (stdin: its spool file), streamed in 1 MiB blocks:
        what ``--resume`` compares, so a touched file resumes and an edited one is caught."""
        digest = hashlib.blake2b(digest_size=32)
        for path, name in expand_inputs(self.inputs):
            if path == STDIN:
                if self.spool is None:
                    raise ValueError(RESUME_STDIN_MESSAGE)
                path = self.spool
            digest.update(f"{name}\0".encode("utf-8", "backslashreplace"))
            try:
                with open(path, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
            except OSError as exc:
                raise InputError(f"cannot read input {path}: {exc.strerror or exc}") from exc
            digest.update(b"\0")
        return digest.hexdigest()

    def fingerprint(self) -> str:
        """Hash of the settings, the model and the input names (their content: :meth:`input_digest`)."""
        files = [path if path == STDIN else os.path.abspath(path) for path, _ in expand_inputs(self.inputs)]
        model = None
        if self.spec.model_dir:
            manifest = Path(self.spec.model_dir) / "manifest.json"
            model = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.exists() else None
        settings = {
            "version": __version__,
            "files": files,
            "model": model,
            "spec": repr(self.spec),
            "text_field": self.text_field,
            "lines": self.lines,
            "input_format": self.input_format,
            "output_format": self.output_format,
            "max_chars": self.max_chars,
        }
        if self.group_by != "none":
            settings["group_by"] = self.group_by
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


RESUME_STDIN_MESSAGE = (
    "--resume cannot replay standard input: name a spool file with --spool FILE (stdin is copied "
    "there first, and --resume reads it again), or give input files"
)


def spool_stdin(path: str, stdin: IO[bytes] | None, reuse: bool) -> None:
    """Copy standard input to ``path`` (atomically: a killed copy leaves no spool); with ``reuse``
    (``--resume``) an existing spool is the input again and stdin is not read."""
    if reuse and os.path.exists(path):
        return
    with atomic_file(path) as handle:
        shutil.copyfileobj(stdin or sys.stdin.buffer, handle, 1 << 20)


def _check_not_overwriting_input(job: BatchJob) -> None:
    if job.output is None:
        return
    target = os.path.abspath(job.output)
    for path, _ in expand_inputs(job.inputs):
        if path != STDIN and os.path.abspath(path) == target:
            raise ValueError(f"refusing to overwrite input {path} with the output")


def run_batch(
    job: BatchJob,
    executor: Executor | None = None,
    *,
    resume: bool = False,
    resume_changed_input: bool = False,
    progress: bool = False,
    show: Callable[[dict[str, Any]], None] | None = None,
    stdout: IO[bytes] | None = None,
    stdin: IO[bytes] | None = None,
    chunk_size: int = DEFAULT_CHUNK_RECORDS,
    chunk_words: int = DEFAULT_CHUNK_WORDS,
    spooled: bool = False,
) -> BatchStats:
    """Run ``job``: every input record gives one output line, in order; returns the run's stats.

    With ``job.output`` set, lines go to ``OUT.partial`` and the file is renamed to ``OUT`` at the end;
    ``resume=True`` continues from ``OUT.checkpoint``, refusing input whose content changed since
    unless ``resume_changed_input``. Without it, lines stream to ``stdout`` (unless ``show`` is given
    and there is no output file: then only ``show`` sees the records). With ``job.spool``, stdin is
    copied there first (on resume an existing spool is read instead of stdin; ``spooled``: an
    earlier pass of this run copied it already).
    """
    executor = executor or LocalExecutor()
    _check_not_overwriting_input(job)
    if resume and job.output is None:
        raise ValueError("--resume needs an output file (-o)")
    if job.spool is not None and not job.reads_stdin():
        raise ValueError("--spool copies standard input, but no input is - (stdin)")
    if resume and job.reads_stdin() and job.spool is None:
        raise ValueError(RESUME_STDIN_MESSAGE)
    sink: CheckpointedOutput | None = None
    if job.output is not None:
        lock = OutputLock(Path(job.output))  # before the spool is written: one run per output
        try:
            if job.spool is not None:
                spool_stdin(job.spool, stdin, reuse=resume or spooled)
            stdin_only = job.reads_stdin() and job.spool is None
            sink = CheckpointedOutput(
                Path(job.output),
                job.fingerprint(),
                resume,
                input_digest="" if stdin_only else job.input_digest(),
                accept_changed_input=resume_changed_input,
                lock=lock,
            )
        except BaseException:
            lock.release()
            raise
    elif job.spool is not None:
        spool_stdin(job.spool, stdin, reuse=spooled)
    stream = None if sink is not None or show is not None else (stdout or sys.stdout.buffer)

    stats = BatchStats(resumed=sink.done_records if sink else 0)
    if sink is not None and sink.complete:
        sink.close()
        return stats  # an earlier run finished; only its checkpoint was left
    records = job.records(stdin)
    if sink is not None and sink.done_records:
        records = itertools.islice(records, sink.done_records, None)  # read, not re-processed
    bar = _progress_bar(progress, stats.resumed)
    started = time.perf_counter()
    # Each chunk's (head, tail) framing, for text output; results come back in chunk order.
    frames: deque[list[tuple[str, str]]] = deque()

    def framed(chunks: Iterable[list[Record]]) -> Iterator[list[Record]]:
        for chunk in chunks:
            frames.append([(r.head, r.tail) for r in chunk])
            yield chunk

    try:
        chunks = framed(chunk_records(records, chunk_size, chunk_words))
        for outputs in executor.map(restore_chunk, job.spec, chunks, preload=job.spec):
            lines = [
                format_output(out, job.output_format, head, tail)
                for out, (head, tail) in zip(outputs, frames.popleft(), strict=True)
            ]
            if sink is not None:
                sink.write_chunk(lines)
            elif stream is not None:
                stream.write(b"".join(lines))
            if show is not None:
                for out in outputs:
                    show(out)
            stats.add_outputs(outputs)
            if bar is not None:
                bar.update(len(outputs))
                elapsed = time.perf_counter() - started
                bar.set_postfix_str(
                    f"{stats.words / elapsed if elapsed else 0:,.0f} words/s, {stats.errors:,} errors",
                    refresh=False,
                )
        if sink is not None:
            sink.finish()
        elif stream is not None:
            stream.flush()
    finally:
        stats.seconds = time.perf_counter() - started
        if bar is not None:
            bar.close()
        if sink is not None:
            sink.close()
    return stats


def _progress_bar(enabled: bool, initial: int) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked after the bar starts
    return tqdm(
        desc="correct",
        unit=" rec",
        initial=initial,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
        mininterval=0.5,
    )


# ------------------------------------------------------------------------------ Python API: correct_many


def spec_from_config(config: Any) -> CorrectorSpec:
    """The spec of a :class:`~corrector.config.CorrectorConfig`: every setting becomes an override."""
    settings = dict(config.to_dict())
    model_dir = settings.pop("model_dir", None)
    return CorrectorSpec.create(model_dir, **settings)


def correct_texts_chunk(spec: CorrectorSpec, texts: list[str]) -> list[Any]:
    """Restorations of ``texts`` by this process's corrector (errors propagate to the caller)."""
    corrector = cached(spec)
    batch = getattr(corrector, "correct_batch", None)
    return list(batch(texts)) if batch is not None else [corrector.correct(text) for text in texts]


def parallel_restorations(config: Any, texts: Iterable[str], workers: int) -> Iterator[Any]:
    """``Corrector.correct_many(texts, workers)``: Restorations in input order from a process pool.

    Each worker builds its own corrector from ``config`` once and restores a chunk of
    :func:`text_batches` at a time; a bounded number of chunks is in flight, so ``texts`` may be
    an unbounded stream.
    """
    spec = spec_from_config(config)
    chunks = text_batches(texts)
    for restorations in ProcessExecutor(workers).map(correct_texts_chunk, spec, chunks, preload=spec):
        yield from restorations
