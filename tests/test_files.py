"""The one atomic writer: a target is replaced whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from corrector.files import atomic_file, replace_file


def test_atomic_file_replaces_the_target_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "table.json"
    target.write_text("old", encoding="utf-8")
    with atomic_file(target, "w", encoding="utf-8") as handle:
        handle.write("new")
        assert target.read_text(encoding="utf-8") == "old"  # not visible before the block ends
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["table.json"]
    fresh = tmp_path / "fresh.txt"
    with atomic_file(fresh) as handle:
        handle.write(b"x")
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"x")
    assert fresh.stat().st_mode == plain.stat().st_mode  # the umask's mode, as open() gives


def test_atomic_file_keeps_the_old_target_when_the_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_file(target) as handle:
        handle.write(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_replace_file_moves_a_finished_file_over_the_target(tmp_path: Path) -> None:
    source, target = tmp_path / "out.partial", tmp_path / "out"
    source.write_bytes(b"done")
    replace_file(source, target)
    assert target.read_bytes() == b"done" and not source.exists()
