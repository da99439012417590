"""Executors: the one layer that runs work in parallel, in this process, a process pool or on Dask.

Batch correction (:func:`corrector.batch.job.run_batch`), ``Corrector.correct_many`` and the
adaptation E-step (:func:`corrector.adapt.em.adapt`) all call :meth:`Executor.map`:

- ``task(shared, chunk) -> result`` is a module-level function (pickled by reference). ``shared``
  reaches each worker once per ``map`` call (through the pool initializer, or one Dask broadcast),
  never once per chunk: it may be large (the E-step's θ).
- Results come back in chunk order, with at most ``in_flight_per_worker`` chunks per worker in
  flight, so the chunks may be an unbounded stream and memory stays flat; reductions in chunk order
  give the same floating-point sums on every executor.
- :func:`cached` loads a :class:`Loadable` spec (a corrector, the E-step's LM scorer) at most once
  per process; ``map(..., preload=spec)`` loads it as each worker starts.

:class:`LocalExecutor` is a plain loop (``workers == 1``), :class:`ProcessExecutor` a process pool
started with :data:`START_METHOD`, :class:`DaskExecutor` a Dask cluster (a LocalCluster of
single-threaded worker processes, or a scheduler address). Executors are context managers: a Dask
cluster lives for the ``with`` block (adaptation runs every E-step on one), or for one ``map`` call
without one.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from corrector.defaults import THREADS_ENV, compute_threads

S = TypeVar("S")  # what every task shares
C = TypeVar("C")  # a chunk
R = TypeVar("R")  # a chunk's result

ENGINES = ("local", "dask")
# fork shares the imported code and page cache with the parent and starts fast; spawn elsewhere.
START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
DEFAULT_IN_FLIGHT_PER_WORKER = 3
DASK_HINT = "the dask engine needs dask and distributed: pip install 'corrector[dask]'"


# ---------------------------------------------------------------------------------- per-process cache


class Loadable(Protocol):
    """A hashable, picklable recipe for something a worker loads once (its ``str`` names it)."""

    def __hash__(self) -> int: ...

    def load(self) -> Any: ...


_LOADED: dict[Loadable, Any] = {}
_FAILED: dict[Loadable, str] = {}
_LOAD_LOCK = threading.Lock()  # Dask workers may run several task threads in one process


def cached(spec: Loadable) -> Any:
    """``spec.load()``, at most once per process; a failed load is not retried (RuntimeError)."""
    loaded = _LOADED.get(spec)
    if loaded is not None:
        return loaded
    with _LOAD_LOCK:
        if spec in _LOADED:
            return _LOADED[spec]
        if spec in _FAILED:
            raise RuntimeError(_FAILED[spec])
        try:
            loaded = spec.load()
        except Exception as exc:
            _FAILED[spec] = f"cannot load {spec}: {exc}"
            raise RuntimeError(_FAILED[spec]) from exc
        _LOADED[spec] = loaded
        return loaded


def warm_up(spec: Loadable) -> bool:
    """Load ``spec`` now (a worker initializer); a failure is remembered and raised by the first task."""
    try:
        cached(spec)
    except RuntimeError:
        return False
    return True


# ---------------------------------------------------------------------------------------- executors


class Executor:
    """Maps ``task(shared, chunk)`` over ``chunks``; results in chunk order."""

    __slots__ = ()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(
        self,
        task: Callable[[S, C], R],
        shared: S,
        chunks: Iterable[C],
        preload: Loadable | None = None,
    ) -> Iterator[R]:
        raise NotImplementedError


def _ordered(submit: Callable[[C], Any], chunks: Iterable[C], window: int) -> Iterator[Any]:
    """Submit chunks keeping at most ``window`` futures in flight; yield results in submission order."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@dataclass(frozen=True, slots=True)
class LocalExecutor(Executor):
    """``workers == 1``: a plain loop in this process (``shared`` is never pickled)."""

    def map(
        self,
        task: Callable[[S, C], R],
        shared: S,
        chunks: Iterable[C],
        preload: Loadable | None = None,
    ) -> Iterator[R]:
        for chunk in chunks:
            yield task(shared, chunk)


# A pool worker's ``shared``, set by its initializer; a pool lives for one ``map`` call.
_WORKER: dict[str, Any] = {}


def _start_worker(shared: Any, preload: Loadable | None, threads: int) -> None:
    share_cores(threads)
    _WORKER["shared"] = shared
    if preload is not None:
        warm_up(preload)


def worker_threads(workers: int) -> int:
    """Each of ``workers`` processes' share of this process's compute threads (at least one)."""
    return max(1, compute_threads() // max(1, workers))


def share_cores(threads: int) -> None:
    """Make this (worker) process use at most ``threads`` compute threads (see
    :data:`corrector.defaults.THREADS_ENV`): workers that each took every core would fight over
    them."""
    os.environ[THREADS_ENV] = str(threads)


def _run_in_worker(task: Callable[[Any, C], R], chunk: C) -> R:
    return task(_WORKER["shared"], chunk)


@dataclass(frozen=True, slots=True)
class ProcessExecutor(Executor):
    """A pool of ``workers`` processes per ``map`` call; its initializer hands each worker ``shared``
    and loads ``preload`` once."""

    workers: int
    start_method: str = START_METHOD
    in_flight_per_worker: int = DEFAULT_IN_FLIGHT_PER_WORKER

    def map(
        self,
        task: Callable[[S, C], R],
        shared: S,
        chunks: Iterable[C],
        preload: Loadable | None = None,
    ) -> Iterator[R]:
        context = multiprocessing.get_context(self.start_method)
        with ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(shared, preload, worker_threads(self.workers)),
        ) as pool:
            submit = lambda chunk: pool.submit(_run_in_worker, task, chunk)  # noqa: E731
            yield from _ordered(submit, chunks, self.workers * self.in_flight_per_worker)


def import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise RuntimeError(f"{DASK_HINT} ({exc})") from exc
    return distributed


@dataclass(slots=True)
class DaskExecutor(Executor):
    """Chunks as Dask tasks on ``scheduler`` (an address), or on a LocalCluster of ``workers``
    single-threaded processes.

    Workers get specs, never loaded models: each worker process loads ``preload`` once (eagerly on
    the workers present when ``map`` starts, on first use on any that join later), so model paths
    must be readable at the same place on every machine. ``shared`` is broadcast once per ``map``.
    """

    scheduler: str | None = None
    workers: int = 2
    in_flight_per_worker: int = DEFAULT_IN_FLIGHT_PER_WORKER
    _stack: contextlib.ExitStack | None = field(default=None, init=False, repr=False, compare=False)
    _client: Any = field(default=None, init=False, repr=False, compare=False)

    def __enter__(self) -> DaskExecutor:
        distributed = import_distributed()
        stack = contextlib.ExitStack()
        try:
            if self.scheduler:
                client = stack.enter_context(distributed.Client(self.scheduler))
            else:
                cluster = stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=max(1, self.workers),
                        threads_per_worker=1,
                        processes=True,
                        # No dashboard, and the scheduler's HTTP endpoints on a free port: with
                        # dashboard_address None it still binds 8787, so a second job on the
                        # machine warns that the port is taken.
                        dashboard_address="127.0.0.1:0",
                        scheduler_kwargs={"dashboard": False},
                        silence_logs=logging.ERROR,
                    )
                )
                client = stack.enter_context(distributed.Client(cluster))
        except BaseException:
            stack.close()
            raise
        self._stack, self._client = stack, client
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stack is not None:
            self._stack.close()
        self._stack = self._client = None

    def map(
        self,
        task: Callable[[S, C], R],
        shared: S,
        chunks: Iterable[C],
        preload: Loadable | None = None,
    ) -> Iterator[R]:
        if self._client is None:  # not inside `with`: a cluster for this call only
            with self:
                yield from self.map(task, shared, chunks, preload)
            return
        client = self._client
        if not self.scheduler:  # a LocalCluster: its workers share this machine's cores
            client.run(share_cores, worker_threads(self.workers))
        if preload is not None:
            client.run(warm_up, preload)
        # In a list, so that a tuple or list is sent as one object rather than one future per item.
        (handle,) = client.scatter([shared], broadcast=True, hash=False)
        window = (sum(client.nthreads().values()) or 1) * self.in_flight_per_worker
        submit = lambda chunk: client.submit(task, handle, chunk, pure=False)  # noqa: E731
        yield from _ordered(submit, chunks, window)


def make_executor(engine: str = "local", workers: int = 1, scheduler: str | None = None) -> Executor:
    """The executor for ``--engine``/``--workers``/``--scheduler``."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose {' or '.join(ENGINES)})")
    if scheduler and engine != "dask":
        raise ValueError("a scheduler address needs the dask engine (--engine dask)")
    if engine == "dask":
        return DaskExecutor(scheduler=scheduler, workers=max(1, workers))
    return LocalExecutor() if workers <= 1 else ProcessExecutor(workers)
