"""Fuzz and fault tests of batch correction (issue #21), with hypothesis, bounded for CI.

- random and mutated JSONL / CSV / RSS / TXT / gzip inputs (truncated gzip, billion laughs, UTF-16
  and Latin-1 bytes, control characters) never end a run, and give exactly one output record per
  readable input record;
- SIGKILL at a random moment of a 2-worker run, then ``--resume``: byte-identical output;
- a full disk (RLIMIT_FSIZE in the run's process) fails cleanly, keeps the partial output, and
  ``--resume`` then completes it byte-identically.

Examples are derandomized (the same ones on every run); the pipeline uses the deterministic
``SwapCorrector`` stand-in of ``test_pipeline.py``, so no model is needed.
"""

from __future__ import annotations

import atexit
import gzip
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pipeline import FACTORY, SPEC, TESTS_DIR, spun_jsonl

from corrector.batch.executors import LocalExecutor
from corrector.batch.job import BatchJob, run_batch
from corrector.batch.readers import read_records
from corrector.batch.writers import checkpoint_path, partial_path

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,  # derandomized: nothing to remember, and no .hypothesis/ directory
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(FUZZ, max_examples=4)

GOOD_TEXTS = [
    "Prime diplomats stated within the assembly.",
    "The minister said talks would continue.",
    "Officials stated\x00 about the disaster\r\nin the region.",
    "EXPLODE",  # the stand-in corrector raises on this one
    "",
]
RSS_ITEM = "<item><title>{title}</title><guid>g{n}</guid><description>{body}</description></item>"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    + ']><rss version="2.0"><channel><item><title>t</title><description>&lol9;</description></item>'
    "</channel></rss>"
)


@st.composite
def texts(draw: st.DrawFn) -> str:
    return draw(
        st.one_of(
            st.sampled_from(GOOD_TEXTS),
            st.text(max_size=60),  # every code point, lone surrogates and controls included
            st.text(alphabet="\x00\x07\x1b\x85\ufeff\r\n \t.Prime stated", max_size=80),
        )
    )


def jsonl_bytes(draw: st.DrawFn) -> bytes:
    lines = []
    for text in draw(st.lists(texts(), max_size=8)):
        kind = draw(st.sampled_from(["ok", "ok", "ok", "id", "nested", "not_object", "number", "broken"]))
        if kind == "ok":
            lines.append(json.dumps({"text": text}).encode())
        elif kind == "id":
            lines.append(json.dumps({"id": draw(st.integers(0, 3)), "text": text, "url": "u"}).encode())
        elif kind == "nested":
            lines.append(b'{"text": ' + b"[" * 5_000 + b"]" * 5_000 + b"}")
        elif kind == "not_object":
            lines.append(json.dumps([text]).encode())
        elif kind == "number":
            lines.append(b'{"text": 1e999}')
        else:
            lines.append(json.dumps({"text": text}).encode()[: draw(st.integers(0, 10))])
    return b"\n".join(lines) + draw(st.sampled_from([b"", b"\n", b"\r\n"]))


def csv_bytes(draw: st.DrawFn) -> bytes:
    rows = ["id,text,extra"]
    for text in draw(st.lists(texts(), max_size=6)):
        quoted = '"' + text.replace('"', '""') + '"'
        rows.append(f"{draw(st.sampled_from(['', 'r1', 'r2']))},{quoted},x")
    return "\r\n".join(rows).encode("utf-8", "surrogatepass")


def rss_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return BILLION_LAUGHS.encode()
    items = "".join(
        RSS_ITEM.format(title=n, n=n, body=text.replace("&", "&amp;").replace("<", "&lt;"))
        for n, text in enumerate(draw(st.lists(texts(), max_size=5)))
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode(
        "utf-8", "surrogatepass"
    )


def mutate(draw: st.DrawFn, data: bytes) -> bytes:
    """Bit flips, cuts, inserted junk and whole-file re-encodings."""
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "utf16", "latin1"]))
        if op == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
        elif op == "cut":
            data = data[: draw(st.integers(0, len(data)))]
        elif op == "insert":
            i = draw(st.integers(0, len(data)))
            data = data[:i] + draw(st.binary(max_size=8)) + data[i:]
        elif op == "utf16":
            data = data.decode("utf-8", "replace").encode("utf-16")
        else:
            data = data.decode("utf-8", "replace").encode("latin-1", "replace")
    return data


@st.composite
def input_files(draw: st.DrawFn) -> list[tuple[str, bytes]]:
    """1–3 named inputs (suffix, bytes), mutated or not, some gzip-compressed (maybe truncated)."""
    files = []
    for n in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["jsonl", "csv", "xml", "txt"]))
        data = {"jsonl": jsonl_bytes, "csv": csv_bytes, "xml": rss_bytes}.get(
            kind, lambda d: d(texts()).encode("utf-8", "surrogatepass")
        )(draw)
        if draw(st.booleans()):
            data = mutate(draw, data)
        name = f"in{n}.{kind}"
        if draw(st.booleans()):
            data = gzip.compress(data, mtime=0)
            name += ".gz"
            if draw(st.booleans()):
                data = data[: draw(st.integers(0, len(data)))]  # truncated gzip stream
        files.append((name, data))
    return files


def _expected_jsonl_records(data: bytes) -> int:
    """An independent count: one record per line with anything but whitespace on it."""
    return sum(1 for line in data.split(b"\n") if line.strip())


@FUZZ
@given(files=input_files(), output_format=st.sampled_from(["jsonl", "text"]))
def test_fuzzed_inputs_never_end_the_run_and_give_one_record_each(
    files: list[tuple[str, bytes]], output_format: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, data in files:
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(str(path))
        out = Path(tmp) / f"out.{output_format}"
        job = BatchJob(tuple(paths), output=str(out), spec=SPEC, output_format=output_format)
        stats = run_batch(job, LocalExecutor(), chunk_size=3)
        per_file = [list(read_records([path])) for path in paths]
        records = [record for found in per_file for record in found]
        assert stats.records == len(records)
        for (name, data), found in zip(files, per_file, strict=True):
            if name.endswith(".jsonl"):  # an independent count for plain JSONL, whatever the lines hold
                assert len(found) == _expected_jsonl_records(data)
            elif name.endswith(".txt"):  # one document, readable or not
                assert len(found) == 1
        written = out.read_bytes()
        written.decode("utf-8")  # valid UTF-8 whatever came in (lone surrogates as escapes)
        if output_format == "jsonl":
            rows = [json.loads(line) for line in written.splitlines()]
            assert [row["id"] for row in rows] == [r.id for r in records]
            assert all((row["error"] is None) == (row["restored"] is not None) for row in rows)
            assert [row["source"] for row in rows] == [r.text for r in records]


@FUZZ
@given(lines=st.lists(texts(), min_size=1, max_size=6), cut=st.integers(1, 400))
def test_a_truncated_gzip_keeps_its_records_and_the_next_input(lines: list[str], cut: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = b"".join(json.dumps({"text": t}).encode() + b"\n" for t in lines)
        broken, after = Path(tmp) / "a.jsonl.gz", Path(tmp) / "b.jsonl"
        compressed = gzip.compress(data, mtime=0)
        broken.write_bytes(compressed[: max(1, len(compressed) - cut)])  # short by 1+ bytes, not empty
        after.write_bytes(b'{"text": "Prime after."}\n')
        out = Path(tmp) / "out.jsonl"
        run_batch(BatchJob((str(broken), str(after)), output=str(out), spec=SPEC), LocalExecutor())
        rows = [json.loads(line) for line in out.read_bytes().splitlines()]  # str.splitlines cuts at U+0085
        assert rows[-1]["restored"] == "Top after."
        assert rows[-2]["id"] == f"{broken}:unreadable" and "unreadable" in rows[-2]["error"]
        assert len(rows) - 2 <= len(lines)


# ------------------------------------------------------------------------------- faults in a real run


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "corrector.cli", "correct", "--corrector-factory", FACTORY, "-q", *args]


ENV = {**os.environ, "PYTHONPATH": str(TESTS_DIR), "SWAP_DELAY_S": "0.003"}


def _hostile_feed(path: Path) -> Path:
    spun_jsonl(path, 800, bad_every=7)
    with open(path, "ab") as handle:
        handle.write(b'{"text": "nul\\u0000 and \\ud800 surrogate stated"}\n')
        handle.write(b'{"text": ' + b"[" * 3000 + b"]" * 3000)
        handle.write(b"}\n\xff\xfe broken\n" + b'{"text": "Prime last."}\n')
    return path


_FEED: dict[str, tuple[Path, bytes]] = {}


def _feed_and_reference() -> tuple[Path, bytes]:
    """One hostile feed (at one path: ids hold it) and its uninterrupted 2-worker output."""
    if "feed" not in _FEED:
        directory = Path(tempfile.mkdtemp(prefix="corrector-fuzz-"))
        atexit.register(shutil.rmtree, directory, True)  # shared by hypothesis's examples: kept to the end
        feed = _hostile_feed(directory / "feed.jsonl")
        out = directory / "reference.jsonl"
        done = subprocess.run(_cli("--workers", "2", "--chunk-size", "8", str(feed), "-o", str(out)), env=ENV,
                              capture_output=True, timeout=120, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr.decode()
        _FEED["feed"] = feed, out.read_bytes()
    return _FEED["feed"]


def _kill_after_checkpoint(process: subprocess.Popen[bytes], checkpoint: Path, delay: float) -> None:
    deadline = time.monotonic() + 60
    while not checkpoint.exists() and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(delay)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its pool workers
    process.wait()


@SLOW
@given(delay=st.floats(0.0, 0.8), kills=st.integers(1, 2))
def test_sigkill_at_a_random_moment_then_resume_is_byte_identical(delay: float, kills: int) -> None:
    feed, reference = _feed_and_reference()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        command = _cli("--workers", "2", "--chunk-size", "8", str(feed), "-o", str(out))
        for attempt in range(kills):
            process = subprocess.Popen([*command, *(["--resume"] if attempt else [])], env=ENV,
                                       start_new_session=True, stderr=subprocess.DEVNULL)  # fmt: skip
            _kill_after_checkpoint(process, checkpoint_path(out), delay / (attempt + 1))
            # killed: no output yet (atomic); finished first: the whole output
            assert out.exists() == (process.returncode == 0)
        finished = subprocess.run(
            [*command, "--resume"], env=ENV, capture_output=True, timeout=120, check=False
        )
        assert finished.returncode == 0, finished.stderr.decode()
        assert out.read_bytes() == reference


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # Python ignores SIGXFSZ: writes get EFBIG


@SLOW
@given(limit=st.integers(2_000, 40_000))
def test_a_full_disk_fails_cleanly_and_resumes_byte_identically(limit: int) -> None:
    feed, reference = _feed_and_reference()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        command = _cli("--workers", "2", "--chunk-size", "8", str(feed), "-o", str(out))
        full = subprocess.run(command, env=ENV, capture_output=True, timeout=120, check=False,
                              preexec_fn=lambda: _limit_file_size(limit))  # fmt: skip
        assert full.returncode == 1
        error = full.stderr.decode()
        assert "File too large" in error and "rerun with --resume" in error, error
        assert not out.exists()
        partial = partial_path(out).read_bytes()
        # full before the first checkpoint: nothing is kept, and --resume starts from the beginning
        checkpoint = checkpoint_path(out)
        state = json.loads(checkpoint.read_text()) if checkpoint.exists() else {"bytes": 0}
        assert state["bytes"] <= len(partial) <= limit
        assert reference.startswith(partial[: state["bytes"]])  # the checkpointed part is intact
        finished = subprocess.run(
            [*command, "--resume"], env=ENV, capture_output=True, timeout=120, check=False
        )
        assert finished.returncode == 0, finished.stderr.decode()
        assert out.read_bytes() == reference
