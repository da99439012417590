"""Write a learned spinner: the ``corrector-spinner/1`` file and learn-pairs tables merged into it.

The file is JSON with one pair per line, so it reads (and diffs) as a table::

    {"format": "corrector-spinner/1", "meta": {...}, "iterations": [...],
     "pairs": [{"spun", "original", "prob", "count", "prior"}, ...],
     "keep": {original: {"keep", "count"}, ...}}

:mod:`corrector.candidates.spinner` reads it back and applies it to lattices.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corrector.candidates.spinner import DECISIONS_METHOD, FORMAT
from corrector.files import atomic_file

if TYPE_CHECKING:
    from corrector.adapt.em import AdaptResult
    from corrector.restore.pairs import PairDecision


def spinner_document(result: AdaptResult, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``corrector-spinner/1`` document for ``result``."""
    return {
        "format": FORMAT,
        "meta": {
            "sentences": result.sentences,
            "feed_words": result.feed_words,
            "prior_strength": result.config.prior_strength,
            "candidates": [result.config.max_candidates, result.config.deep_candidates],
            "e_step_lm": "bigram",
            **(meta or {}),
        },
        "iterations": [
            {"iteration": r.iteration, "loglik": round(r.loglik, 3), "perplexity": round(r.perplexity, 3)}
            for r in result.iterations
        ],
        "pairs": [
            {k: (round(v, 6) if isinstance(v, float) else v) for k, v in p.items()} for p in result.pairs()
        ],
        "keep": {o: {k: round(v, 6) for k, v in d.items()} for o, d in result.keeps().items()},
    }


def decisions_document(
    decisions: Iterable[PairDecision],
    meta: dict[str, Any] | None = None,
    recurring: Iterable[str] = (),
) -> dict[str, Any]:
    """The ``corrector-spinner/1`` document of a feed's pair decisions (best first): ``prob`` is
    each pair's posterior, ``count`` its occurrences; no keep table (other spans stay generic).
    ``recurring``: a feed teacher's forms proposed often enough to be decided (sorted; absent when
    empty), so that ``--spinner`` with ``--neural`` leaves each document the others, as the run did."""
    document = {
        "format": FORMAT,
        "meta": {"method": DECISIONS_METHOD, **(meta or {})},
        "iterations": [],
        "pairs": [d.to_dict() for d in decisions],
        "keep": {},
    }
    if recurring:
        document["recurring"] = sorted(recurring)
    return document


def grouped_document(
    group_by: str, meta: dict[str, Any], groups: Iterable[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """One file of several feeds' decisions (``corrector correct --group-by``): ``meta`` the whole
    input's, and per group (in order of first appearance) its own decisions document's ``meta``,
    ``pairs`` and ``recurring``. ``--spinner`` applies each group's to its records
    (:func:`corrector.candidates.spinner.group_document`)."""
    document = decisions_document((), {**meta, "group_by": group_by})
    document["groups"] = [
        {"group": key, **{k: v for k, v in own.items() if k in ("meta", "pairs", "recurring")}}
        for key, own in groups
    ]
    return document


def write_spinner(path: str | Path, document: dict[str, Any]) -> None:
    """JSON with one pair per line, so the file reads (and diffs) as a table."""
    lines = ["{"]
    lines.append(f'  "format": {json.dumps(document["format"])},')
    lines.append(f'  "meta": {json.dumps(document.get("meta", {}), sort_keys=True)},')
    iterations = document.get("iterations", [])
    lines.append('  "iterations": [' + ("" if iterations else "],"))
    for i, item in enumerate(iterations):
        lines.append("    " + json.dumps(item) + ("," if i < len(iterations) - 1 else ""))
    if iterations:
        lines.append("  ],")
    pairs = document.get("pairs", [])
    lines.append('  "pairs": [' + ("" if pairs else "],"))
    for i, pair in enumerate(pairs):
        lines.append("    " + json.dumps(pair, ensure_ascii=False) + ("," if i < len(pairs) - 1 else ""))
    if pairs:
        lines.append("  ],")
    keep = document.get("keep", {})
    lines.append('  "keep": {' + ("" if keep else "}"))
    items = list(keep.items())
    for i, (original, value) in enumerate(items):
        sep = "," if i < len(items) - 1 else ""
        lines.append(f"    {json.dumps(original, ensure_ascii=False)}: {json.dumps(value)}{sep}")
    if keep:
        lines.append("  }")
    if "recurring" in document:
        lines[-1] += ","
        lines.append(f'  "recurring": {json.dumps(document["recurring"], ensure_ascii=False)}')
    if "groups" in document:
        # A group a line of its header, then its pairs one per line, as the file's own.
        lines[-1] += ","
        lines.append('  "groups": [')
        for g, group in enumerate(document["groups"]):
            head = {k: v for k, v in group.items() if k != "pairs"}
            lines.append("    " + json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1] + ', "pairs": [')
            pairs = group.get("pairs", [])
            for i, pair in enumerate(pairs):
                sep = "," if i < len(pairs) - 1 else ""
                lines.append("      " + json.dumps(pair, ensure_ascii=False) + sep)
            lines.append("    ]}" + ("," if g < len(document["groups"]) - 1 else ""))
        lines.append("  ]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # never write a file we cannot read back
    # A checkpoint rewritten every iteration is never seen half-written.
    with atomic_file(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def read_pair_counts(path: str | Path) -> list[tuple[str, str, float]]:
    """(spun, original, count) rows of a learn-pairs table or a spinner file.

    Accepts a spinner file, JSON (a list of objects or ``{"pairs": [...]}``), JSONL, or TSV
    ``spun<TAB>original<TAB>count`` (a header line is skipped)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    rows: list[dict[str, Any]]
    if path.suffix in {".tsv", ".txt"}:
        rows = []
        for line in text.splitlines():
            fields = line.split("\t")
            if line.startswith("#") or len(fields) < 2 or fields[0] == "spun":
                continue
            rows.append(
                {
                    "spun": fields[0],
                    "original": fields[1],
                    "count": float(fields[2]) if len(fields) > 2 else 1.0,
                }
            )
    elif path.suffix == ".jsonl":
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        data = json.loads(text)
        rows = data["pairs"] if isinstance(data, dict) else data
    return [
        (str(r["spun"]).lower(), str(r["original"]).lower(), float(r.get("count", 1.0)))
        for r in rows
        if r.get("spun") and r.get("original")
    ]


def merge_pairs(
    spinner: dict[str, Any], learned: Iterable[tuple[str, str, float]], weight: float = 1.0
) -> dict[str, Any]:
    """A spinner document with learn-pairs counts added (``weight`` scales them) and θ recomputed.

    Supervised pairs and expected counts are the same kind of evidence, so merging is adding
    counts and renormalising per original over {keep} ∪ its spun forms."""
    counts: dict[tuple[str, str], float] = {
        (p["spun"], p["original"]): float(p["count"]) for p in spinner["pairs"]
    }
    keep = {o: dict(v) for o, v in spinner.get("keep", {}).items()}
    for spun, original, count in learned:
        counts[(spun, original)] = counts.get((spun, original), 0.0) + weight * count
    per_original: dict[str, float] = {}
    for (_, original), count in counts.items():
        per_original[original] = per_original.get(original, 0.0) + count
    pairs = []
    for (spun, original), count in counts.items():
        kept = keep.get(original, {}).get("count", 0.0)
        pairs.append(
            {
                "spun": spun,
                "original": original,
                "prob": count / (per_original[original] + kept),
                "count": count,
            }
        )
    for original, total in per_original.items():
        kept = keep.get(original, {}).get("count", 0.0)
        keep[original] = {"keep": kept / (total + kept) if total + kept else 0.0, "count": kept}
    pairs.sort(key=lambda p: (-p["count"], p["spun"], p["original"]))
    merged = dict(spinner)
    merged["pairs"] = [{k: (round(v, 6) if isinstance(v, float) else v) for k, v in p.items()} for p in pairs]
    merged["keep"] = {o: {k: round(v, 6) for k, v in d.items()} for o, d in sorted(keep.items())}
    merged["meta"] = {**spinner.get("meta", {}), "merged_learned_pairs": True}
    return merged
