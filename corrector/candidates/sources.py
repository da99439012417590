"""The evidence sources of candidate originals, and how their evidence merges per original.

A source (the thesauri reversed, with re-inflection; curated and number rules; learned pairs; the
spun word's relatives) maps a spun key to :class:`~corrector.candidates.channel.Evidence` for its
originals, merged per original in :data:`SOURCES` order. Apart from the generator because this is
what a ranked list is made of, not how spans are grown or candidates made: a source reads only the
generator's table, learned pairs and relatives (:class:`SourceInputs`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from corrector.candidates import inflection, relatives, rules
from corrector.candidates.channel import Evidence, zipf
from corrector.candidates.relatives import Related, Relatives
from corrector.candidates.table import ReverseTable

# Inflectional agreement (:func:`agree_inflection`): a bare form scored at most this much above
# its own inflection that the spun word carries goes just below it (natural log-odds).
INFLECTION_MARGIN = 1.5
INFLECTION_STEP = 0.05


class SourceInputs(Protocol):
    """What a source reads of the generator: the reversed table, learned pairs and relatives."""

    table: ReverseTable
    learned: dict[str, dict[str, int]]
    relatives: Relatives | None


# A source maps (spun key, its words) to evidence for originals; it updates ``found`` in place.
# ``limit`` (None = everything) caps how many thesaurus entries per list it reads.
Source = Callable[[SourceInputs, str, Sequence[str], dict[str, Evidence], "int | None"], None]


def _evidence(found: dict[str, Evidence], spun: str, original: str) -> Evidence:
    ev = found.get(original)
    if ev is None:
        ev = found[original] = Evidence(spun, original)
    return ev


def _merged(
    gen: SourceInputs, found: dict[str, Evidence], key: str, original: str, limit: int | None
) -> Evidence:
    """``found[original]``, created on first use. When the key's own thesaurus list was read
    only up to ``limit``, a new original is looked up in the rest of it, so its evidence is
    the same as with the whole list read."""
    ev = found.get(original)
    if ev is None:
        ev = found[original] = Evidence(key, original)
        if limit is not None:
            entry = gen.table.find(key, original)
            if entry is not None:
                ev.ranks.update(entry.ranks)
                ev.fanout = gen.table.count(key)
                ev.mutual = entry.mutual
                ev.zipf_original = entry.zipf
    return ev


def _thesaurus_source(
    gen: SourceInputs,
    key: str,
    words: Sequence[str],
    found: dict[str, Evidence],
    limit: int | None = None,
) -> None:
    table = gen.table
    entries = table.lookup(key, limit)
    fanout = table.count(key) if limit is not None else len(entries)
    for entry in entries:
        ev = _evidence(found, key, entry.original)
        ev.ranks.update(entry.ranks)
        ev.fanout = fanout
        ev.mutual = entry.mutual
        ev.zipf_original = entry.zipf
    # Only what the head of the list did not cover needs a look-up in the rest of it.
    rest = limit if limit is not None and fanout > limit else None
    # Inflected spans: analyse the word that carries the inflection (first of a verb phrase,
    # last of a noun phrase), look its lemma up, inflect each original back.
    parts = key.split(" ")
    for at in (0,) if len(parts) == 1 else (0, len(parts) - 1):
        for lemma, tag in inflection.analyses(parts[at]):
            if (at == 0) != (tag in inflection.VERB_TAGS) and len(parts) > 1:
                continue
            lemma_key = " ".join([*parts[:at], lemma, *parts[at + 1 :]])
            lemma_entries = table.lookup(lemma_key, limit)
            if not lemma_entries:
                continue
            lemma_fanout = table.count(lemma_key) if limit is not None else len(lemma_entries)
            for entry in lemma_entries:
                original = inflection.inflect_phrase(entry.original, tag)
                # A form never seen in running English (wordfreq) cannot be the news original:
                # the thesaurus drops such lemmas, and rule-made forms ("callbacked") likewise.
                if original is None or original == key or (original not in found and not zipf(original)):
                    continue
                ev = _merged(gen, found, key, original, rest)
                if not ev.ranks:
                    ev.inflected = True
                    ev.mutual = entry.mutual
                for source, rank in entry.ranks.items():
                    ev.ranks.setdefault(source, rank)
                ev.fanout = max(ev.fanout, lemma_fanout)


def _rules_source(
    gen: SourceInputs,
    key: str,
    words: Sequence[str],
    found: dict[str, Evidence],
    limit: int | None = None,
) -> None:
    ruled = rules.RULES.get(key, ())
    numbers = rules.number_originals(key) if len(words) == 1 else ()
    if not ruled and not numbers:
        return
    rest = limit if limit is not None and gen.table.count(key) > limit else None
    for original in ruled:
        _merged(gen, found, key, original, rest).rules = True
    for original in numbers:
        _merged(gen, found, key, original, rest).number = True


def _learned_source(
    gen: SourceInputs,
    key: str,
    words: Sequence[str],
    found: dict[str, Evidence],
    limit: int | None = None,
) -> None:
    learned = gen.learned.get(key)
    if not learned:
        return
    rest = limit if limit is not None and gen.table.count(key) > limit else None
    for original, count in learned.items():
        _merged(gen, found, key, original, rest).learned += count


def _mark(ev: Evidence, related: Related) -> None:
    """Record on ``ev`` how its original relates to the spun word (see :mod:`relatives`)."""
    if related.kind == "own" or related.kind == "joined":
        ev.own_rank = related.rank if ev.own_rank is None else min(ev.own_rank, related.rank)
        ev.mutual = True  # the spun word's own list holds it
    elif related.kind == "derived":
        ev.derived = True
        ev.own_rank = related.rank if ev.own_rank is None else min(ev.own_rank, related.rank)
    elif related.kind == "variant":
        ev.variant = True
    elif related.kind == "compound":
        ev.compound = True


def _relatives_source(
    gen: SourceInputs,
    key: str,
    words: Sequence[str],
    found: dict[str, Evidence],
    limit: int | None = None,
) -> None:
    """Originals related to the spun word itself (spelling variants, derivations, compound
    heads, joined forms; :mod:`corrector.candidates.relatives`), re-inflected for inflected
    one-word spans; a spelling variant's own reverse candidates follow it (hop). The spun
    word's own lists mark the reverse candidates they hold (source "own")."""
    rel = gen.relatives
    if rel is None:
        return
    rest = limit if limit is not None and gen.table.count(key) > limit else None
    readings: list[tuple[str, str | None]] = [(key, None)]
    if " " not in key:
        readings.extend(inflection.analyses(key))
    variants: list[str] = []
    # A new original must be much more frequent than the spun form: real spinners go from a
    # frequent word to a rarer one (docs/candidates-study.md, finding 2), and clean text's
    # frequent words then get none. (A multi-word spun form, a compound written as its words,
    # is one word's spin: no floor.)
    floor = zipf(key) + relatives.MIN_GAIN if " " not in key else 0.0
    for lemma, tag in readings:
        for related in rel.get(lemma):
            original = related.original if tag is None else inflection.inflect_phrase(related.original, tag)
            if original is None or original == key:
                continue
            if original not in found:
                # The spun word's own lists only mark the originals the reverse lists give
                # (sources "own"): as new originals they changed clean text (agog → high,
                # Enmity → State: clean edits 0.63 → 0.75 per 100 words, light ERR +0.129 →
                # +0.100) and reached no dev or DESIGN original the other kinds do not.
                z = zipf(original)
                if related.kind == "own" or not z or (related.kind != "variant" and z < floor):
                    continue
            ev = _merged(gen, found, key, original, rest)
            if tag is not None and not ev.ranks:
                ev.inflected = True
            _mark(ev, related)
            if related.kind == "variant" and original not in variants:
                variants.append(original)
    for variant in variants:
        hopped: dict[str, Evidence] = {}
        _thesaurus_source(gen, variant, (variant,), hopped, limit)
        for original, ev in hopped.items():
            if original == key or original in found:
                continue
            # Scored as the variant's own candidate (its frequency, not the rare spelling's).
            ev.hop = True
            found[original] = ev


# The candidate sources, in the order their evidence is merged.
SOURCES: dict[str, Source] = {
    "thesaurus": _thesaurus_source,
    "rules": _rules_source,
    "learned": _learned_source,
    "relatives": _relatives_source,
}


def agree_inflection(key: str, scored: list[tuple[float, Evidence]]) -> list[tuple[float, Evidence]]:
    """``scored`` (best first) with inflectional agreement: when a one-word spun key is only an
    inflected form (desires, states: not a lemma itself), a bare-form original (want, say) that
    scores at most :data:`INFLECTION_MARGIN` above its own inflection the spun word carries
    (wants, says), both among the candidates, goes just below that inflection. Spinners keep a
    word's inflection (wants → desires, says → states); the bare form ranks first only because
    it is more frequent. A counterpart far below (peoples under people, for masses) is left
    there: its low score says it is not the form meant. Measured in docs/candidates-study.md."""
    if " " in key or len(scored) < 2:
        return scored
    tags = {tag for _, tag in inflection.analyses(key)}
    if not tags or inflection.is_lemma(key):
        return scored
    score_of = {ev.original: z for z, ev in scored}
    out = []
    moved = False
    for z, ev in scored:
        original = ev.original
        if " " not in original:
            forms = {inflection.inflect(original, tag) for tag in tags} - {original}
            near = [score_of[f] for f in forms if f in score_of and 0 < z - score_of[f] <= INFLECTION_MARGIN]
            if near:
                z = max(near) - INFLECTION_STEP
                moved = True
        out.append((z, ev))
    if moved:
        out.sort(key=lambda item: -item[0])
    return out


def read_learned(path: Path) -> dict[str, dict[str, int]]:
    """A learn-pairs table (TSV ``spun<TAB>original<TAB>count``, keys as
    :func:`~corrector.candidates.generator.span_key`)."""
    table: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            spun, original, count = line.rstrip("\n").split("\t")[:3]
            table.setdefault(spun, {})[original] = table.get(spun, {}).get(original, 0) + int(count)
    return table


def preload() -> None:
    """Load the lemma and word-frequency dictionaries now (~0.6 s) rather than on the first
    words a new process looks up. Not needed with a table of format 9 or later, whose lists
    cover every key a default correction reads: what computes a list loads them when it must."""
    inflection.analyses("said")
    inflection.inflect("say", "VBD")
    zipf("said")
    zipf("u.s.")
