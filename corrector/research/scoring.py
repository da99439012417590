"""LM scores of texts under one or more models: per sentence and per corpus, side by side.

Sentences come from :func:`corrector.text.tokens.split_sentences`; each is scored by
:meth:`corrector.lm.kenlm.KenlmModel.score_sentence` with ``<s>``/``</s>``, so numbers equal KenLM's
own ``Model.score`` on the model's token forms. Perplexity counts ``</s>`` as a predicted token
(KenLM's ``query`` convention).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corrector.defaults import default_model_dir
from corrector.lm.base import perplexity
from corrector.lm.kenlm import KenlmModel
from corrector.text.tokens import split_sentences


@dataclass(frozen=True, slots=True)
class NamedModel:
    name: str
    model: KenlmModel

    def signature(self) -> str:
        sha = str(self.model.manifest.get("sha256", "")) or "file"
        case = "lc" if self.model.lowercase else "cased"
        return f"{self.name}=model:{sha[:12]}|order:{self.model.order}|case:{case}"


def load_models(specs: Sequence[str | Path]) -> list[NamedModel]:
    """Models from directories (model.bin + manifest), KenLM binaries or ARPA files; none given:
    the default model."""
    out: list[NamedModel] = []
    used: set[str] = set()
    for spec in specs or [default_model_dir()]:
        path = Path(spec)
        name = path.name if path.is_dir() else path.stem
        base, k = name, 2
        while name in used:  # models/a/model.bin and models/b/model.bin both named "model"
            name, k = f"{base}{k}", k + 1
        used.add(name)
        out.append(NamedModel(name, KenlmModel(path)))
    return out


@dataclass(frozen=True, slots=True)
class SentenceRow:
    """One sentence and its score under each model (same order as the models)."""

    doc: str
    index: int
    text: str
    tokens: int
    logprob: tuple[float, ...]
    oov: tuple[int, ...]

    def perplexity(self, m: int) -> float:
        return perplexity(self.logprob[m], self.tokens + 1)


def score_texts(models: Sequence[NamedModel], docs: Iterable[tuple[str, str]]) -> list[SentenceRow]:
    rows = []
    for doc_id, text in docs:
        for index, sentence in enumerate(split_sentences(text)):
            words = sentence.words
            scores = [m.model.score_sentence(words) for m in models]
            rows.append(SentenceRow(doc_id, index, text[sentence.start : sentence.end], len(words),
                                    tuple(s.logprob for s in scores), tuple(s.oov for s in scores)))
    return rows


@dataclass(frozen=True, slots=True)
class CorpusRow:
    """Totals for one model over a set of sentences."""

    model: str
    sentences: int
    tokens: int
    oov: int
    logprob: float

    @property
    def perplexity(self) -> float:
        return perplexity(self.logprob, self.tokens + self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "sentences": self.sentences, "tokens": self.tokens, "oov": self.oov,
                "logprob": self.logprob, "perplexity": self.perplexity}


def corpus_rows(models: Sequence[NamedModel], rows: Sequence[SentenceRow]) -> list[CorpusRow]:
    return [
        CorpusRow(m.name, len(rows), sum(r.tokens for r in rows), sum(r.oov[i] for r in rows),
                  sum(r.logprob[i] for r in rows))
        for i, m in enumerate(models)
    ]


def sentence_records(models: Sequence[NamedModel], rows: Sequence[SentenceRow]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        record: dict[str, Any] = {"doc": row.doc, "sentence": row.index, "tokens": row.tokens}
        for i, m in enumerate(models):
            record[f"{m.name}.logprob"] = round(row.logprob[i], 4)
            record[f"{m.name}.oov"] = row.oov[i]
            record[f"{m.name}.ppl"] = round(row.perplexity(i), 2)
        record["text"] = row.text
        out.append(record)
    return out


def render(records: Sequence[dict[str, Any]], fmt: str, float_digits: int = 2) -> str:
    """Records (same keys) as an aligned ``table``, ``csv`` or ``json`` (JSON lines)."""
    if not records:
        return ""
    keys = list(records[0])
    if fmt == "json":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return buf.getvalue()

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.{float_digits}f}"
        text = str(value)
        return text if len(text) <= 60 else text[:57] + "..."

    cells = [[cell(r[k]) for k in keys] for r in records]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    numeric = [all(isinstance(r[k], int | float) for r in records) for k in keys]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(keys), *(line(c) for c in cells)]) + "\n"


def plot_perplexities(series: dict[str, Sequence[float]], out: str | Path, title: str = "") -> Path:
    """Per-sentence perplexity distributions, one box + strip per series, log scale, to a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(series)
    fig, ax = plt.subplots(figsize=(max(4.0, 1.6 * len(names) + 2), 4.5))
    data = [np.asarray(series[n], dtype=float) for n in names]
    ax.boxplot(data, showfliers=False)
    ax.set_xticks(range(1, len(names) + 1), names, rotation=20, ha="right")
    rng = np.random.default_rng(0)  # fixed jitter: the same data draws the same picture
    for i, values in enumerate(data, 1):
        ax.scatter(i + rng.uniform(-0.15, 0.15, len(values)), values, s=8, alpha=0.5)
        if len(values):
            ax.annotate(f"median {np.median(values):.0f}", (i, float(np.median(values))), fontsize=7,
                        xytext=(18, 0), textcoords="offset points")
    ax.set_yscale("log")
    ax.set_ylabel("per-sentence perplexity (log scale)")
    ax.set_title(title or "sentence perplexity")
    fig.tight_layout()
    out = Path(out)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
