"""Two runs on one output: the second is refused at once; a killed run's lock does not linger."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from corrector.batch.writers import CheckpointedOutput, OutputBusyError, lock_path


def test_a_second_run_on_the_same_output_is_refused_and_named(tmp_path: Path) -> None:
    out = tmp_path / "same.jsonl"
    first = CheckpointedOutput(out, "job", resume=False)
    with pytest.raises(OutputBusyError, match=rf"being written by another corrector run \(pid {os.getpid()}"):
        CheckpointedOutput(out, "job", resume=False)
    first.write_chunk([b"{}\n"])
    first.finish()
    first.close()
    assert out.read_bytes() == b"{}\n"
    assert not lock_path(out).exists()
    second = CheckpointedOutput(out, "job", resume=False)  # free again once the first is done
    second.close()


def test_a_killed_runs_lock_does_not_block_resume(tmp_path: Path) -> None:
    out = tmp_path / "killed.jsonl"
    holder = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from corrector.batch.writers import CheckpointedOutput
        sink = CheckpointedOutput(Path({str(out)!r}), "job", resume=False)
        sink.write_chunk([b"{{}}\\n"])
        sink.checkpoint()
        print("locked", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(OutputBusyError):
            CheckpointedOutput(out, "job", resume=True)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert lock_path(out).exists()  # the file stays behind, its lock does not
    resumed = CheckpointedOutput(out, "job", resume=True)
    assert resumed.done_records == 1
    resumed.finish()
    resumed.close()
    assert out.read_bytes() == b"{}\n"
