"""Pass 1 of a two-pass run: a feed's pair evidence, gathered by any executor, checkpointed.

A spinner is one dictionary applied across a feed, so ``correct --adapt --adapt-method pairs`` and
``corrector adapt --method pairs`` first read the whole feed for its pair evidence
(:class:`~corrector.restore.pairs.ScopeEvidence`: per pair type its proposals and gains, the count
of every word, and of the multi-word forms they name). Workers return one document's evidence each
and this process adds them in input order, so every engine and worker count gives the same sums to
the last bit. Memory is bounded by the feed's pair types and vocabulary, not its length. Every
``checkpoint_every`` chunks the running sum and the number of records read are written atomically
(JSON) next to the output; a resumed run skips what it already read.
"""

from __future__ import annotations

import collections
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corrector.batch.executors import Executor, LocalExecutor, cached
from corrector.batch.job import BatchJob, CorrectorSpec, chunk_records
from corrector.batch.readers import Record, group_key
from corrector.files import atomic_file
from corrector.restore.pairs import ScopeEvidence

CHECKPOINT_EVERY = 16  # chunks
_FORMAT = "corrector-evidence/1"  # a grouped run adds "groups"


def evidence_chunk(spec: CorrectorSpec, records: list[Record]) -> list[ScopeEvidence | None]:
    """Each record's pair evidence (None for a record that could not be read), in any process."""
    if all(r.error is not None or r.text is None for r in records):
        return [None] * len(records)
    corrector = cached(spec)
    return [
        None if r.error is not None or r.text is None else corrector.pair_evidence(r.text)  # type: ignore[attr-defined]
        for r in records
    ]


@dataclass(slots=True)
class FeedEvidence:
    """The running sum of pass 1: the evidence, the documents it holds and the records read; in a
    grouped run (``BatchJob.group_by``) also each group's evidence and documents, by group key in
    order of first appearance."""

    evidence: ScopeEvidence
    documents: int = 0
    records: int = 0
    groups: dict[str, tuple[ScopeEvidence, int]] = field(default_factory=dict)

    def by_group(self) -> list[tuple[str, ScopeEvidence, int]]:
        """(group, evidence, documents) of each group; an ungrouped feed is one group, ``""``."""
        if not self.groups:
            return [("", self.evidence, self.documents)]
        return [(key, evidence, documents) for key, (evidence, documents) in self.groups.items()]

    def add(self, evidence: ScopeEvidence, group: str | None) -> None:
        self.evidence += evidence
        self.documents += 1
        if group is not None:
            summed, documents = self.groups.get(group) or (ScopeEvidence(), 0)
            summed += evidence  # in place: a group's running sum costs one document per add
            self.groups[group] = (summed, documents + 1)


def _load(path: Path, fingerprint: str) -> FeedEvidence | None:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("format") != _FORMAT:
        return None
    if saved.get("fingerprint") != fingerprint:
        return None  # another feed, model or settings: start again
    groups = {
        key: (ScopeEvidence.from_dict(evidence), documents)
        for key, evidence, documents in saved.get("groups", [])
    }
    return FeedEvidence(
        ScopeEvidence.from_dict(saved["evidence"]), saved["documents"], saved["records"], groups
    )


def _save(path: Path, fingerprint: str, state: FeedEvidence) -> None:
    saved = {
        "format": _FORMAT,
        "fingerprint": fingerprint,
        "documents": state.documents,
        "records": state.records,
        "evidence": state.evidence.to_dict(),
    }
    if state.groups:
        saved["groups"] = [[key, evidence.to_dict(), n] for key, (evidence, n) in state.groups.items()]
    with atomic_file(path, "w", encoding="utf-8") as handle:
        json.dump(saved, handle, ensure_ascii=False)


def gather_evidence(
    job: BatchJob,
    executor: Executor | None = None,
    *,
    checkpoint: Path | None = None,
    resume: bool = False,
    checkpoint_every: int = CHECKPOINT_EVERY,
    log: Callable[[str], None] | None = None,
) -> FeedEvidence:
    """The pair evidence of every readable record of ``job``'s inputs, summed in input order.

    With ``checkpoint``, the running sum is saved there every ``checkpoint_every`` chunks;
    ``resume=True`` continues from it when it belongs to the same job (inputs, model, settings).
    """
    executor = executor or LocalExecutor()
    fingerprint = job.fingerprint() if checkpoint is not None else ""
    state = _load(checkpoint, fingerprint) if checkpoint is not None and resume else None
    if state is None:
        state = FeedEvidence(ScopeEvidence())
    elif log is not None:
        log(f"resuming pass 1 after {state.records:,} records")
    records = itertools.islice(job.records(), state.records, None)  # read again, not re-processed
    # Each chunk's group keys, read here as the chunk is handed out; results come back in order.
    keys: collections.deque[list[str | None]] = collections.deque()
    grouped = job.group_by != "none"

    def chunks() -> Iterator[list[Record]]:
        for chunk in chunk_records(records):
            keys.append([group_key(r, job.group_by) if grouped else None for r in chunk])
            yield chunk

    for done, found in enumerate(executor.map(evidence_chunk, job.spec, chunks(), preload=job.spec), 1):
        for evidence, group in zip(found, keys.popleft(), strict=True):
            if evidence is not None:
                state.add(evidence, group)
        state.records += len(found)
        if checkpoint is not None and done % checkpoint_every == 0:
            _save(checkpoint, fingerprint, state)
        if log is not None and done % 100 == 0:
            log(f"pass 1: {state.records:,} records, {len(state.evidence.occurrences):,} pair types")
    return state
