"""Batch pipeline: executors, ordering, error records, resume after SIGKILL, Dask, the correct command.

Most tests use ``SwapCorrector``, a deterministic stand-in with the Corrector contract (``load`` and
``correct`` returning a Restoration), so the pipeline logic is tested without a model; the CLI loads it
through the hidden ``--corrector-factory test_pipeline:SwapCorrector.load`` hook.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from corrector import cli
from corrector.batch.executors import DaskExecutor, LocalExecutor, ProcessExecutor
from corrector.batch.job import BatchJob, CorrectorSpec, restore_chunk, restore_records, run_batch
from corrector.batch.readers import Record
from corrector.batch.writers import CHECKPOINT_VERSION, checkpoint_path, partial_path
from corrector.text.results import Edit, Restoration, Scores, apply_edits

TESTS_DIR = Path(__file__).resolve().parent
FACTORY = "test_pipeline:SwapCorrector.load"
SWAPS = {"stated": "said", "Prime": "Top", "within": "in", "disaster": "crisis", "assembly": "meeting"}


class _ProcessReport(dict):  # a Restoration.to_dict() plus which process did the work
    def to_dict(self) -> dict[str, Any]:
        return dict(self)


class SwapCorrector:
    """Deterministic stand-in: word swaps from ``SWAPS``; ``EXPLODE`` in a text raises.

    ``delay`` (or ``$SWAP_DELAY_S`` for the CLI) adds a per-record sleep (to make runs long enough to
    kill, or to show that the workers overlap); ``report_process=True`` adds the pid, this
    process's load count and the record's start and end times to outputs.
    """

    loads_by_pid: ClassVar[dict[int, int]] = {}  # keyed by pid: forked workers inherit the parent's counts

    def __init__(self, delay: float, report_process: bool) -> None:
        self.delay = delay
        self.report_process = report_process

    @classmethod
    def load(
        cls, model_dir: str | None = None, report_process: bool = False, delay: float | None = None, **_: Any
    ) -> SwapCorrector:
        cls.loads_by_pid[os.getpid()] = cls.loads_by_pid.get(os.getpid(), 0) + 1
        return cls(float(os.environ.get("SWAP_DELAY_S", "0")) if delay is None else delay, report_process)

    def correct(self, text: str) -> Any:
        started = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes on one machine
        if "EXPLODE" in text:
            raise ValueError("the stand-in refuses this text")
        if self.delay:
            time.sleep(self.delay)
        edits = tuple(
            Edit(m.start(), m.end(), m.group(), SWAPS[m.group()], 1.5)
            for m in re.finditer(r"\w+", text)
            if m.group() in SWAPS
        )
        restored = text
        for edit in reversed(edits):
            restored = restored[: edit.start] + edit.restored + restored[edit.end :]
        result = Restoration(text, restored, edits, Scores(-10.0, -8.0, 30.0, 20.0), len(edits) / 10)
        if self.report_process:
            return _ProcessReport(
                result.to_dict(),
                pid=os.getpid(),
                loads=self.loads_by_pid[os.getpid()],
                started=started,
                finished=time.monotonic(),
            )
        return result


SPEC = CorrectorSpec.create(factory=FACTORY)


def spun_jsonl(path: Path, n: int, bad_every: int = 0) -> Path:
    """``n`` JSONL records of spun sentences; every ``bad_every``-th line is malformed."""
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            if bad_every and i % bad_every == bad_every - 1:
                handle.write('{"text": broken\n')
            else:
                text = f"Prime diplomats stated within the assembly, record {i}, about the disaster."
                handle.write(json.dumps({"text": text, "n": i}) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


# ------------------------------------------------------------------------------------ step & executors


def test_restore_chunk_turns_reader_and_corrector_failures_into_error_records() -> None:
    records = [
        Record("a", "He stated it.", {"k": 1}),
        Record("b", None, {"k": 2}, "malformed JSON: x"),
        Record("c", "EXPLODE here", {"k": 3}),
        Record("d", "Prime time.", {}),
    ]
    out = restore_chunk(SPEC, records)
    assert [o["id"] for o in out] == ["a", "b", "c", "d"]
    assert [o["restored"] for o in out] == ["He said it.", None, None, "Top time."]
    assert out[1]["error"] == "malformed JSON: x" and out[1]["k"] == 2
    assert out[2]["error"] == "correction failed: ValueError: the stand-in refuses this text"
    assert out[2]["source"] == "EXPLODE here" and out[2]["k"] == 3
    assert out[0]["edits"] == [{"start": 3, "end": 9, "spun": "stated", "restored": "said", "gain": 1.5}]


class BatchSwapCorrector(SwapCorrector):
    """The stand-in with ``correct_batch`` (as ``Corrector`` has): records the batches asked."""

    def __init__(self) -> None:
        super().__init__(0.0, False)
        self.batches: list[list[str]] = []

    def correct_batch(self, texts: list[str]) -> list[Any]:
        self.batches.append(list(texts))
        return [self.correct(text) for text in texts]


def test_a_chunks_readable_records_are_restored_together_and_a_failure_isolated() -> None:
    corrector = BatchSwapCorrector()
    records = [
        Record("a", "He stated it."), Record("b", None, {}, "malformed JSON: x"), Record("c", "Prime time.")
    ]
    out = restore_records(records, corrector)
    assert corrector.batches == [["He stated it.", "Prime time."]]  # one batch, unreadable left out
    assert [o["restored"] for o in out] == ["He said it.", None, "Top time."]
    assert out[1]["error"] == "malformed JSON: x"
    # A batch that fails is restored record by record: the record at fault is the error, alone.
    records.append(Record("d", "EXPLODE here"))
    out = restore_records(records, corrector)
    assert [o["restored"] for o in out] == ["He said it.", None, "Top time.", None]
    assert out[3]["error"] == "correction failed: ValueError: the stand-in refuses this text"
    assert out[0]["edits"] == [{"start": 3, "end": 9, "spun": "stated", "restored": "said", "gain": 1.5}]


def test_unloadable_model_is_a_fatal_error_not_error_records() -> None:
    spec = CorrectorSpec.create(factory="corrector.no_such_module:load")
    with pytest.raises(RuntimeError, match="cannot load corrector"):
        restore_chunk(spec, [Record("a", "text")])


def test_process_pool_keeps_order_and_loads_corrector_once_per_worker() -> None:
    spec = CorrectorSpec.create(factory=FACTORY, report_process=True)
    chunks = [[Record(f"r{i}", f"Prime text {i}")] for i in range(40)]  # one record per chunk: many tasks
    outputs = [o for chunk in ProcessExecutor(2).map(restore_chunk, spec, chunks, spec) for o in chunk]
    assert [o["id"] for o in outputs] == [f"r{i}" for i in range(40)]
    assert [o["restored"] for o in outputs] == [f"Top text {i}" for i in range(40)]
    assert {o["loads"] for o in outputs} == {1}
    assert os.getpid() not in {o["pid"] for o in outputs}


def test_two_workers_overlap_io_bound_work(tmp_path: Path) -> None:
    # Records of the two workers must be in progress at the same time; a serialised pool (e.g. a
    # window of one chunk) would give disjoint intervals. Judged on the records' own start and end
    # times, not on wall-clock ratios, so a busy machine cannot fail it. Throughput is measured in
    # benchmarks/batch.py.
    spec = CorrectorSpec.create(factory=FACTORY, delay=0.004, report_process=True)
    chunks = [[Record(f"r{i}-{j}", f"Prime text {i}") for j in range(10)] for i in range(30)]
    outputs = [o for chunk in ProcessExecutor(2).map(restore_chunk, spec, chunks, spec) for o in chunk]
    by_pid: dict[int, list[tuple[float, float]]] = {}
    for o in outputs:
        by_pid.setdefault(o["pid"], []).append((o["started"], o["finished"]))
    assert len(by_pid) == 2
    first, second = by_pid.values()
    overlapping = sum(1 for a, b in first if any(c < b and a < d for c, d in second))
    assert overlapping >= len(first) // 4
    # And the output is the same as one process's.
    source = str(spun_jsonl(tmp_path / "in.jsonl", 100))
    job = BatchJob((source,), output=str(tmp_path / "o.jsonl"), spec=SPEC)
    run_batch(job, LocalExecutor(), chunk_size=10)
    one = (tmp_path / "o.jsonl").read_bytes()
    run_batch(job, ProcessExecutor(2), chunk_size=10)
    assert (tmp_path / "o.jsonl").read_bytes() == one


def test_run_batch_writes_one_line_per_record_in_order_and_counts(tmp_path: Path) -> None:
    source = spun_jsonl(tmp_path / "in.jsonl", 50, bad_every=5)
    out = tmp_path / "out.jsonl.gz"
    stats = run_batch(BatchJob((str(source),), output=str(out), spec=SPEC), ProcessExecutor(2), chunk_size=3)
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == [f"{source}:{i}" for i in range(1, 51)]
    assert [r["n"] for r in rows if r["error"] is None] == [i for i in range(50) if i % 5 != 4]
    assert (stats.records, stats.errors, stats.edits) == (50, 10, 40 * 5)
    assert not partial_path(out).exists() and not checkpoint_path(out).exists()


def test_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    source = spun_jsonl(tmp_path / "in.jsonl", 3)
    with pytest.raises(ValueError, match="refusing to overwrite"):
        run_batch(BatchJob((str(source),), output=str(source), spec=SPEC))


def test_dask_engine_output_equals_local_engine(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    source = spun_jsonl(tmp_path / "in.jsonl", 120, bad_every=9)
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    run_batch(BatchJob((str(source),), output=str(local), spec=SPEC), LocalExecutor(), chunk_size=7)
    stats = run_batch(
        BatchJob((str(source),), output=str(dask), spec=SPEC), DaskExecutor(workers=2), chunk_size=7
    )
    assert stats.records == 120
    assert dask.read_bytes() == local.read_bytes()


# --------------------------------------------------------------------------------------- the CLI


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(TESTS_DIR), **env}
    command = [sys.executable, "-m", "corrector.cli", "correct", "--corrector-factory", FACTORY, *args]
    return subprocess.run(command, capture_output=True, env=environment, timeout=120, check=False)


def test_cli_keeps_every_bad_record_and_exits_zero(
    tmp_path: Path, capfdbinary: pytest.CaptureFixture
) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(
        b'{"text": "He stated it.", "url": "u1"}\n{"text": oops}\n{"body": "no text"}\n{"text": 3}\n'
        b'{"text": "caf\xe9"}\n{"text": ""}\n{"text": "' + b"a " * 600_000 + b'"}\n{"text": "EXPLODE"}\n'
        b'{"text": "Prime end."}\n'
    )
    assert cli.main(["correct", "--corrector-factory", FACTORY, "--quiet", str(source)]) == 0
    rows = [json.loads(line) for line in capfdbinary.readouterr().out.splitlines()]
    assert [r["restored"] for r in rows] == ["He said it.", *[None] * 7, "Top end."]
    errors = [r["error"] for r in rows[1:8]]
    for error, expected in zip(
        errors,
        [
            "malformed JSON",
            "missing text field",
            "not a string",
            "invalid UTF-8",
            "empty text",
            "too long",
            "failed",
        ],
        strict=True,
    ):
        assert expected in error
    assert rows[0]["url"] == "u1" and rows[0]["error"] is None


@pytest.mark.parametrize(
    ("inputs", "message"),
    [(["missing.jsonl"], "missing.jsonl")],
    ids=["missing"],  # a corrupt gzip is one error record, not fatal: tests/test_fuzz.py
)
def test_cli_unreadable_input_is_fatal_and_named(
    tmp_path: Path, inputs: list[str], message: str, capfd: pytest.CaptureFixture
) -> None:
    (tmp_path / "corrupt.jsonl.gz").write_bytes(b"not gzip at all")
    paths = [str(tmp_path / name) for name in inputs]
    out = tmp_path / "out.jsonl"
    assert cli.main(["correct", "--corrector-factory", FACTORY, "-q", *paths, "-o", str(out)]) == 1
    assert message in capfd.readouterr().err
    assert not out.exists()


def test_cli_text_output_and_show(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    source = tmp_path / "doc.txt"
    source.write_text("Prime diplomats stated.\n\nAnother line within.\n", encoding="utf-8")
    assert cli.main(["correct", "--corrector-factory", FACTORY, "-q", "--lines", "--output-format", "text",
                     str(source)]) == 0  # fmt: skip
    assert capfd.readouterr().out == "Top diplomats said.\n\nAnother line in.\n"
    assert cli.main(["correct", "--corrector-factory", FACTORY, "-q", "--show", str(source)]) == 0
    shown = capfd.readouterr().out
    assert "[Prime→Top] diplomats [stated→said]." in shown and "[within→in]" in shown


def _kill_when(process: subprocess.Popen[bytes], checkpoint: Path, extra_delay: float) -> None:
    deadline = time.monotonic() + 60
    while not checkpoint.exists():
        assert process.poll() is None, "the run finished before it could be killed; make it slower"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(extra_delay)
    os.killpg(process.pid, signal.SIGKILL)  # the CLI and its pool workers, mid-write or mid-checkpoint
    process.wait()


@pytest.mark.parametrize(
    ("output_name", "workers", "kill_delays"),
    [("out.jsonl", "2", (0.0, 0.37)), ("out.jsonl.gz", "1", (0.21,))],
    ids=["jsonl-2-workers-killed-twice", "gzip-1-worker"],
)
def test_resume_after_sigkill_is_byte_identical_to_an_uninterrupted_run(
    tmp_path: Path, output_name: str, workers: str, kill_delays: tuple[float, ...]
) -> None:
    source = spun_jsonl(tmp_path / "in.jsonl", 500, bad_every=11)
    common = ["--workers", workers, "--chunk-size", "8", "-q", str(source)]
    env = {"SWAP_DELAY_S": "0.004"}
    reference = tmp_path / "reference" / output_name
    reference.parent.mkdir()
    assert run_cli(*common, "-o", str(reference), **env).returncode == 0

    out = tmp_path / "resumed" / output_name
    out.parent.mkdir()
    environment = {**os.environ, "PYTHONPATH": str(TESTS_DIR), **env}
    for attempt, delay in enumerate(kill_delays):
        command = [sys.executable, "-m", "corrector.cli", "correct", "--corrector-factory", FACTORY,
                   *common, "-o", str(out), *(["--resume"] if attempt else [])]  # fmt: skip
        process = subprocess.Popen(command, env=environment, start_new_session=True)
        _kill_when(process, checkpoint_path(out), delay)
        assert not out.exists(), "the output must appear only when complete"
        assert partial_path(out).exists()
    done = json.loads(checkpoint_path(out).read_text())["records"]
    assert 0 < done < 500

    finished = run_cli(*common, "-o", str(out), "--resume", **env)
    assert finished.returncode == 0, finished.stderr.decode()
    assert out.read_bytes() == reference.read_bytes()
    assert len(read_jsonl(out)) == 500
    assert not partial_path(out).exists() and not checkpoint_path(out).exists()


def test_resume_refuses_a_checkpoint_of_a_different_input(tmp_path: Path) -> None:
    source = spun_jsonl(tmp_path / "in.jsonl", 400)
    out = tmp_path / "out.jsonl"
    environment = {**os.environ, "PYTHONPATH": str(TESTS_DIR), "SWAP_DELAY_S": "0.004"}
    command = [sys.executable, "-m", "corrector.cli", "correct", "--corrector-factory", FACTORY, "-q",
               "--chunk-size", "8", str(source), "-o", str(out)]  # fmt: skip
    process = subprocess.Popen(command, env=environment, start_new_session=True)
    _kill_when(process, checkpoint_path(out), 0.0)
    spun_jsonl(source, 401)  # the input changed since the checkpoint
    result = run_cli("-q", str(source), "-o", str(out), "--resume")
    assert result.returncode == 1
    assert b"the input changed since" in result.stderr and b"--resume-changed-input" in result.stderr


# ------------------------------------------------------------------------ end to end with a real model


@pytest.fixture(scope="module")
def spun_feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "spun.jsonl"
    texts = [
        "Prime US diplomats stated within the capital on Friday .",
        "The minister agreed to maintain speaking despite the fact that the assembly produced no movement .",
        "Officials advised reporters about the disaster in the region .",
        "",
        "Police met after the meeting in Geneva .",
    ]
    path.write_text("".join(json.dumps({"text": t, "i": i}) + "\n" for i, t in enumerate(texts)), "utf-8")
    return path


def test_real_corrector_output_is_the_same_for_every_engine(
    tiny_model_dir: Path, spun_feed: Path, tmp_path: Path
) -> None:
    outputs = {}
    for name, extra in {
        "one": [],
        "two": ["--workers", "2"],
        "dask": ["--engine", "dask", "--workers", "2"],
    }.items():
        out = tmp_path / f"{name}.jsonl"
        argv = [
            "correct",
            "-q",
            "--model",
            str(tiny_model_dir),
            "--chunk-size",
            "1",
            str(spun_feed),
            "-o",
            str(out),
        ]
        assert cli.main([*argv, *extra]) == 0
        outputs[name] = out.read_bytes()
    assert outputs["one"] == outputs["two"] == outputs["dask"]
    rows = [json.loads(line) for line in outputs["one"].splitlines()]
    assert [r["i"] for r in rows] == [0, 1, 2, 3, 4]
    assert rows[3]["error"] == "empty text"
    for row in rows[:3] + rows[4:]:
        assert row["error"] is None
        assert set(row["scores"]) == {"source_logprob", "restored_logprob", "source_ppl", "restored_ppl"}
        edits = [Edit(e["start"], e["end"], e["spun"], e["restored"], e["gain"]) for e in row["edits"]]
        assert apply_edits(row["source"], edits) == row["restored"]
        assert all(row["source"][e.start : e.end] == e.spun for e in edits)
    assert any(row["edits"] for row in rows), "the tiny model should restore at least one spun word"


def test_correct_many_with_workers_streams_the_same_restorations_in_order(tiny_model_dir: Path) -> None:
    from corrector import Corrector

    corrector = Corrector.load(tiny_model_dir)
    texts = [f"Prime US diplomats stated within the capital on day {i} ." for i in range(12)]
    parallel = list(corrector.correct_many(iter(texts), workers=2))
    assert parallel == [corrector.correct(t) for t in texts]


def test_resume_after_a_kill_between_final_rename_and_checkpoint_removal_is_a_no_op(tmp_path: Path) -> None:
    source = spun_jsonl(tmp_path / "in.jsonl", 20)
    out = tmp_path / "out.jsonl"
    job = BatchJob((str(source),), output=str(out), spec=SPEC)
    run_batch(job)
    finished = out.read_bytes()
    state = {
        "version": CHECKPOINT_VERSION,
        "job": job.fingerprint(),
        "input": job.input_digest(),
        "records": 20,
        "bytes": len(finished),
    }
    checkpoint_path(out).write_text(json.dumps(state))
    stats = run_batch(job, resume=True)
    assert (stats.records, stats.resumed) == (0, 20)
    assert out.read_bytes() == finished and not checkpoint_path(out).exists()


def test_feed_teams_are_consecutive_feeds_of_about_a_chunks_words() -> None:
    """The feeds whose teachers run side by side: consecutive, closed at a chunk's words (2,000)
    or records (64), so that a big feed runs alone; cut from the feeds' words alone."""
    from corrector.batch.job import feed_teams

    assert feed_teams([400] * 12) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]
    assert feed_teams([5_000, 100, 100, 9_000]) == [[0], [1, 2, 3]]
    assert [len(team) for team in feed_teams([1] * 130)] == [64, 64, 2]
    assert feed_teams([]) == []
