"""Batch correction: reader → restore step → writer, run by a swappable executor.

- :class:`CorrectorSpec` is the picklable recipe for a corrector (model directory + overrides). Workers
  receive the spec, never a model, and :func:`get_corrector` loads it once per process.
- :func:`restore_record` turns one :class:`~corrector.batch.readers.Record` into one output dict; a
  record that cannot be restored becomes an output with ``error`` set, so nothing is lost.
- Executors map chunks of records to chunks of outputs, in order, with a bounded number of chunks in
  flight (memory stays flat however large the input): :class:`LocalExecutor` (a plain loop),
  :class:`ProcessExecutor` (a process pool whose initializer loads the corrector) and
  :class:`DaskExecutor` (the same chunks as Dask tasks).
- :func:`run_batch` drives a :class:`BatchJob`: it streams records, writes output lines to
  ``OUT.partial`` with fsync'd checkpoints in ``OUT.checkpoint``, and renames the finished file to
  ``OUT`` only at the end, so ``--resume`` after a crash (even SIGKILL) gives byte-identical output.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import itertools
import json
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from corrector.batch.readers import (
    DEFAULT_MAX_CHARS,
    DEFAULT_TEXT_FIELD,
    STDIN,
    Record,
    expand_inputs,
    read_records,
)
from corrector.batch.writers import CheckpointedOutput, error_output, format_output, output_record
from corrector.version import __version__

DEFAULT_FACTORY = "corrector:Corrector.load"
DEFAULT_CHUNK_RECORDS = 64
# Chunks close early at this many words, so long documents still spread over the workers.
DEFAULT_CHUNK_WORDS = 2_000


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

    def load(self) -> SupportsCorrect:
        module_name, _, attr_path = self.factory.partition(":")
        if not module_name or not attr_path:
            raise ValueError(f"corrector factory {self.factory!r} is not 'module:callable'")
        target: Any = importlib.import_module(module_name)
        for attr in attr_path.split("."):
            target = getattr(target, attr)
        return target(model_dir=self.model_dir, **dict(self.overrides))


_CORRECTORS: dict[CorrectorSpec, SupportsCorrect] = {}
_LOAD_ERRORS: dict[CorrectorSpec, str] = {}
_LOAD_LOCK = threading.Lock()  # Dask workers may run several task threads in one process


def get_corrector(spec: CorrectorSpec) -> SupportsCorrect:
    """The corrector for ``spec``, loaded at most once per process (a failed load is not retried)."""
    corrector = _CORRECTORS.get(spec)
    if corrector is not None:
        return corrector
    with _LOAD_LOCK:
        if spec in _CORRECTORS:
            return _CORRECTORS[spec]
        if spec in _LOAD_ERRORS:
            raise RuntimeError(_LOAD_ERRORS[spec])
        try:
            corrector = spec.load()
        except Exception as exc:
            _LOAD_ERRORS[spec] = f"cannot load corrector (model {spec.model_dir or 'default'}): {exc}"
            raise RuntimeError(_LOAD_ERRORS[spec]) from exc
        _CORRECTORS[spec] = corrector
        return corrector


def preload_corrector(spec: CorrectorSpec) -> bool:
    """Worker initializer: load now; a failure is remembered and reported by the first task."""
    try:
        get_corrector(spec)
    except RuntimeError:
        return False
    return True


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
    corrector = get_corrector(spec) if needs_model else None
    return [error_output(r) if corrector is None else restore_record(r, corrector) for r in records]


def chunk_records(
    records: Iterable[Record], max_records: int = DEFAULT_CHUNK_RECORDS, max_words: int = DEFAULT_CHUNK_WORDS
) -> Iterator[list[Record]]:
    """Consecutive chunks of at most ``max_records`` records or about ``max_words`` words."""
    chunk: list[Record] = []
    words = 0
    for record in records:
        chunk.append(record)
        words += record.word_count
        if len(chunk) >= max_records or words >= max_words:
            yield chunk
            chunk, words = [], 0
    if chunk:
        yield chunk


# ------------------------------------------------------------------------------------------ executors


class Executor(Protocol):
    def map_chunks(
        self, spec: CorrectorSpec, chunks: Iterator[list[Record]]
    ) -> Iterator[list[dict[str, Any]]]:
        """Outputs of each chunk, in input order."""
        ...


def _ordered_window(
    submit: Callable[[list[Record]], Any], chunks: Iterator[list[Record]], window: int
) -> Iterator[list[dict[str, Any]]]:
    """Submit chunks keeping at most ``window`` in flight; yield results in submission order."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@dataclass(frozen=True, slots=True)
class LocalExecutor:
    """``workers == 1``: a plain loop in this process."""

    def map_chunks(
        self, spec: CorrectorSpec, chunks: Iterator[list[Record]]
    ) -> Iterator[list[dict[str, Any]]]:
        for chunk in chunks:
            yield restore_chunk(spec, chunk)


def default_start_method() -> str:
    # fork shares the imported code and page cache with the parent and starts fast; spawn elsewhere
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


@dataclass(frozen=True, slots=True)
class ProcessExecutor:
    """A pool of ``workers`` processes; each loads the corrector once in its initializer."""

    workers: int
    start_method: str | None = None
    in_flight_per_worker: int = 3

    def map_chunks(
        self, spec: CorrectorSpec, chunks: Iterator[list[Record]]
    ) -> Iterator[list[dict[str, Any]]]:
        context = multiprocessing.get_context(self.start_method or default_start_method())
        with ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=preload_corrector, initargs=(spec,)
        ) as pool:
            submit = lambda chunk: pool.submit(restore_chunk, spec, chunk)  # noqa: E731
            yield from _ordered_window(submit, chunks, self.workers * self.in_flight_per_worker)


DASK_HINT = "the dask engine needs dask and distributed: pip install 'corrector[dask]'"


def import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise RuntimeError(f"{DASK_HINT} ({exc})") from exc
    return distributed


@dataclass(frozen=True, slots=True)
class DaskExecutor:
    """Chunks as Dask tasks on ``scheduler`` (an address), or on a LocalCluster of ``workers`` processes.

    Every worker process loads the corrector once from the spec (the model directory must be readable
    at the same path on every machine) — eagerly on the workers present at start, lazily on any that
    join later.
    """

    scheduler: str | None = None
    workers: int = 2
    in_flight_per_worker: int = 3

    def map_chunks(
        self, spec: CorrectorSpec, chunks: Iterator[list[Record]]
    ) -> Iterator[list[dict[str, Any]]]:
        distributed = import_distributed()
        with contextlib.ExitStack() as stack:
            if self.scheduler:
                client = stack.enter_context(distributed.Client(self.scheduler))
            else:
                cluster = stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                    )
                )
                client = stack.enter_context(distributed.Client(cluster))
            client.run(preload_corrector, spec)
            threads = sum(client.nthreads().values()) or 1
            submit = lambda chunk: client.submit(restore_chunk, spec, chunk, pure=False)  # noqa: E731
            yield from _ordered_window(submit, chunks, threads * self.in_flight_per_worker)


def make_executor(engine: str = "local", workers: int = 1, scheduler: str | None = None) -> Executor:
    """The executor for the CLI's ``--engine``/``--workers``/``--scheduler``."""
    if engine == "dask":
        return DaskExecutor(scheduler=scheduler, workers=max(1, workers))
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (choose local or dask)")
    if scheduler:
        raise ValueError("--scheduler needs --engine dask")
    return LocalExecutor() if workers <= 1 else ProcessExecutor(workers)


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

    def records(self, stdin: IO[bytes] | None = None) -> Iterator[Record]:
        return read_records(
            self.inputs,
            text_field=self.text_field,
            lines=self.lines,
            forced_format=self.input_format,
            max_chars=self.max_chars,
            stdin=stdin,
        )  # type: ignore[arg-type]

    def fingerprint(self) -> str:
        """Hash of the settings, the model and the input files (path, size, mtime)."""
        files = []
        for path, _ in expand_inputs(self.inputs):
            if path == STDIN:
                raise ValueError("--resume cannot replay stdin; give input files")
            stat = os.stat(path)
            files.append([os.path.abspath(path), stat.st_size, stat.st_mtime_ns])
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
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


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
    progress: bool = False,
    show: Callable[[dict[str, Any]], None] | None = None,
    stdout: IO[bytes] | None = None,
    stdin: IO[bytes] | None = None,
    chunk_size: int = DEFAULT_CHUNK_RECORDS,
    chunk_words: int = DEFAULT_CHUNK_WORDS,
) -> BatchStats:
    """Run ``job``: every input record gives one output line, in order; returns the run's stats.

    With ``job.output`` set, lines go to ``OUT.partial`` and the file is renamed to ``OUT`` at the end;
    ``resume=True`` continues from ``OUT.checkpoint``. Without it, lines stream to ``stdout`` (unless
    ``show`` is given and there is no output file: then only ``show`` sees the records).
    """
    executor = executor or LocalExecutor()
    _check_not_overwriting_input(job)
    if resume and job.output is None:
        raise ValueError("--resume needs an output file (-o)")
    sink: CheckpointedOutput | None = None
    if job.output is not None:
        fingerprint = job.fingerprint() if resume else _fingerprint_or_blank(job)
        sink = CheckpointedOutput(Path(job.output), fingerprint, resume)
    stream = None if sink is not None or show is not None else (stdout or sys.stdout.buffer)

    stats = BatchStats(resumed=sink.done_records if sink else 0)
    if sink is not None and sink.complete:
        return stats  # an earlier run finished; only its checkpoint was left
    records = job.records(stdin)
    if sink is not None and sink.done_records:
        records = itertools.islice(records, sink.done_records, None)  # read, not re-processed
    bar = _progress_bar(progress, stats.resumed)
    started = time.perf_counter()
    try:
        for outputs in executor.map_chunks(job.spec, chunk_records(records, chunk_size, chunk_words)):
            lines = [format_output(out, job.output_format) for out in outputs]
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


def _fingerprint_or_blank(job: BatchJob) -> str:
    # A fresh run writes a checkpoint too, so that a later --resume can continue it; stdin has none.
    try:
        return job.fingerprint()
    except (ValueError, OSError):
        return ""


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
    corrector = get_corrector(spec)
    return [corrector.correct(text) for text in texts]


def parallel_restorations(
    config: Any, texts: Iterable[str], workers: int, chunk_size: int = 16
) -> Iterator[Any]:
    """``Corrector.correct_many(texts, workers)``: Restorations in input order from a process pool.

    Each worker builds its own corrector from ``config`` once; at most ``3 × workers`` chunks are in
    flight, so ``texts`` may be an unbounded stream.
    """
    spec = spec_from_config(config)
    context = multiprocessing.get_context(default_start_method())
    source = iter(texts)
    chunks = iter(lambda: list(itertools.islice(source, chunk_size)), [])  # until an empty chunk
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=preload_corrector, initargs=(spec,)
    ) as pool:
        submit = lambda chunk: pool.submit(correct_texts_chunk, spec, chunk)  # noqa: E731
        for restorations in _ordered_window(submit, chunks, workers * 3):  # type: ignore[arg-type]
            yield from restorations
