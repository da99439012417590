"""Learn a feed's spinner end to end: read the feed, run EM over its lattices, write the spinner file.

``corrector adapt`` and ``corrector correct --adapt`` both call :func:`learn_spinner`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corrector.adapt.em import AdaptConfig, AdaptResult, CleanFrequency, LatticeSource, adapt, clean_unigrams
from corrector.adapt.spinner_file import (
    decisions_document,
    merge_pairs,
    read_pair_counts,
    spinner_document,
    write_spinner,
)
from corrector.batch.readers import DEFAULT_TEXT_FIELD, read_documents
from corrector.defaults import default_model_dir

if TYPE_CHECKING:
    from corrector.api import FeedDecisions
    from corrector.batch.executors import Executor
    from corrector.batch.job import CorrectorSpec
    from corrector.restore.pairs import PairDecision, ScopeEvidence


def load_generator(
    thesaurus: str | Path | None, learned: str | Path | None, config: AdaptConfig
) -> LatticeSource:
    """The candidate generator whose lattices EM runs over, deep enough for ``config`` (tests replace
    this)."""
    from corrector.candidates.generator import CandidateGenerator

    depth = max(config.max_candidates, config.deep_candidates)
    return CandidateGenerator.load(thesaurus_dir=thesaurus, learned=learned, max_candidates=depth)


def log_to_stderr(message: str) -> None:
    """Progress on stderr only: ``correct --adapt`` may be writing its records to stdout."""
    print(f"[adapt] {message}", file=sys.stderr, flush=True)


def learn_spinner(
    inputs: Sequence[str],
    output: str | Path,
    config: AdaptConfig,
    *,
    text_field: str = DEFAULT_TEXT_FIELD,
    lines: bool = False,
    input_format: str = "auto",
    model_dir: str | Path | None = None,
    thesaurus: str | Path | None = None,
    learned: str | Path | None = None,
    clean_corpus: str | Path | None = None,
    max_sentences: int | None = None,
    merge: Sequence[str | Path] = (),
    log: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], AdaptResult]:
    """EM over the documents of ``inputs`` (read as ``corrector correct`` reads them); writes the
    spinner file to ``output`` after every iteration (marked partial) and at the end, with the
    learn-pairs tables in ``merge`` added. Returns the final document and the EM result.

    ``model_dir`` is the E-step's KenLM model (default: the default model); ``clean_corpus`` (one
    tokenised sentence per line) gives the frequency prior, else wordfreq does.
    """
    from corrector.lm.kenlm import load_language_model

    model = str(model_dir or default_model_dir())
    lm = load_language_model(model)
    clean = CleanFrequency(*clean_unigrams(clean_corpus)) if clean_corpus else CleanFrequency()
    feed = " ".join(inputs)

    def checkpoint(partial: AdaptResult) -> None:
        # Long runs leave a usable spinner after every iteration (replaced by the final one).
        write_spinner(output, spinner_document(partial, {"feed": feed, "model": model, "partial": True}))

    documents = read_documents(
        inputs, text_field=text_field, lines=lines, input_format=input_format, strict=False
    )  # an unreadable record carries no evidence about the spinner: skipped
    result = adapt(
        (record.text for record in documents),  # type: ignore[misc]
        load_generator(thesaurus, learned, config),
        lm,
        config,
        clean=clean,
        lm_path=model,
        max_sentences=max_sentences,
        log=log,
        on_iteration=checkpoint,
    )
    # No timing in the file: the same feed, model and settings write the same bytes.
    document = spinner_document(result, {"feed": feed, "model": model})
    for table in merge:
        document = merge_pairs(document, read_pair_counts(table))
    write_spinner(output, document)
    return document, result


def learn_decisions(
    inputs: Sequence[str],
    output: str | Path,
    spec: CorrectorSpec | None = None,
    executor: Executor | None = None,
    *,
    resume: bool = False,
    min_probability: float = 0.5,
    min_occurrences: int | None = 2,
    text_field: str = DEFAULT_TEXT_FIELD,
    lines: bool = False,
    input_format: str = "auto",
    spool: str | None = None,
    group_by: str = "none",
    log: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], list[PairDecision]]:
    """Pass 1 over the documents of ``inputs`` (:func:`~corrector.batch.evidence.gather_evidence`:
    any executor, bounded memory, checkpointed to ``OUTPUT.evidence``), then one decision per spun
    form; writes them as a ``corrector-spinner/1`` file that ``--spinner`` applies. ``resume``
    continues an interrupted pass 1; ``min_occurrences`` None: by the feed's size
    (:func:`~corrector.restore.pairs.feed_min_occurrences`); ``spool``: a copy of standard
    input, read for ``-``; ``group_by``: records of different groups are different spinners'
    output (:func:`~corrector.batch.readers.group_key`), so each group is decided as a feed of
    its own and the file holds each group's decisions (a single group: an ungrouped file).
    Returns the document and the decisions (with groups, every group's in order)."""
    from corrector.adapt.spinner_file import grouped_document
    from corrector.batch.evidence import gather_evidence
    from corrector.batch.executors import cached
    from corrector.batch.job import BatchJob, CorrectorSpec

    spec = spec or CorrectorSpec()
    # Pass 1 is n-gram work: its workers do not load the neural LM, only the teacher here does.
    plain = tuple(kv for kv in spec.overrides if kv[0] != "neural")
    ngram = CorrectorSpec(spec.model_dir, plain, spec.factory)
    job = BatchJob(
        tuple(inputs), None, ngram, text_field, lines, input_format, spool=spool, group_by=group_by
    )
    checkpoint = Path(f"{output}.evidence")
    gathered = gather_evidence(job, executor, checkpoint=checkpoint, resume=resume, log=log)
    corrector = cached(spec)
    meta = {
        "feed": " ".join(inputs),
        "documents": gathered.documents,
        "feed_words": gathered.evidence.words,
        "sentences": gathered.evidence.sentences,
        "pair_types": len(gathered.evidence.occurrences),
        "min_probability": min_probability,
        "teacher": corrector.neural.fingerprint() if corrector.neural is not None else "no",
        "signature": corrector.signature_fields(),
    }  # no timing: the same feed, model and settings write the same bytes
    groups = gathered.by_group()
    if len(groups) == 1:
        _, evidence, documents = groups[0]
        texts = (r.text for r in job.records() if r.error is None and r.text is not None)
        (found,) = corrector.decide_feeds([(evidence, documents, texts)], min_occurrences, min_probability)
        decided = list(found.decisions)
        document = decisions_document(decided, {**meta, **_meta(found)}, found.recurring)
    else:
        decided, documents_of = [], []
        decided_groups = _decide_groups(corrector, job, groups, min_probability, min_occurrences)
        for (key, evidence, documents), found in decided_groups:
            decided += found.decisions
            own = {
                "group": key,
                "documents": documents,
                "feed_words": evidence.words,
                "teacher": meta["teacher"],
                **_meta(found),
            }
            documents_of.append((key, decisions_document(list(found.decisions), own, found.recurring)))
        document = grouped_document(group_by, meta, documents_of)
    write_spinner(output, document)
    checkpoint.unlink(missing_ok=True)
    return document, decided


GROUP_TEXT_WORDS = 5_000_000  # words of text a grouped run's teacher holds in memory at once


def _meta(found: FeedDecisions) -> dict[str, Any]:
    """What a feed's decisions document holds of how they were made, besides the run's own."""
    from corrector.candidates.spinner import SHORT_SCORE

    meta: dict[str, Any] = {"min_occurrences": found.min_occurrences}
    if found.short_score is not None:
        meta[SHORT_SCORE] = found.short_score  # pass 2 gates the feed's short documents by it
    return meta


def _decide_groups(
    corrector: Any,
    job: Any,
    groups: list[tuple[str, ScopeEvidence, int]],
    min_probability: float,
    min_occurrences: int | None,
) -> Iterator[tuple[tuple[str, ScopeEvidence, int], FeedDecisions]]:
    """Each group with its decisions, in order (``Corrector.decide_feeds``, which runs the
    teachers of small groups side by side). The teacher reads each group's texts: the input is
    read once per run of whole teams (:func:`~corrector.batch.job.feed_teams`) of at most
    :data:`GROUP_TEXT_WORDS` words, so memory stays bounded however many groups there are, and
    the teams are those of the whole input."""
    from corrector.batch.job import feed_teams
    from corrector.batch.readers import group_key

    teams = feed_teams([evidence.words for _, evidence, _ in groups])
    at = 0
    while at < len(teams):
        batch: list[tuple[str, ScopeEvidence, int]] = []
        words = 0
        while at < len(teams):
            team = [groups[i] for i in teams[at]]
            size = sum(evidence.words for _, evidence, _ in team)
            if batch and words + size > GROUP_TEXT_WORDS:
                break
            batch += team
            words += size
            at += 1
        texts: dict[str, list[str]] = {key: [] for key, _, _ in batch}
        if corrector.neural is not None:
            for record in job.records():
                if record.error is None and record.text is not None:
                    own_texts = texts.get(group_key(record, job.group_by))
                    if own_texts is not None:
                        own_texts.append(record.text)
        feeds = [(evidence, documents, texts[key]) for key, evidence, documents in batch]
        yield from zip(batch, corrector.decide_feeds(feeds, min_occurrences, min_probability), strict=True)
