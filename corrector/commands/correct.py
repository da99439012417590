"""``corrector correct``: restore spun text in files, feeds or stdin, in batch.

Output is JSONL, one record per input record in input order (DESIGN §4); records that cannot be read or
restored carry ``error`` (``restored`` is null), so nothing is silently dropped. Exit status: 0 when the
run completed (even if some records have errors; see the summary), 1 on a fatal error (unreadable input,
model that cannot be loaded, mismatched checkpoint), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from corrector.batch.executors import make_executor
from corrector.batch.job import (
    DEFAULT_CHUNK_RECORDS,
    DEFAULT_FACTORY,
    BatchJob,
    CorrectorSpec,
    run_batch,
)
from corrector.batch.readers import DEFAULT_MAX_CHARS, STDIN
from corrector.batch.writers import OUTPUT_FORMATS, render_diff
from corrector.commands._inputs import add_input_arguments
from corrector.commands._options import (
    add_channel_arguments,
    add_decoder_arguments,
    add_engine_arguments,
    channel_overrides,
    decoder_overrides,
    positive,
)

NAME = "correct"
# Sentences `--adapt` learns from: the adapt benchmark's 10k feed gave +35 fix points.
ADAPT_SENTENCES = 10_000
MIN_ADAPT_SENTENCES = 1_000  # the benchmark's smallest feed (+8.6 fix points); one article hurt
# `--fast` for every run of this environment (scripts, test suites that build their own models).
FAST_ENV = "CORRECTOR_FAST"
HELP = "Restore spun text: .txt, .jsonl[.gz], .csv, RSS/Atom .xml, directories, globs or - (stdin)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs",
        nargs="*",
        default=["-"],
        metavar="INPUT",
        help="input files, directories or globs; - or nothing reads stdin",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="output file (.jsonl, or .jsonl.gz to compress); default stdout",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="the n-gram decoder alone (~14,000 words/s): no neural teacher, one pass "
        f"(also ${FAST_ENV}=1). The default, when the neural model is installed and no --neural, "
        "--adapt or --spinner is given: a first pass gathers the input's pair evidence, the neural "
        "teacher decides its pair types, the n-gram decoder applies them",
    )
    parser.add_argument(
        "--group-by",
        default="site",
        metavar="site|document|none|FIELD",
        help="which records share a spinner, for the default path: each group's pair types are "
        "decided as a feed of its own, since one site's spinner is not another's. site (default): "
        "a record's 'site' field (or 'sitename', 'hostname', 'source_domain'), else the host of "
        "its 'url', 'source_url' or 'link' (records without any are one group); document: each "
        "record alone, as a single article; none: the "
        "whole input is one feed; FIELD: that field",
    )
    add_decoder_arguments(parser)
    add_channel_arguments(parser)
    add_engine_arguments(parser, "restoration")
    adapting = parser.add_argument_group("learning the feed's spinner first (`corrector adapt`)")
    adapting.add_argument(
        "--adapt",
        action="store_true",
        help="learn the spinner from these inputs (EM over their first sentences), then restore with it",
    )
    adapting.add_argument(
        "--adapt-method",
        choices=("auto", "em", "pairs"),
        default="auto",
        help="pairs: one pass over all the inputs deciding each pair type (safe on small feeds); "
        f"em: EM over the first --adapt-sentences (helps from ~{MIN_ADAPT_SENTENCES:,} sentences); "
        "auto: pairs, then EM if the inputs hold that many sentences",
    )
    adapting.add_argument(
        "--adapt-sentences",
        type=positive,
        default=ADAPT_SENTENCES,
        help="sentences of the inputs EM reads (default: %(default)s)",
    )
    adapting.add_argument(
        "--adapt-spinner",
        type=Path,
        default=None,
        metavar="SPINNER.json",
        help="where the learned spinner is kept (default: OUT.spinner.json; without -o, a temporary "
        "file removed when the run ends); --resume reuses a finished one",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue an interrupted run from OUT.checkpoint (needs -o)"
    )
    parser.add_argument(
        "--resume-changed-input",
        action="store_true",
        help="with --resume: continue even though the input's content changed since the checkpoint "
        "(the records already written are kept as they are)",
    )
    parser.add_argument(
        "--spool",
        type=Path,
        default=None,
        metavar="FILE",
        help="copy standard input to FILE first and read it from there, so the run can be resumed "
        "(--resume reads FILE again, not stdin)",
    )
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    shown.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    add_input_arguments(parser)
    parser.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        default="jsonl",
        help="jsonl records, or the restored text only (one record per line)",
    )
    parser.add_argument(
        "--show",
        action="store_true",
        help="print a human diff view with edits marked to stdout (instead of the "
        "records unless -o is given)",
    )
    parser.add_argument(
        "--max-chars",
        type=positive,
        default=DEFAULT_MAX_CHARS,
        help="longer texts become error records (default: %(default)s)",
    )
    parser.add_argument(
        "--chunk-size",
        type=positive,
        default=DEFAULT_CHUNK_RECORDS,
        help="records per unit of work sent to a worker (default: %(default)s)",
    )
    # Test/benchmark hook: build the corrector with another `module:callable` of the same contract.
    parser.add_argument("--corrector-factory", default=DEFAULT_FACTORY, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    # A run's own temporary files (stdin's copy for the two passes, the decisions of a run
    # without -o) live in one directory that goes with the run, even when it fails.
    with tempfile.TemporaryDirectory(prefix="corrector-") as scratch:
        return _run(args, Path(scratch))


def _run(args: argparse.Namespace, scratch: Path) -> int:
    if args.resume and args.output is None:
        raise ValueError("--resume needs an output file (-o)")
    if args.resume_changed_input and not args.resume:
        raise ValueError("--resume-changed-input only applies with --resume")
    started = time.perf_counter()
    overrides = {**decoder_overrides(args), **channel_overrides(args)}
    mode = restoration_mode(args, overrides)
    spool = None if args.spool is None else str(args.spool)
    if mode == "taught":
        spool = _spool_for_two_passes(args, scratch)
        from corrector.candidates.spinner import leaves_documents_open

        learned = learn_taught_spinner(args, spool, scratch)
        overrides["spinner"] = str(learned)
        # Pass 2 is the n-gram decoder's; in a feed of several documents the teacher decided the
        # recurring forms, and judges each document's others as pass 2 reaches it.
        if leaves_documents_open(learned):
            overrides["neural"] = "default"
    elif args.adapt:
        overrides["spinner"] = str(learn_feed_spinner(args, scratch))
        overrides.pop("neural", None)
    spec = CorrectorSpec.create(args.model, factory=args.corrector_factory, **overrides)
    job = BatchJob(
        inputs=tuple(args.inputs),
        output=None if args.output is None else str(args.output),
        spec=spec,
        text_field=args.text_field,
        lines=args.lines,
        input_format=args.input_format,
        output_format=args.output_format,
        max_chars=args.max_chars,
        spool=spool,
        group_by=args.group_by if mode == "taught" else "none",
    )
    executor = make_executor(args.engine, args.workers, args.scheduler)
    progress = not args.quiet and (args.progress or (args.progress is None and sys.stderr.isatty()))

    show = None
    if args.show:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ

        def show(out: dict) -> None:  # type: ignore[no-redef]
            # a lone surrogate (from a JSON escape) has no UTF-8 form: shown as its escape
            view = render_diff(out, colour).encode("utf-8", "backslashreplace").decode("utf-8")
            sys.stdout.write(view)

    stats = run_batch(
        job,
        executor,
        resume=args.resume,
        resume_changed_input=args.resume_changed_input,
        progress=progress,
        show=show,
        chunk_size=args.chunk_size,
        spooled=mode == "taught",
    )
    if not args.quiet:
        where = f" → {args.output}" if args.output else ""
        print(f"corrector correct: {stats.summary()}{where}", file=sys.stderr)
        if mode == "taught" or args.adapt:
            seconds = time.perf_counter() - started
            print(
                f"corrector correct: both passes and the teacher took {seconds:.1f} s = "
                f"{stats.words / max(seconds, 1e-9):,.0f} words/s",
                file=sys.stderr,
            )
    return 0


def restoration_mode(args: argparse.Namespace, overrides: dict[str, Any]) -> str:
    """``fast``: the n-gram decoder alone; ``taught``: the default when the neural model is
    installed (two passes, the neural teacher deciding the input's pair types in between);
    ``explicit``: what --neural, --adapt or --spinner ask for."""
    if args.fast:
        if "neural" in overrides or args.adapt:
            raise ValueError("--fast is the n-gram decoder alone: drop --neural and --adapt")
        return "fast"
    if "neural" in overrides or args.adapt or "spinner" in overrides:
        return "explicit"
    if os.environ.get(FAST_ENV, "") not in ("", "0"):
        return "fast"  # the environment's default; explicit flags above still win
    from corrector.lm.neural import default_neural_model

    try:
        installed = default_neural_model().is_file()
    except FileNotFoundError:
        installed = False
    return "taught" if installed else "fast"


def _spool_for_two_passes(args: argparse.Namespace, scratch: Path) -> str | None:
    """The default path reads its input twice: standard input is copied to ``--spool`` (or a
    file in the run's ``scratch`` directory) first. None when no input is stdin."""
    if STDIN not in args.inputs and args.inputs:
        if args.spool is not None:
            raise ValueError("--spool copies standard input, but no input is - (stdin)")
        return None
    from corrector.batch.job import RESUME_STDIN_MESSAGE, spool_stdin

    if args.resume and args.spool is None:
        raise ValueError(RESUME_STDIN_MESSAGE)
    path = str(args.spool if args.spool is not None else scratch / "stdin")
    spool_stdin(path, None, reuse=args.resume)
    return path


def learn_taught_spinner(args: argparse.Namespace, spool: str | None, scratch: Path) -> Path:
    """Pass 1 of the default path: the input's pair evidence (n-gram), then the neural teacher's
    decisions for its most probable pair types, written as a spinner file that pass 2 applies.

    A spinner is a fixed dictionary, so each pair type is decided once from every occurrence the
    input holds (a single article is a feed of one); the neural cost is per pair type, bounded
    per run (:data:`corrector.restore.teacher.FEED_TYPES`)."""
    from corrector.candidates.spinner import read_spinner

    path = _spinner_path(args, scratch)
    if args.resume and path.exists() and not read_spinner(path).get("meta", {}).get("partial"):
        return path  # the interrupted run's decisions: the same channel again
    # min_occurrences None: by each group's size (restore.pairs.feed_min_occurrences).
    _learn_decisions(args, path, neural="default", min_occurrences=None, spool=spool, group_by=args.group_by)
    return path


def _spinner_path(args: argparse.Namespace, scratch: Path) -> Path:
    """Where a run's learned spinner is kept: --adapt-spinner, OUT.spinner.json, or for this run
    only, in its ``scratch`` directory."""
    if args.adapt_spinner is not None:
        return Path(args.adapt_spinner)
    if args.output is not None:
        return Path(f"{args.output}.spinner.json")
    return scratch / "spinner.json"


def learn_feed_spinner(args: argparse.Namespace, scratch: Path) -> Path:
    """``corrector adapt`` over this run's own inputs; the path of the spinner it learned.

    A feed is the best evidence of what its spinner does (a spun form in excess, its original
    missing), so the feed itself trains the channel before a second pass restores it."""
    from corrector.adapt.em import AdaptConfig
    from corrector.adapt.learn import learn_spinner, log_to_stderr
    from corrector.candidates.spinner import read_spinner

    if args.spinner is not None:
        raise ValueError("--adapt learns the spinner: it cannot be combined with --spinner")
    if STDIN in args.inputs or not args.inputs:
        raise ValueError("--adapt reads the inputs twice: give files, not stdin")
    path = _spinner_path(args, scratch)
    if args.resume and path.exists() and _finished(read_spinner(path).get("meta", {}), args.adapt_method):
        return path  # a finished spinner from the interrupted run: the same channel again
    if args.adapt_method in ("auto", "pairs"):
        decisions = _learn_decisions(args, path)
        if args.adapt_method == "pairs" or decisions["meta"]["sentences"] < MIN_ADAPT_SENTENCES:
            return path  # adaptation never hurts: a feed too small for EM keeps its pair decisions
    document, _ = learn_spinner(
        args.inputs,
        path,
        AdaptConfig(workers=args.workers, engine=args.engine, scheduler=args.scheduler),
        text_field=args.text_field,
        lines=args.lines,
        input_format=args.input_format,
        model_dir=args.model,
        learned=channel_overrides(args).get("learned"),
        max_sentences=args.adapt_sentences,
        log=None if args.quiet else log_to_stderr,
    )
    sentences = int(document.get("meta", {}).get("sentences", 0))
    if not args.quiet:
        learned_from = f"{sentences:,} sentences"
        print(f"corrector correct: learned the feed's spinner from {learned_from} → {path}", file=sys.stderr)
        if sentences < MIN_ADAPT_SENTENCES:
            print(
                f"corrector correct: warning: adaptation was measured to help from ~{MIN_ADAPT_SENTENCES:,} "
                "sentences of one spinner's output; on fewer it can cost accuracy",
                file=sys.stderr,
            )
    return path


def _finished(meta: dict[str, Any], method: str) -> bool:
    """Whether a spinner file left by an interrupted run is the one this run would end with."""
    from corrector.candidates.spinner import DECISIONS_METHOD

    if meta.get("partial"):
        return False  # EM stopped between iterations
    # auto: pass 1's decisions are final only for a feed too small for EM to follow.
    em_follows = meta.get("method") == DECISIONS_METHOD and meta.get("sentences", 0) >= MIN_ADAPT_SENTENCES
    return not (method == "auto" and em_follows)


def _learn_decisions(
    args: argparse.Namespace,
    path: Path,
    neural: str | None = None,
    min_occurrences: int | None = 2,
    spool: str | None = None,
    group_by: str = "none",
) -> dict[str, Any]:
    """Pass 1 of a two-pass run: the feed's pair decisions (by the neural teacher with ``neural``),
    written to ``path`` at the end (atomically, so --resume never reuses a half-learned file)."""
    from corrector.adapt.learn import learn_decisions, log_to_stderr

    overrides = {**decoder_overrides(args), **channel_overrides(args)}
    if neural is not None:
        overrides["neural"] = neural
    spec = CorrectorSpec.create(args.model, factory=args.corrector_factory, **overrides)
    document, decided = learn_decisions(
        args.inputs,
        path,
        spec,
        make_executor(args.engine, args.workers, args.scheduler),
        resume=args.resume,
        min_occurrences=min_occurrences,
        text_field=args.text_field,
        lines=args.lines,
        input_format=args.input_format,
        spool=spool,
        group_by=group_by,
        log=None if args.quiet else log_to_stderr,
    )
    if not args.quiet:
        words = document["meta"]["feed_words"]
        who = "the neural teacher decided" if neural is not None else "decided"
        changed = sum(not d.kept for d in decided)
        learned = f"{who} {changed} pair type{'' if changed == 1 else 's'}"
        if len(decided) > changed:
            kept = len(decided) - changed
            learned += f" and kept {kept} spun form{'' if kept == 1 else 's'}"
        learned += f" from {words:,} words"
        if "groups" in document:
            learned += f" in {len(document['groups'])} groups (--group-by {group_by})"
        kept_at = (
            f"→ {path}" if args.output is not None or args.adapt_spinner is not None
            else "(for this run only: -o or --adapt-spinner keeps them)"
        )
        fast = "; --fast skips the teacher" if neural is not None else ""
        print(f"corrector correct: {learned} {kept_at}{fast}", file=sys.stderr)
    return document
