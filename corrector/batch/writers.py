"""Writers: output records, their JSONL/text lines, the diff view, and the checkpointed output file.

An output record has the schema keys first (:data:`OUTPUT_KEYS`), then pass-through input fields,
which never override a schema key. Error records keep ``source`` when the text could be read (e.g.
empty or too long) and set it to ``None`` otherwise; ``restored`` is always ``None`` on error (see
:func:`error_output`).

:class:`CheckpointedOutput` appends lines to ``OUT.partial`` with fsync'd checkpoints in
``OUT.checkpoint`` and renames the finished file to ``OUT`` only at the end, so a resumed run after a
crash (even SIGKILL) gives byte-identical output. Every rename goes through :mod:`corrector.files`.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import time
from pathlib import Path
from typing import IO, Any

from corrector.batch.readers import Record
from corrector.files import atomic_file, replace_file

# Keys of an output record, in order; passed-through input fields follow them and never override them.
OUTPUT_KEYS = ("id", "source", "restored", "edits", "scores", "spun_score", "error")
OUTPUT_FORMATS = ("jsonl", "text")
CHECKPOINT_INTERVAL_S = 0.2  # fsync cost is ~ms; a chunk of real decoding takes seconds
CHECKPOINT_VERSION = 2  # 2: the input's content fingerprint ("input") beside the job's ("job")


def error_output(record: Record) -> dict[str, Any]:
    """The output record of a record that was not restored: ``restored`` None, no edits or scores."""
    out: dict[str, Any] = {
        "id": record.id,
        "source": record.text,
        "restored": None,
        "edits": [],
        "scores": None,
        "spun_score": None,
        "error": record.error or "unknown error",
    }
    for key, value in record.fields.items():
        out.setdefault(key, value)
    return out


def output_record(record: Record, result: dict[str, Any]) -> dict[str, Any]:
    """Schema keys first (from ``result``, a ``Restoration.to_dict()``), then pass-through fields."""
    out: dict[str, Any] = {
        "id": record.id,
        "source": result.get("source", record.text),
        "restored": result.get("restored"),
        "edits": result.get("edits", []),
        "scores": result.get("scores"),
        "spun_score": result.get("spun_score"),
        "error": None,
    }
    for key, value in result.items():
        if key not in out:
            out[key] = value  # e.g. alternatives
    for key, value in record.fields.items():
        out.setdefault(key, value)
    return out


# Characters str.splitlines (and some JSON-lines readers) take for line ends; they can only occur
# inside JSON strings, where their escapes mean the same.
_LINE_SEPARATORS = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def format_output(out: dict[str, Any], output_format: str, head: str = "", tail: str = "\n") -> bytes:
    """One output line (with newline) in ``jsonl`` or ``text`` form.

    ``text`` writes ``head``, the restored text, or the source when the record failed (so lines still
    line up with the input), or nothing when nothing could be read, then ``tail``: the record's
    :attr:`~corrector.batch.readers.Record.head` and ``tail``, so a ``.txt`` input comes back byte
    for byte outside the edits (BOM, CRLF or CR line ends, no newline at the end).

    In JSONL, U+0085, U+2028 and U+2029 are written as ``\\u`` escapes (the same string to a JSON
    reader), so a reader that splits lines with ``str.splitlines`` still sees one record per line.

    A lone surrogate (only a JSON ``\\ud800`` escape can put one in a text) has no UTF-8 form: both
    formats write it as the escape ``\\ud800``, which in JSONL is the same string as read.
    """
    if output_format == "jsonl":
        line = json.dumps(out, ensure_ascii=False).translate(_LINE_SEPARATORS)
        return (line + "\n").encode("utf-8", "backslashreplace")
    if output_format == "text":
        text = out["restored"] if out["restored"] is not None else (out["source"] or "")
        return (head + text + tail).encode("utf-8", "backslashreplace")
    raise ValueError(f"unknown output format {output_format!r}")


def is_gzip_path(path: str | os.PathLike[str]) -> bool:
    return str(path).endswith(".gz")


def finalize_output(partial: Path, out: Path) -> None:
    """Move the finished ``partial`` (uncompressed lines) to ``out``, gzip-compressing for ``.gz``.

    Compression is deterministic (no name, mtime 0) so a resumed run is byte-identical to a fresh one.
    """
    if not is_gzip_path(out):
        replace_file(partial, out)
        return
    with (
        atomic_file(out) as raw,
        open(partial, "rb") as src,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
    ):
        for block in iter(lambda: src.read(1 << 20), b""):
            gz.write(block)
    partial.unlink()


# ------------------------------------------------------------------------------------------ diff view

_RED_STRIKE, _GREEN, _DIM, _RESET = "\x1b[31;9m", "\x1b[32m", "\x1b[2m", "\x1b[0m"
# Controls a hostile text could use to drive the terminal (escape sequences), shown escaped instead.
_SHOWN_ESCAPED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _visible(text: str) -> str:
    return _SHOWN_ESCAPED.sub(lambda m: ascii(m.group())[1:-1], text)


def render_diff(out: dict[str, Any], colour: bool = False) -> str:
    """A human view of one output record: a header line, then the source with each edit marked.

    Edits are placed by their ``start``/``end`` offsets into ``source``. Without colour an edit reads
    ``[spun→restored]``; with colour the spun text is red and struck through, the restored text green.
    """
    header = f"── {out['id']}"
    if out.get("error"):
        body = _visible(out.get("source") or "")
        return f"{header}  error: {out['error']}\n{body}\n" if body else f"{header}  error: {out['error']}\n"
    source: str = out["source"]
    edits = sorted(out.get("edits") or [], key=lambda e: e["start"])
    header += f"  ({len(edits)} edit{'s' if len(edits) != 1 else ''})"
    parts: list[str] = []
    pos = 0
    for edit in edits:
        parts.append(_visible(source[pos : edit["start"]]))
        spun, restored = _visible(source[edit["start"] : edit["end"]]), _visible(edit["restored"])
        if colour:
            parts.append(f"{_RED_STRIKE}{spun}{_RESET}{_GREEN}{restored}{_RESET}")
        else:
            parts.append(f"[{spun}→{restored}]")
        pos = edit["end"]
    parts.append(_visible(source[pos:]))
    if colour:
        header = f"{_DIM}{header}{_RESET}"
    return f"{header}\n{''.join(parts)}\n"


# ---------------------------------------------------------------------------------- checkpointed output


def partial_path(output: str | os.PathLike[str]) -> Path:
    out = Path(output)
    return out.with_name(out.name + ".partial")


def checkpoint_path(output: str | os.PathLike[str]) -> Path:
    out = Path(output)
    return out.with_name(out.name + ".checkpoint")


def lock_path(output: str | os.PathLike[str]) -> Path:
    out = Path(output)
    return out.with_name(out.name + ".lock")


class OutputBusyError(RuntimeError):
    """Another run is writing the same output file."""


class InputChangedError(ValueError):
    """``--resume`` found that the input's content is not the content the checkpoint was made from."""


class OutputLock:
    """An advisory lock on ``OUT.lock`` for the whole run, so two runs on one output are refused
    at once rather than racing on ``OUT.partial``. The kernel drops a ``flock`` when its process
    dies, so a killed run leaves no lock that could block ``--resume``."""

    def __init__(self, output: Path) -> None:
        import fcntl

        self.path = lock_path(output)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "unknown process"
                os.close(fd)
                raise OutputBusyError(
                    f"{output} is being written by another corrector run ({holder}); "
                    "wait for it to finish or choose another output"
                ) from None
            # A run that finished may have removed the file between our open and our lock:
            # then this lock guards nothing, so take the new file's.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        os.write(fd, f"pid {os.getpid()}, started {started}".encode())
        self.fd: int | None = fd

    def release(self) -> None:
        if self.fd is None:
            return
        self.path.unlink(missing_ok=True)  # while still held, so no new lock is taken on it
        os.close(self.fd)  # closing drops the flock
        self.fd = None


def read_checkpoint(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == CHECKPOINT_VERSION else None


class CheckpointedOutput:
    """Output lines appended to ``OUT.partial``; ``checkpoint()`` makes them durable and resumable.

    The checkpoint records how many input records and output bytes are complete, written only after
    the partial file is fsync'd, so on resume the partial file is truncated to a known-good length.
    It also carries ``fingerprint`` (the job: settings, model, input names) and ``input_digest`` (a
    hash of the input's bytes); a resume refuses another job, and refuses changed input content with
    :class:`InputChangedError` unless ``accept_changed_input``. ``lock``: an :class:`OutputLock` the
    caller already holds (else one is taken here); it is released by :meth:`close`.
    """

    def __init__(
        self,
        output: Path,
        fingerprint: str,
        resume: bool,
        *,
        input_digest: str = "",
        accept_changed_input: bool = False,
        lock: OutputLock | None = None,
    ) -> None:
        self.lock = lock or OutputLock(output)
        try:
            self._open(output, fingerprint, resume, input_digest, accept_changed_input)
        except BaseException:
            self.lock.release()
            raise

    def _open(
        self, output: Path, fingerprint: str, resume: bool, input_digest: str, accept_changed_input: bool
    ) -> None:
        self.output = output
        self.partial = partial_path(output)
        self.checkpoint_file = checkpoint_path(output)
        self.fingerprint = fingerprint
        self.input_digest = input_digest
        self.done_records = 0
        self.done_bytes = 0
        if not resume:
            self.checkpoint_file.unlink(missing_ok=True)  # a stale checkpoint must not describe new bytes
        else:
            state = read_checkpoint(self.checkpoint_file)
            if state is not None:
                if state.get("job") != fingerprint:
                    raise ValueError(
                        f"{self.checkpoint_file} belongs to a different job (inputs, model or "
                        "settings changed); rerun without --resume to start over"
                    )
                if state.get("input") != input_digest and not accept_changed_input:
                    raise InputChangedError(
                        f"the input changed since {self.checkpoint_file} was written (its content "
                        f"fingerprint is {input_digest[:16] or 'unknown'}…, the checkpoint's "
                        f"{str(state.get('input'))[:16]}…), so the {int(state['records']):,} records "
                        "already written may not match it; rerun without --resume to start over, or "
                        "add --resume-changed-input to keep them and continue with the new input"
                    )
                if not self.partial.exists() and self.output.exists():
                    # killed after the final rename, before the checkpoint was removed: already done
                    self.checkpoint_file.unlink()
                    self.done_records = int(state["records"])
                    self.handle = None
                    return
                if not self.partial.exists() or self.partial.stat().st_size < state["bytes"]:
                    raise ValueError(
                        f"{self.partial} is missing or shorter than its checkpoint; "
                        "rerun without --resume to start over"
                    )
                self.done_records, self.done_bytes = int(state["records"]), int(state["bytes"])
        self.handle: IO[bytes] | None = open(self.partial, "r+b" if self.done_bytes else "wb")  # noqa: SIM115
        self.handle.truncate(self.done_bytes)
        self.handle.seek(self.done_bytes)
        self._last_checkpoint = time.monotonic()
        self._records = self._checkpointed = self.done_records

    @property
    def complete(self) -> bool:
        return self.handle is None

    def write_chunk(self, lines: list[bytes]) -> None:
        assert self.handle is not None
        try:
            for line in lines:
                self.handle.write(line)
        except OSError as exc:
            raise self._write_failed(exc) from exc
        self._records += len(lines)
        if time.monotonic() - self._last_checkpoint >= CHECKPOINT_INTERVAL_S:
            self.checkpoint()

    def _write_failed(self, exc: OSError) -> OSError:
        """A full disk (ENOSPC), a file size limit (EFBIG), …: what is kept and how to go on."""
        return OSError(
            exc.errno,
            f"cannot write {self.partial}: {exc.strerror or exc}; the output up to the last "
            f"checkpoint ({self._checkpointed:,} records) is kept: make room and rerun with --resume",
        )

    def checkpoint(self) -> None:
        assert self.handle is not None
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
        except OSError as exc:
            raise self._write_failed(exc) from exc
        state = {
            "version": CHECKPOINT_VERSION,
            "job": self.fingerprint,
            "input": self.input_digest,
            "records": self._records,
            "bytes": self.handle.tell(),
        }
        with atomic_file(self.checkpoint_file) as handle:
            handle.write(json.dumps(state).encode())
        self._checkpointed = self._records
        self._last_checkpoint = time.monotonic()

    def finish(self) -> None:
        if self.handle is None:
            return
        self.checkpoint()
        self.handle.close()
        finalize_output(self.partial, self.output)
        self.checkpoint_file.unlink(missing_ok=True)

    def close(self) -> None:
        if self.handle is not None and not self.handle.closed:
            with contextlib.suppress(OSError):  # bytes after the last checkpoint: a resume drops them
                self.handle.close()
        self.lock.release()
