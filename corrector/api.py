"""The Python API: ``Corrector.load()``, then ``.with_neural().correct_feed(texts)`` for what
``corrector correct`` does by default, or ``.correct(text)`` / ``.correct_many(texts)`` for the
n-gram decoder alone (``--fast``)."""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corrector import defaults, settings
from corrector.config import CorrectorConfig
from corrector.lm.base import LanguageModel
from corrector.lm.kenlm import load_language_model
from corrector.restore.decoder import DecoderWeights
from corrector.restore.document import DocumentRestorer, TaughtEvidence, short_documents_score
from corrector.restore.pairs import PairDecision, ScopeEvidence, feed_min_occurrences, recurring_forms
from corrector.restore.teacher import TeacherSteps, run_together
from corrector.restore.verify import VerifierWeights
from corrector.text.lattice import Lattice
from corrector.text.results import Restoration
from corrector.text.tokens import split_sentences
from corrector.version import __version__

if TYPE_CHECKING:
    from corrector.candidates.generator import CandidateGenerator
    from corrector.candidates.spinner import SpinnerChannel
    from corrector.lm.neural import NeuralLM


MAX_GROUPS_KEPT = 256  # groups whose correctors a grouped run keeps at once (Corrector.for_group)


@dataclass(frozen=True, slots=True)
class FeedRestoration:
    """A feed restored with one decision per pair type: each document's restoration, in order, and
    the decisions (best first), as ``corrector correct`` writes them to ``OUT.spinner.json``."""

    restorations: tuple[Restoration, ...]
    decisions: tuple[PairDecision, ...]
    # With groups: each group's own decisions, in order of first appearance (``decisions`` is
    # then every group's, in that order).
    group_decisions: tuple[tuple[str, tuple[PairDecision, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class FeedDecisions:
    """One feed's pair decisions (:meth:`Corrector.decide_feeds`) and what applying them needs."""

    decisions: tuple[PairDecision, ...]
    min_occurrences: int  # what a pair type needed to be decided
    taught: bool  # by the neural teacher (else by the pair model)
    # The forms the feed's teacher decided; each document decides its others (seen once) itself.
    recurring: frozenset[str]
    short_score: float | None  # the feed's short documents' pooled spun score, which gates them

    @property
    def complete(self) -> bool:
        """A single article's decisions: every form of it was decided (``min_occurrences`` 1)."""
        return self.min_occurrences == 1


class Corrector:
    """Restores spun text. Load once (the LM is memory-mapped), call ``correct`` many times."""

    def __init__(
        self,
        config: CorrectorConfig,
        lm: LanguageModel,
        generator: CandidateGenerator,
        neural: NeuralLM | None = None,
    ) -> None:
        self.config = config
        self.lm = lm
        self.generator = generator
        self.weights = DecoderWeights(config.channel_weight, config.change_penalty, config.beam)
        self.neural = neural
        self.verifier_weights = VerifierWeights(
            config.neural_decoder_weight,
            config.neural_threshold,
            config.neural_consistency,
            config.neural_window,
        )
        if config.neural and neural is None:
            # Imported here: it brings numpy (~0.1 s), which an n-gram correction does not use.
            from corrector.lm.neural import default_neural_model, shared_neural_lm

            path = default_neural_model() if config.neural == "default" else config.neural
            self.neural = shared_neural_lm(path)
        self.spinner_channel: SpinnerChannel | None = None
        # A grouped spinner file (`corrector correct --group-by`) holds one feed's decisions per
        # group: how it keyed its records, the file (read once), and this corrector per group met.
        self.group_by: str | None = None
        self._grouped: dict[str, Any] | None = None
        self._groups: dict[str, Corrector] = {}
        if config.spinner:
            # An adapted channel (`corrector adapt`) rescores the generic lattice arcs.
            from corrector.candidates.spinner import SpinnerChannel, group_document, read_spinner

            document = read_spinner(config.spinner)
            self.spinner_channel = SpinnerChannel.for_document(
                group_document(document, ""), config.change_penalty, config.channel_weight
            )
            if "groups" in document:
                self.group_by, self._grouped = document["meta"].get("group_by", "site"), document

    def for_group(self, group: str) -> Corrector:
        """This corrector applying its grouped spinner file's decisions for ``group`` (itself when
        the file is not grouped): what ``corrector correct --group-by`` restores a record with."""
        if self._grouped is None:
            return self
        found = self._groups.get(group)
        if found is None:
            from corrector.candidates.spinner import SpinnerChannel, group_document

            if len(self._groups) >= MAX_GROUPS_KEPT:
                self._groups.clear()  # a feed of many sites: each is cheap to make again
            # A shallow copy shares the model, the tables and the neural LM, and reads no file.
            found = copy.copy(self)
            found.group_by, found._grouped, found._groups = None, None, {}
            found.spinner_channel = SpinnerChannel.for_document(
                group_document(self._grouped, group), self.config.change_penalty, self.config.channel_weight
            )
            self._groups[group] = found
        return found

    @classmethod
    def load(cls, model_dir: str | Path | None = None, **overrides: Any) -> Corrector:
        """A corrector for the model in ``model_dir`` (default ``$CORRECTOR_MODEL`` or models/default)."""
        from corrector.candidates.generator import CandidateGenerator

        config = CorrectorConfig().with_overrides(model_dir=model_dir, **overrides)
        return cls.from_config(config, CandidateGenerator)

    @classmethod
    def from_config(cls, config: CorrectorConfig, generator_class: Any = None) -> Corrector:
        if generator_class is None:
            from corrector.candidates.generator import CandidateGenerator as generator_class
        model_dir = Path(config.model_dir) if config.model_dir else defaults.default_model_dir()
        if not model_dir.exists():
            raise FileNotFoundError(f"no model at {model_dir} (build the default one with `make model`)")
        lm = load_language_model(str(model_dir))
        generator = generator_class.load(
            thesaurus_dir=Path(config.thesaurus_dir) if config.thesaurus_dir else None,
            learned=config.learned,
            weights=Path(config.channel) if config.channel else None,
            max_candidates=config.max_candidates,
        )
        return cls(config, lm, generator)

    def with_settings(self, **overrides: Any) -> Corrector:
        """A corrector sharing this one's model and tables, with other decoder settings."""
        allowed = settings.RELOAD_FREE
        if set(overrides) - allowed:
            raise ValueError(f"only {sorted(allowed)} can change without reloading")
        return Corrector(self.config.with_overrides(**overrides), self.lm, self.generator, self.neural)

    def with_neural(self, model: str = "default") -> Corrector:
        """This corrector with neural verification of its edits (loads the GGUF model: ~6 s)."""
        return Corrector(self.config.with_overrides(neural=model), self.lm, self.generator)

    def signature_fields(self, decoding: bool = True) -> dict[str, Any]:
        """What pins this corrector's output (for evaluation signatures); without ``decoding``,
        what pins its lattices only (the lattice oracle's signature)."""
        manifest = self.lm.manifest
        # Settings pinned by what they loaded sign as its fingerprint rather than as their path.
        shown = {
            "thesaurus_dir": self.generator.table.fingerprint(),
            "channel": self.generator.channel.fingerprint()[:12],
            "neural": self.neural.fingerprint() if self.neural is not None else "no",
        }
        signed, conditional = settings.signature_fields(
            self.config, shown, neural=self.neural is not None, decoding=decoding
        )
        return {
            "model": str(manifest.get("sha256", "unknown"))[:12],
            "order": self.lm.order,
            "case": "lc" if self.lm.lowercase else "cased",
            **signed,
            "version": __version__,
            **conditional,
        }

    def correct(self, text: str, feed: ScopeEvidence | None = None) -> Restoration:
        """Restore one document with the n-gram decoder and this corrector's channel (``--fast``;
        with a spinner, ``--spinner``; loaded with a neural LM and no spinner, per-sentence
        ``--neural``). The CLI's default path is :meth:`correct_feed`. Every character outside an
        edit is kept exactly. ``feed``: the pair evidence of the feed it belongs to
        (:meth:`pair_evidence` summed over the feed)."""
        return self._correct([text], feed)[0]

    def correct_batch(self, texts: Sequence[str], groups: Sequence[str] | None = None) -> list[Restoration]:
        """``[self.correct(text) for text in texts]``, with the documents' own teachers run side
        by side (:func:`~corrector.restore.teacher.run_together`): a feed's forms seen once are
        judged in each document, and a few documents' neural questions asked in one call cost
        ~40% less than each document's alone. Which documents share a batch moves the neural
        gains in their last bits (so, rarely, a decision at its threshold): ``corrector correct``
        and :meth:`correct_feed` batch the same consecutive documents
        (:func:`~corrector.batch.job.text_batches`). ``groups``: one key per text, each text
        restored with its group's decisions (:meth:`for_group`), all of them together."""
        correctors = [self] * len(texts) if groups is None else [self.for_group(g) for g in groups]
        return correct_together(correctors, list(texts))

    def _correct(self, texts: list[str], feed: ScopeEvidence | None) -> list[Restoration]:
        return correct_together([self] * len(texts), texts, feed)

    def _own_steps(self, text: str, generic: list[Lattice]) -> TeacherSteps | None:
        """The teacher's steps for the forms of ``text`` its feed did not decide (seen once there),
        judged as a single article's are: each from its occurrences in its document, kept when no
        original fits better; None where the feed decided everything."""
        channel = self.spinner_channel
        if channel is None or not channel.open_documents or self.neural is None:
            return None
        restorer = DocumentRestorer(self.lm, self.config, self.neural)
        return restorer.taught_steps(restorer.pair_evidence(generic), [text], 1, channel.settled)

    def _restore_spun(
        self,
        text: str,
        generic: list[Lattice],
        own: list[tuple[str, str, float]] | None,
        feed: ScopeEvidence | None,
    ) -> Restoration:
        """One document restored with this corrector's spinner (and ``own`` decisions)."""
        channel = self.spinner_channel
        assert channel is not None
        # With the neural teacher's decisions, the neural LM is the teacher: it decides the
        # forms the feed left open in this document, and the n-gram decoder applies it all.
        neural = None if channel.taught else self.neural
        # A single article's decisions (the teacher judged its every form), not a feed's.
        single = channel.complete
        if own is not None:
            channel = channel.with_document(own)
        lattices = [channel.rescore(lattice) for lattice in generic]
        score = channel.evidence(lattices)
        decided = frozenset(channel.pairs) if single else None
        taught = None if score is None else TaughtEvidence(score, channel.complete, decided)
        restorer = DocumentRestorer(self.lm, self.config, neural)
        return restorer.restore(text, lattices, feed, generic, taught, channel.short_score)

    def pair_evidence(self, text: str) -> ScopeEvidence:
        """What ``text`` shows about its spinner's pair types; sum it over a feed (``+``) and
        pass the sum to :meth:`correct` of each of its documents."""
        return DocumentRestorer(self.lm, self.config, self.neural).feed_evidence(self.lattices(text))

    def pair_decisions(
        self, evidence: ScopeEvidence, min_probability: float = 0.5, min_occurrences: int = 2
    ) -> list[PairDecision]:
        """What a feed's evidence (:meth:`pair_evidence` summed) says its spinner did: one
        original per spun form, best first (write them with ``corrector adapt --method pairs``)."""
        return DocumentRestorer(self.lm, self.config, self.neural).pair_decisions(
            evidence, min_probability, min_occurrences
        )

    def taught_decisions(
        self, evidence: ScopeEvidence, texts: Iterable[str], min_occurrences: int = 2
    ) -> list[PairDecision]:
        """With a neural LM: a feed's decisions by the teacher, which scores the feed's most
        probable pair types (:meth:`pair_evidence` summed) at a few occurrences found in ``texts``
        (the feed read again); the neural cost is per pair type, not per document."""
        return DocumentRestorer(self.lm, self.config, self.neural).taught_decisions(
            evidence, texts, min_occurrences
        )

    def correct_feed(
        self,
        texts: Sequence[str],
        min_occurrences: int | None = None,
        groups: Sequence[str] | None = None,
    ) -> FeedRestoration:
        """Restore the documents of one feed the way ``corrector correct`` does by default: a first
        pass gathers their pair evidence, the pair types are decided once for the whole feed (by
        the neural teacher when this corrector has a neural LM, else by the pair model), and the
        n-gram decoder restores each document with those decisions as its spinner. A single
        article is a feed of one. In a feed of several, the teacher decides its recurring forms
        and then, in each document, the forms the feed showed too rarely to decide (seen once),
        as it would in that article alone. ``min_occurrences``: what a pair type needs to be decided
        (default: :func:`~corrector.restore.pairs.feed_min_occurrences` of each group's documents).
        ``groups``: one key per text, the spinner that wrote it (its site): each group is decided
        as a feed of its own, since one spinner's dictionary is not another's (``corrector correct
        --group-by``). (The CLI streams the same steps with bounded memory.)"""
        keys = [""] * len(texts) if groups is None else [str(g) for g in groups]
        if len(keys) != len(texts):
            raise ValueError(f"{len(keys)} groups for {len(texts)} texts")
        members: dict[str, list[str]] = {}
        for key, text in zip(keys, texts, strict=True):
            members.setdefault(key, []).append(text)
        feeds = []
        for own in members.values():
            evidence = ScopeEvidence()
            for text in own:
                evidence += self.pair_evidence(text)
            feeds.append((evidence, len(own), own))
        decided = self.decide_feeds(feeds, min_occurrences)
        restorers = {key: self.with_feed_decisions(d) for key, d in zip(members, decided, strict=True)}
        from corrector.batch.job import text_batches

        # The chunks corrector correct makes of the input, each restored together, every document
        # with its group's decisions.
        restored: list[Restoration] = []
        for batch in text_batches(texts):
            own_keys = keys[len(restored) : len(restored) + len(batch)]
            restored += correct_together([restorers[key] for key in own_keys], batch)
        by_group = tuple((key, d.decisions) for key, d in zip(members, decided, strict=True))
        decisions = tuple(x for _, own_decided in by_group for x in own_decided)
        return FeedRestoration(tuple(restored), decisions, by_group if groups is not None else ())

    def decide_feeds(
        self,
        feeds: Sequence[tuple[ScopeEvidence, int, Iterable[str]]],
        min_occurrences: int | None = None,
        min_probability: float = 0.5,
    ) -> list[FeedDecisions]:
        """Each feed's pair decisions, from (its evidence, :meth:`pair_evidence` summed; its number
        of documents; its texts, read once more by the teacher): by the neural teacher when this
        corrector has a neural LM (:meth:`taught_decisions`), else by the pair model at
        ``min_probability`` (:meth:`pair_decisions`). ``min_occurrences``: what a pair type needs
        (default: :func:`~corrector.restore.pairs.feed_min_occurrences` of each feed's documents).
        The teachers of consecutive small feeds (a site's few articles, an article read alone) run
        side by side, in the teams :func:`~corrector.batch.job.feed_teams` makes of the feeds'
        words, so that their neural questions share calls."""
        from corrector.batch.job import feed_teams

        sizes = [feed_min_occurrences(documents) for _, documents, _ in feeds]
        needed = sizes if min_occurrences is None else [min_occurrences] * len(feeds)
        taught = self.neural is not None
        out: list[FeedDecisions] = []
        for team in feed_teams([evidence.words for evidence, _, _ in feeds]):
            if self.neural is not None:
                restorer = DocumentRestorer(self.lm, self.config, self.neural)
                steps = [restorer.taught_steps(feeds[i][0], feeds[i][2], needed[i]) for i in team]
                found = run_together(steps, self.neural)
            else:
                found = [self.pair_decisions(feeds[i][0], min_probability, needed[i]) for i in team]
            for i, decided in zip(team, found, strict=True):
                evidence, m = feeds[i][0], needed[i]
                # A feed of several: its teacher decided the recurring forms, each document its others.
                recurring = recurring_forms(evidence, m) if taught and m > 1 else frozenset()
                short = short_documents_score(evidence)
                out.append(FeedDecisions(tuple(decided), m, taught, recurring, short))
        return out

    def with_feed_decisions(self, decided: FeedDecisions) -> Corrector:
        """This corrector applying a feed's decisions (:meth:`decide_feeds`) as its spinner."""
        return self.with_decisions(
            decided.decisions, decided.taught, decided.complete, decided.recurring, decided.short_score
        )

    def with_decisions(
        self,
        decisions: Iterable[PairDecision],
        taught: bool = False,
        complete: bool = False,
        recurring: frozenset[str] = frozenset(),
        short_score: float | None = None,
    ) -> Corrector:
        """This corrector applying a feed's pair decisions as its spinner (what ``--spinner`` does
        with the file ``corrector adapt --method pairs`` writes), without a file. ``taught``: the
        neural teacher made them (their odds weigh in the gate, ``min_spinner_evidence``);
        ``complete``: it judged every form of each document (a single article's decisions);
        otherwise, with this corrector's neural LM, the teacher decides in each document the forms
        the feed did not (not ``recurring`` in it: :func:`~corrector.restore.pairs.recurring_forms`).
        ``short_score``: the feed's short documents' pooled spun score, which gates each of them
        (:func:`~corrector.restore.document.short_documents_score`)."""
        from corrector.candidates.spinner import SpinnerChannel

        adapted = Corrector(self.config, self.lm, self.generator, self.neural)
        decided = [(d.spun, d.original, d.probability) for d in decisions]
        penalty, weight = self.config.change_penalty, self.config.channel_weight
        adapted.spinner_channel = SpinnerChannel.for_decisions(
            decided, penalty, weight, taught, complete, recurring, short_score
        )
        return adapted

    def lattices(self, text: str) -> list[Lattice]:
        """The candidate lattices of ``text``'s sentences, as the decoder sees them."""
        lattices = self.generator.lattices(split_sentences(text))
        if self.spinner_channel is not None:
            lattices = [self.spinner_channel.rescore(lattice) for lattice in lattices]
        return lattices

    def restore_lattices(
        self, text: str, lattices: list[Lattice], feed: ScopeEvidence | None = None
    ) -> Restoration:
        """Decode prepared lattices of ``text`` (lets tuning reuse lattices across settings)."""
        return DocumentRestorer(self.lm, self.config, self.neural).restore(text, lattices, feed)

    def correct_many(self, texts: Iterable[str], workers: int = 1) -> Iterator[Restoration]:
        """Restore texts in order, streaming; ``workers > 1`` uses processes that each load the model.
        Either way in the chunks ``corrector correct`` makes (:meth:`correct_batch` each), so the
        output is the same."""
        from corrector.batch.job import parallel_restorations, text_batches

        if workers <= 1:
            for batch in text_batches(texts):
                yield from self.correct_batch(batch)
            return
        yield from parallel_restorations(self.config, texts, workers)


def correct_together(
    correctors: Sequence[Corrector], texts: Sequence[str], feed: ScopeEvidence | None = None
) -> list[Restoration]:
    """Each text restored by its own corrector (a group's, :meth:`Corrector.for_group`), the
    documents' own teachers side by side wherever their correctors share a neural LM (a group's
    corrector shares its parent's): ``Corrector.correct_batch`` of a chunk of several groups."""
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
    # A correction allocates ~100 objects per word and makes no reference cycles, so the
    # collections it would trigger free nothing (~4% of its time, each scanning the memos and
    # the caches' new entries again): pause the collector for the documents, restoring its
    # state after, as the generator and the decoder do for their parts.
    enabled = gc.isenabled()
    gc.disable()
    try:
        # The gate and the prior judge a document by the generic channel: a spinner's pairs
        # (decided from a whole feed) change what is restored, not whether it looks spun.
        generic = [
            None if c.spinner_channel is None else c.generator.lattices(split_sentences(text))
            for c, text in zip(correctors, texts, strict=True)
        ]
        steps = {
            i: own
            for i, (c, text, lattices) in enumerate(zip(correctors, texts, generic, strict=True))
            if lattices is not None and (own := c._own_steps(text, lattices)) is not None
        }
        own: list[list[tuple[str, str, float]] | None] = [None] * len(texts)
        sharing: dict[int, list[int]] = {}
        for i in steps:
            sharing.setdefault(id(correctors[i].neural), []).append(i)
        for indices in sharing.values():
            scorer = correctors[indices[0]].neural
            assert scorer is not None
            for i, decided in zip(indices, run_together([steps[i] for i in indices], scorer), strict=True):
                own[i] = [(d.spun, d.original, d.probability) for d in decided]
        return [
            c.restore_lattices(text, c.lattices(text), feed)
            if lattices is None
            else c._restore_spun(text, lattices, decided, feed)
            for c, text, lattices, decided in zip(correctors, texts, generic, own, strict=True)
        ]
    finally:
        if enabled:
            gc.enable()
