"""``corrector evaluate``: score restorations of (spun, original) pairs (DESIGN §5).

Without ``--restored`` the current model restores every ``spun`` text; with it, a given output
(JSONL records with ``id`` and ``restored``, e.g. from ``corrector correct``) is scored.
``--compare`` runs a paired bootstrap against another output. ``--oracle`` scores the lattice
oracle instead (:mod:`corrector.research.oracle`): the best restoration the candidates make reachable, the
ceiling of any decoder on them. The last line is a signature that pins the metric, the model and
the version (like sacrebleu's).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corrector.batch.readers import read_documents, read_records
from corrector.commands._options import (
    add_channel_arguments,
    add_decoder_arguments,
    channel_overrides,
    decoder_overrides,
)
from corrector.research.metrics import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_SEED,
    METRIC_NAMES,
    PairStats,
    bootstrap_ci,
    corpus_score,
    pair_stats,
    paired_bootstrap,
    scores_from_counts,
    signature,
)

NAME = "evaluate"
HELP = "Fix/broken rate, ERR and edit P/R/F0.5 of restorations against original texts."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pairs", type=Path, required=True, help="JSONL with id, spun, original")
    parser.add_argument("--restored", type=Path, help="JSONL with id, restored (default: run the model)")
    parser.add_argument("--compare", type=Path, help="another restored JSONL: paired bootstrap A − B")
    add_decoder_arguments(parser)
    add_channel_arguments(parser)
    parser.add_argument(
        "--oracle",
        action="store_true",
        help="score the lattice oracle: the best path through the candidates, chosen knowing the original "
        "(the candidates' ceiling; with --max-candidates N, the ceiling at that cap)",
    )
    parser.add_argument("--save-restored", type=Path, help="write the model's restorations here (JSONL)")
    parser.add_argument("--details", action="store_true", help="per-pair rows")
    parser.add_argument("--by", metavar="FIELD", help="also score groups of pairs by this field")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--bootstrap", type=int, default=DEFAULT_BOOTSTRAP, help="resamples (0 = no CIs)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="bootstrap seed")


def read_pairs(path: Path) -> list[dict[str, Any]]:
    """Pairs ``{"id", "spun", "original", other fields}``, with ids as every command reads them."""
    pairs = []
    for record in read_documents([str(path)], text_field="spun", keep_empty=True):
        if "original" not in record.fields:
            raise ValueError(f"{record.id}: missing original")
        pairs.append({**record.fields, "id": record.id, "spun": record.text})
    return pairs


def read_restored(path: Path, pairs: Sequence[dict[str, Any]]) -> list[str]:
    """Restored texts in pair order, matched by ``id`` (``text`` accepted for plain outputs)."""
    by_id: dict[str, str] = {}
    for record in read_records([str(path)], text_field="restored"):
        text = record.text if record.text is not None else record.fields.get("text")
        if not isinstance(text, str):
            raise ValueError(f"{record.id}: need a restored text ({record.error})")
        by_id[record.id] = text
    missing = [str(p["id"]) for p in pairs if str(p["id"]) not in by_id]
    if missing:
        raise ValueError(f"{path}: no restoration for {len(missing)} pairs (e.g. {missing[0]})")
    return [by_id[str(p["id"])] for p in pairs]


def restore_with_model(args: argparse.Namespace, pairs: Sequence[dict[str, Any]]) -> tuple[list[str], dict]:
    from corrector import Corrector  # lazy: metrics work without the model stack

    overrides: dict[str, Any] = {**decoder_overrides(args), **channel_overrides(args)}
    corrector = Corrector.load(model_dir=args.model, **overrides)
    if getattr(args, "oracle", False):
        from corrector.research.oracle import oracle_restoration

        texts = [oracle_restoration(p["spun"], corrector.lattices(p["spun"]), p["original"]) for p in pairs]
        return texts, {"sys": "oracle", **corrector.signature_fields(decoding=False)}
    texts = [corrector.correct(p["spun"]).text for p in pairs]
    return texts, dict(corrector.signature_fields())


def _fmt(value: float) -> str:
    return f"{value:6.3f}"


def run(args: argparse.Namespace) -> int:
    pairs = read_pairs(args.pairs)
    if args.restored and args.oracle:
        raise SystemExit("corrector evaluate: --oracle scores the model's lattices, not --restored output")
    if args.restored:
        restored = read_restored(args.restored, pairs)
        system = {"sys": args.restored.name}
    else:
        restored, system = restore_with_model(args, pairs)
        if args.save_restored:
            with open(args.save_restored, "w", encoding="utf-8") as out:
                for pair, text in zip(pairs, restored, strict=True):
                    out.write(json.dumps({"id": pair["id"], "restored": text}, ensure_ascii=False) + "\n")
    stats = [pair_stats(p["spun"], p["original"], r) for p, r in zip(pairs, restored, strict=True)]
    sig = signature(system, pairs=args.pairs.name, bootstrap=args.bootstrap, seed=args.seed)
    result: dict[str, Any] = {"score": corpus_score(stats).to_dict(), "signature": sig}
    if args.bootstrap > 0:
        result["ci95"] = bootstrap_ci(stats, args.bootstrap, args.seed)
    if args.by:
        groups: dict[str, list[PairStats]] = {}
        for pair, st in zip(pairs, stats, strict=True):
            groups.setdefault(str(pair.get(args.by, "")), []).append(st)
        result["by"] = {args.by: {k: corpus_score(v).to_dict() for k, v in sorted(groups.items())}}
    if args.details:
        result["details"] = [
            {"id": p["id"], **{k: float(v) for k, v in scores_from_counts(st.as_tuple()).items()},
             "counts": st.to_dict(), "restored": r}
            for p, st, r in zip(pairs, stats, restored, strict=True)
        ]
    if args.compare:
        other = read_restored(args.compare, pairs)
        other_stats = [pair_stats(p["spun"], p["original"], r) for p, r in zip(pairs, other, strict=True)]
        result["compare"] = {
            "a": system.get("sys", "model"),
            "b": args.compare.name,
            "metrics": [c.to_dict() for c in paired_bootstrap(stats, other_stats, max(args.bootstrap, 1),
                                                               args.seed)],
        }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_report(result, args.by)
    return 0


def print_report(result: dict[str, Any], by: str | None, file: Any = sys.stdout) -> None:
    score = result["score"]
    ci = result.get("ci95", {})
    counts = score["counts"]
    print(f"pairs {score['pairs']}  spun tokens changed {counts['changed']}, unchanged {counts['unchanged']}"
          f"  gold edits {counts['gold_edits']}, system edits {counts['sys_edits']}", file=file)
    print(f"{'metric':10s} {'value':>6s}   95% CI", file=file)
    for name in METRIC_NAMES:
        bounds = ci.get(name)
        interval = f"[{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds else ""
        print(f"{name:10s} {_fmt(score[name])}   {interval}", file=file)
    if by and "by" in result:
        print(f"\nby {by}:", file=file)
        print(f"{'group':16s} {'pairs':>5s} " + " ".join(f"{n:>9s}" for n in METRIC_NAMES), file=file)
        for group, sc in result["by"][by].items():
            print(f"{group[:16]:16s} {sc['pairs']:5d} " + " ".join(f"{sc[n]:9.3f}" for n in METRIC_NAMES),
                  file=file)
    if "details" in result:
        header = f"{'id':14s} {'changed':>7s} {'fixed':>5s} {'kept':>5s} {'broken':>6s} {'ERR':>7s}"
        print(f"\n{header}", file=file)
        for row in result["details"]:
            c = row["counts"]
            print(f"{str(row['id'])[:14]:14s} {c['changed']:7d} {c['fixed']:5d} {c['unchanged']:5d} "
                  f"{c['broken']:6d} {row['err']:7.3f}", file=file)
    if "compare" in result:
        comp = result["compare"]
        print(f"\npaired bootstrap: A={comp['a']}  B={comp['b']}", file=file)
        print(f"{'metric':10s} {'A':>6s} {'B':>6s} {'A-B':>7s}   95% CI of A-B       p", file=file)
        for c in comp["metrics"]:
            lo, hi = c["ci"]
            print(f"{c['metric']:10s} {_fmt(c['a'])} {_fmt(c['b'])} {c['delta']:7.3f}   "
                  f"[{lo:7.3f}, {hi:7.3f}]  {c['p_value']:.3f}", file=file)
    print(result["signature"], file=file)
