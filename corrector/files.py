"""Atomic, durable file writes: the one temp-file → fsync → rename helper.

Every file the package publishes (batch outputs and checkpoints, spinner files, the thesaurus table,
the corpus, the model) is written next to its target and renamed over it, so a reader (or a resumed
run) sees the old file or the whole new one, never a torn one. It sits at the bottom floor, beside
:mod:`corrector.defaults`, because the thesaurus build is imported by the candidate generator.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None
) -> Iterator[IO[Any]]:
    """A handle on a temporary file next to ``path`` that replaces ``path`` when the block ends.

    On success the file is flushed, fsync'd and renamed over ``path`` and the directory fsync'd; on
    an exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    # os.open rather than mkstemp: mode 0o666 less the umask, as a plain open() would create it.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)


def replace_file(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Make a finished ``source`` durable and rename it over ``target`` (same file system)."""
    with open(source, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(source, target)
    _fsync_directory(Path(target).parent)


def _fsync_directory(directory: Path) -> None:
    """Persist a rename; some file systems refuse to open or fsync a directory, which is harmless."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
