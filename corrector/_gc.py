"""Pausing the cyclic garbage collector around allocation-heavy work that makes no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC (refcounting still frees everything acyclic) inside the block.

    Lattices, hypotheses and cache entries are acyclic, but a cold run creates ~10⁵ of them
    and every full collection meanwhile rescans all that survived (measured: half of a cold
    lattice pass). Nested use is fine: only the outermost block re-enables collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
