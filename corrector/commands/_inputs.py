"""Options of the commands that read documents (correct, adapt, spin, score, compare): one set of
flags with one meaning and one default everywhere, read by :mod:`corrector.batch.readers`."""

from __future__ import annotations

import argparse
from pathlib import Path

from corrector.batch.readers import DEFAULT_TEXT_FIELD, INPUT_FORMATS, read_documents


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """``--lines``, ``--text-field`` and ``--input-format``."""
    parser.add_argument(
        "--lines", action="store_true", help="each line of a .txt input is a document (default: each file)"
    )
    parser.add_argument(
        "--text-field",
        default=DEFAULT_TEXT_FIELD,
        help=f"JSONL key / CSV column holding the text (default: {DEFAULT_TEXT_FIELD})",
    )
    parser.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default="auto",
        help="reader for every input (default: from the suffix; stdin is sniffed)",
    )


def add_scoring_arguments(parser: argparse.ArgumentParser) -> None:
    """The LMs and the output of ``score`` and ``compare``."""
    parser.add_argument("--model", action="append", default=[], metavar="PATH",
                        help="model dir, KenLM binary or ARPA file (repeatable; default: models/default)")
    add_input_arguments(parser)
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")
    parser.add_argument("--plot", type=Path, metavar="PNG", help="draw per-sentence perplexity distributions")


def input_documents(args: argparse.Namespace, inputs: list[str]) -> list[tuple[str, str]]:
    """(id, text) of the documents of ``inputs`` as the options above say."""
    documents = read_documents(
        inputs, text_field=args.text_field, lines=args.lines, input_format=args.input_format
    )
    return [(record.id, record.text) for record in documents]  # type: ignore[misc]
