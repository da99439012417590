"""The executor layer: the same ordered results from a loop, a process pool and Dask; bounded windows;
one load per process."""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from corrector.batch import executors
from corrector.batch.executors import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    ProcessExecutor,
    cached,
    make_executor,
)


@dataclass(frozen=True, slots=True)
class CountingSpec:
    """Loads a marker that records the process; counts loads per process."""

    name: str
    fail: bool = False
    loads: ClassVar[dict[tuple[str, int], int]] = {}

    def load(self) -> tuple[str, int]:
        key = (self.name, os.getpid())
        self.loads[key] = self.loads.get(key, 0) + 1
        if self.fail:
            raise OSError("no such model")
        return key


def scaled_sum(shared: tuple[CountingSpec, list[float]], chunk: list[int]) -> tuple[float, int, int]:
    """A chunk's weighted sum under the shared weights, and which process loaded what, how often."""
    spec, weights = shared
    name, pid = cached(spec)
    return sum(weights[i % len(weights)] * i for i in chunk), pid, CountingSpec.loads[(name, pid)]


def chunks(n: int) -> Iterator[list[int]]:
    return (list(range(i, i + 5)) for i in range(0, 5 * n, 5))


def run(executor: Executor, name: str, n: int = 40) -> list[tuple[float, int, int]]:
    spec = CountingSpec(name)
    weights = [0.1 * k for k in range(1, 1000)]  # shared: sent once per worker, not per chunk
    with executor:
        return list(executor.map(scaled_sum, (spec, weights), chunks(n), preload=spec))


def test_every_executor_gives_the_loop_s_results_in_order() -> None:
    local = run(LocalExecutor(), "local")
    pooled = run(ProcessExecutor(2), "pool")
    assert [r[0] for r in pooled] == [r[0] for r in local]
    assert {r[2] for r in pooled} == {1}  # each worker loaded the spec once
    assert os.getpid() not in {r[1] for r in pooled}
    assert {r[1] for r in local} == {os.getpid()}


def test_dask_gives_the_loop_s_results_in_order() -> None:
    pytest.importorskip("distributed")
    local = run(LocalExecutor(), "local-for-dask")
    dask = DaskExecutor(workers=2)
    with dask:  # one cluster for two maps, as adaptation's iterations use it
        first = list(dask.map(scaled_sum, (CountingSpec("dask"), [1.0]), chunks(12)))
        second = run(dask, "dask")
    assert [r[0] for r in first] == [sum(range(i, i + 5)) for i in range(0, 60, 5)]
    assert [r[0] for r in second] == [r[0] for r in local]


def threads_here(shared: None, chunk: int) -> tuple[int, str | None]:
    from corrector.defaults import THREADS_ENV, compute_threads

    return compute_threads(), os.environ.get(THREADS_ENV)


@pytest.mark.parametrize("workers", [2, 3])
def test_pool_workers_share_the_cores_instead_of_each_taking_them_all(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corrector.defaults import THREADS_ENV, available_cores

    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.setattr(executors, "compute_threads", lambda: 4)  # as on a 4-core machine
    found = set(ProcessExecutor(workers).map(threads_here, None, range(8)))
    share = 4 // workers  # 2 each of 2 workers, 1 each of 3
    assert found == {(min(share, available_cores()), str(share))}
    assert THREADS_ENV not in os.environ  # set in the workers only


def test_a_local_dask_cluster_shares_the_cores_too(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    from corrector.defaults import THREADS_ENV

    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.setattr(executors, "compute_threads", lambda: 4)
    found = set(DaskExecutor(workers=2).map(threads_here, None, range(4)))
    assert {env for _, env in found} == {"2"}
    assert THREADS_ENV not in os.environ


def test_two_dask_jobs_on_one_machine_take_no_fixed_port() -> None:
    """Each local cluster serves its scheduler's HTTP endpoints on a free port, so a second job
    running beside the first neither collides nor warns that port 8787 is taken."""
    pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with DaskExecutor(workers=1) as first, DaskExecutor(workers=1) as second:
            assert list(first.map(scaled_sum, (CountingSpec("first"), [1.0]), chunks(2)))
            assert list(second.map(scaled_sum, (CountingSpec("second"), [1.0]), chunks(2)))


def test_process_pool_keeps_a_bounded_window_over_an_unbounded_stream() -> None:
    consumed = itertools.count()

    def endless() -> Iterator[list[int]]:
        for i in itertools.count():
            next(consumed)
            yield [i]

    executor = ProcessExecutor(2, in_flight_per_worker=2)
    results = executor.map(scaled_sum, (CountingSpec("window"), [1.0]), endless())
    assert [r[0] for r in itertools.islice(results, 10)] == list(range(10))
    assert next(consumed) <= 10 + 2 * 2  # read ahead by at most the window
    results.close()


def test_cached_loads_once_per_process_and_remembers_a_failure() -> None:
    spec = CountingSpec("once")
    assert cached(spec) is cached(spec)
    assert CountingSpec.loads[("once", os.getpid())] == 1
    broken = CountingSpec("broken", fail=True)
    for _ in range(2):
        with pytest.raises(RuntimeError, match=r"cannot load CountingSpec.*no such model"):
            cached(broken)
    assert CountingSpec.loads[("broken", os.getpid())] == 1
    assert executors.warm_up(broken) is False


@pytest.mark.parametrize(
    ("engine", "workers", "scheduler", "expected"),
    [("local", 1, None, LocalExecutor), ("local", 3, None, ProcessExecutor), ("dask", 2, None, DaskExecutor)],
)
def test_make_executor_picks_the_engine(engine: str, workers: int, scheduler: Any, expected: type) -> None:
    assert type(make_executor(engine, workers, scheduler)) is expected


def test_make_executor_refuses_settings_that_cannot_work() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        make_executor("spark")
    with pytest.raises(ValueError, match="needs the dask engine"):
        make_executor("local", 2, "tcp://127.0.0.1:8786")
