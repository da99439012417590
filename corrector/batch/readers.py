"""Readers: stream :class:`Record`s (id, text, pass-through fields) from files, feeds and stdin.

Every command that reads documents (``correct``, ``adapt``, ``spin``, ``score``, ``compare``,
``evaluate``) reads them here, so a file gives the same records and ids everywhere. Readers never
hold more than one record (or one RSS/Atom feed) in memory, and a record that cannot be read becomes
a :class:`Record` with ``error`` set rather than an exception, so that batch correction yields
exactly one output record per input record.

Record ids (deterministic, so reruns and resumes agree):

- ``.jsonl``/``.jsonl.gz``: the record's own ``id`` field when it is a string or an int, else
  ``<file>:<line>`` (1-based line number);
- ``.txt``: ``<file>`` for the whole document, ``<file>:<line>`` with ``lines`` (``--lines``);
- ``.csv``: the ``id`` column when present and non-empty, else ``<file>:<row>`` (1-based data row);
- RSS/Atom ``.xml``: the entry's ``id``/``guid``, else its link, else ``<file>:<entry>`` (1-based);
- ``<file>`` is the path as given on the command line (``-`` for stdin), or the path relative to the
  directory for files found by expanding a directory.

Fields other than the text and ``id`` pass through in :attr:`Record.fields`. A record whose text
could be read but is empty or too long keeps its text and carries ``error``; one that could not be
read has ``text`` None.

Text is kept as read: control characters, lone surrogates (from JSON ``\ud800`` escapes) and CRLF
or CR line ends inside a text are not normalised. For ``.txt`` inputs the framing a record's text
was cut from is kept too, in :attr:`Record.head` (a UTF-8 BOM) and :attr:`Record.tail` (the line end
as read: ``\r\n``, ``\n``, ``\r\n\r\n`` after a whole document, or nothing at the end of the file),
so ``--output-format text`` can write the input's bytes back with only the edits changed.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Any, BinaryIO

INPUT_FORMATS = ("auto", "txt", "jsonl", "csv", "xml")
DEFAULT_TEXT_FIELD = "text"
# A longer line is skipped while reading (never held in memory) and reported as an error record.
DEFAULT_MAX_CHARS = 200_000
STDIN = "-"
# A feed is parsed whole (feedparser): a larger one becomes one error record, unparsed.
MAX_FEED_BYTES = 64 << 20

_SUFFIX_FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".xml": "xml",
    ".rss": "xml",
    ".atom": "xml",
}


@dataclass(frozen=True, slots=True)
class Record:
    """One unit of work: an id, its text, pass-through fields, and an error if it could not be read."""

    id: str
    text: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    head: str = ""  # text output writes head + text + tail (see the module docstring)
    tail: str = "\n"
    whole_file: bool = False  # a text file read whole: an article by itself, in no feed

    @property
    def word_count(self) -> int:
        return len(self.text.split()) if self.text else 0


GROUP_BY_CHOICES = ("site", "document", "none")  # besides any field name
# Where a record names its site, the first present: ours, trafilatura's and news-please's names.
SITE_FIELDS = ("site", "sitename", "hostname", "source_domain")
# Where a record names its page, when it has no site field (newspaper3k's source_url, RSS's link).
URL_FIELDS = ("url", "source_url", "link")


def group_key(record: Record, group_by: str) -> str:
    """The group a record belongs to, i.e. the spinner that wrote it, for ``--group-by``: ``none``,
    one group; ``document``, each record its own (its id: a file, a line, or its ``id`` field);
    ``site``, the record's first :data:`SITE_FIELDS` (``site``, ``sitename``, ``hostname``,
    ``source_domain``), else the host of its first :data:`URL_FIELDS` (``url``, ``source_url``,
    ``link``), else, for a text file read whole, the file (an article alone: nothing says that
    two files share a spinner); any other name, that field (a URL read as its host). A
    record without the field joins the group ``""``: the records of a feed file (JSONL, CSV,
    ``--lines``) that name no site are one feed."""
    if group_by == "none":
        return ""
    if group_by == "document":
        return f"document:{record.id}"
    if group_by == "site":
        named = (record.fields[name] for name in (*SITE_FIELDS, *URL_FIELDS) if record.fields.get(name))
        value = next(named, "")
        if not value and record.whole_file:
            return f"document:{record.id}"
    else:
        value = record.fields.get(group_by, "")
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value).strip()
    if "://" in text:
        from urllib.parse import urlsplit

        with contextlib.suppress(ValueError):  # a malformed URL still names a group: itself
            text = urlsplit(text).hostname or text
    text = text.lower()
    return text[4:] if text.startswith("www.") else text


class InputError(OSError):
    """An input file that cannot be opened or read at all (fatal: the run stops, naming the file)."""


def input_format(path: str, forced: str = "auto") -> str:
    """The reader to use for ``path``: ``forced`` unless it is ``auto``, else from the suffix."""
    if forced != "auto":
        return forced
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = os.path.splitext(name)[1]
    if suffix not in _SUFFIX_FORMATS:
        raise InputError(f"{path}: unknown input type {suffix or '(no suffix)'}; use --input-format")
    return _SUFFIX_FORMATS[suffix]


def expand_inputs(inputs: Iterable[str]) -> list[tuple[str, str]]:
    """``(path, display name)`` pairs: directories are walked (sorted), globs expanded (sorted).

    A directory contributes only files with a known suffix; a missing plain path is kept so that the
    reader fails with a message naming it.
    """
    found: list[tuple[str, str]] = []
    for item in inputs:
        if item == STDIN:
            found.append((STDIN, STDIN))
        elif os.path.isdir(item):
            for root, dirs, files in os.walk(item):
                dirs.sort()
                for name in sorted(files):
                    path = os.path.join(root, name)
                    base = name.lower().removesuffix(".gz")
                    if os.path.splitext(base)[1] in _SUFFIX_FORMATS and not name.startswith("."):
                        found.append((path, os.path.relpath(path, item)))
        elif glob.has_magic(item):
            matches = sorted(p for p in glob.glob(item, recursive=True) if os.path.isfile(p))
            if not matches:
                raise InputError(f"{item}: no files match")
            found.extend((p, p) for p in matches)
        else:
            found.append((item, item))
    return found


def read_records(
    inputs: Iterable[str],
    *,
    text_field: str = DEFAULT_TEXT_FIELD,
    lines: bool = False,
    forced_format: str = "auto",
    max_chars: int = DEFAULT_MAX_CHARS,
    stdin: BinaryIO | None = None,
    stdin_path: str | None = None,
) -> Iterator[Record]:
    """Stream records from every input in order (see the module docstring for ids and errors).
    ``stdin_path``: a file holding a copy of standard input (a spool), read in its place."""
    for path, name in expand_inputs(inputs):
        if path == STDIN and stdin_path is not None:
            with open(stdin_path, "rb") as spooled:
                fmt = forced_format if forced_format != "auto" else None
                yield from _guarded(_read_stream(spooled, name, fmt, text_field, lines, max_chars), name)
            continue
        if path == STDIN:
            raw = stdin if stdin is not None else sys.stdin.buffer
            fmt = forced_format if forced_format != "auto" else None
            yield from _guarded(_read_stream(raw, name, fmt, text_field, lines, max_chars), name)
            continue
        fmt = input_format(path, forced_format)
        try:
            handle = _open_binary(path)
        except OSError as exc:
            raise InputError(f"cannot read input {path}: {exc.strerror or exc}") from exc
        with handle:
            yield from _guarded(_read_stream(handle, name, fmt, text_field, lines, max_chars), name)


class _Unreadable(Exception):
    """The rest of an input cannot be read (raised inside a reader, turned into one error record)."""


def _guarded(records: Iterator[Record], name: str) -> Iterator[Record]:
    """``records``, then, if the input breaks while being read (a truncated or corrupt gzip stream,
    undecodable CSV, a file that is not a feed), one error record ``<file>:unreadable`` for the
    rest of it, so that one broken input does not end a run over many."""
    count = 0
    try:
        for record in records:
            count += 1
            yield record
    except InputError:
        raise  # a usage error (e.g. no such CSV column): fatal, naming the file
    except (_Unreadable, OSError, EOFError, zlib.error) as exc:
        detail = str(exc) or type(exc).__name__
        yield Record(f"{name}:unreadable", None, {}, f"input unreadable after {count:,} records: {detail}")


def read_documents(
    inputs: Iterable[str],
    *,
    text_field: str = DEFAULT_TEXT_FIELD,
    lines: bool = False,
    input_format: str = "auto",
    max_chars: int = DEFAULT_MAX_CHARS,
    strict: bool = True,
    keep_empty: bool = False,
) -> Iterator[Record]:
    """The records of ``inputs`` that hold a text, for commands that read documents rather than
    answer every record: a record whose text could not be read raises :class:`InputError` when
    ``strict``, else is skipped; an empty text (a blank line) is skipped unless ``keep_empty``."""
    for record in read_records(
        inputs, text_field=text_field, lines=lines, forced_format=input_format, max_chars=max_chars
    ):
        if record.text is None:
            if strict:
                raise InputError(f"{record.id}: {record.error}")
            continue
        if keep_empty or record.text.strip():
            yield record


def _open_binary(path: str) -> BinaryIO:
    if os.path.isdir(path):
        raise IsADirectoryError(21, "is a directory", path)
    if path.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _read_stream(
    raw: BinaryIO, name: str, fmt: str | None, text_field: str, lines: bool, max_chars: int
) -> Iterator[Record]:
    buffered = raw if isinstance(raw, io.BufferedReader | gzip.GzipFile) else io.BufferedReader(raw)  # type: ignore[arg-type]
    if fmt is None:
        fmt = _sniff_format(buffered)  # type: ignore[arg-type]
    if fmt == "jsonl":
        yield from _read_jsonl(buffered, name, text_field, max_chars)
    elif fmt == "txt":
        yield from (
            _read_lines(buffered, name, max_chars) if lines else _read_document(buffered, name, max_chars)
        )
    elif fmt == "csv":
        yield from _read_csv(buffered, name, text_field, max_chars)
    elif fmt == "xml":
        yield from _read_feed(buffered, name, max_chars)
    else:
        raise ValueError(f"unknown input format {fmt!r} (choose from {', '.join(INPUT_FORMATS)})")


def _sniff_format(buffered: io.BufferedReader) -> str:
    """For stdin: ``{`` starts JSONL, ``<`` a feed, anything else is text."""
    head = buffered.peek(4096)[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"<"):
        return "xml"
    return "txt"


def _bounded_lines(raw: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None, int, bytes]]:
    """``(line number, line without its line end or None if longer than max_bytes, byte length,
    the line end as read)``.

    An over-long line is consumed in bounded pieces and never held in memory whole.
    """
    number = 0
    while True:
        line = raw.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            length = len(line)
            end = b""
            while True:
                rest = raw.readline(1 << 20)
                length += len(rest)
                if not rest or rest.endswith(b"\n"):
                    end = b"\r\n" if rest.endswith(b"\r\n") else b"\n" if rest else b""
                    length -= rest.endswith(b"\n")
                    break
            yield number, None, length, end
            continue
        body = line.rstrip(b"\r\n")
        yield number, body, len(line), line[len(body) :]


def _decode(data: bytes) -> tuple[str | None, str | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"invalid UTF-8 at byte {exc.start}"


def _check_text(rid: str, text: str, fields: dict[str, Any], max_chars: int) -> Record:
    if not text.strip():
        return Record(rid, text, fields, "empty text")
    if len(text) > max_chars:
        return Record(rid, text, fields, f"text too long ({len(text):,} characters > {max_chars:,})")
    return Record(rid, text, fields)


def _too_long(rid: str, size: int, max_bytes: int, tail: str = "\n") -> Record:
    return Record(rid, None, {}, f"line too long ({size:,} bytes > {max_bytes:,}); not read", tail=tail)


_BOM = b"\xef\xbb\xbf"


def _read_lines(raw: BinaryIO, name: str, max_chars: int) -> Iterator[Record]:
    max_bytes = max_chars * 4  # ≤ 4 UTF-8 bytes per character
    for number, data, size, end in _bounded_lines(raw, max_bytes):
        rid = f"{name}:{number}"
        tail = end.decode("ascii")
        if data is None:
            yield _too_long(rid, size, max_bytes, tail)
            continue
        head = ""
        if number == 1 and data.startswith(_BOM):
            head, data = "\ufeff", data[len(_BOM) :]
        text, error = _decode(data)
        if text is None:
            yield Record(rid, None, {}, error, head, tail)
        else:
            yield replace(_check_text(rid, text, {}, max_chars), head=head, tail=tail)


def _read_document(raw: BinaryIO, name: str, max_chars: int) -> Iterator[Record]:
    data = raw.read(max_chars * 4 + 1)
    if len(data) > max_chars * 4:
        size = len(data) + sum(len(block) for block in iter(lambda: raw.read(1 << 20), b""))
        yield Record(name, None, {}, f"document too long ({size:,} bytes > {max_chars * 4:,}); not read")
        return
    head = "\ufeff" if data.startswith(_BOM) else ""
    text, error = _decode(data.removeprefix(_BOM))
    if text is None:
        yield Record(name, None, {}, error, head, "")
        return
    body = text.rstrip("\r\n")  # the final line ends are framing, kept for text output
    yield replace(_check_text(name, body, {}, max_chars), head=head, tail=text[len(body) :], whole_file=True)


def _read_jsonl(raw: BinaryIO, name: str, text_field: str, max_chars: int) -> Iterator[Record]:
    max_bytes = max_chars * 8  # room for JSON escapes and other fields
    for number, data, size, _ in _bounded_lines(raw, max_bytes):
        rid = f"{name}:{number}"
        if data is None:
            yield _too_long(rid, size, max_bytes)
            continue
        if not data.strip():
            continue  # blank lines separate nothing in JSONL; they are not records
        line, error = _decode(data)
        if line is None:
            yield Record(rid, None, {}, error)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Record(rid, None, {}, f"malformed JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            # The decoder recurses per nesting level: one hostile line must not end the run.
            yield Record(rid, None, {}, "JSON nested too deeply to read")
            continue
        if not isinstance(obj, dict):
            yield Record(rid, None, {}, f"JSON line is a {type(obj).__name__}, not an object")
            continue
        own_id = obj.get("id")
        if isinstance(own_id, str | int) and not isinstance(own_id, bool) and own_id != "":
            rid = str(own_id)
        fields = {k: v for k, v in obj.items() if k not in (text_field, "id")}
        text = obj.get(text_field)
        if text_field not in obj:
            yield Record(rid, None, fields, f"missing text field {text_field!r}")
        elif not isinstance(text, str):
            yield Record(
                rid, None, fields, f"text field {text_field!r} is {type(text).__name__}, not a string"
            )
        else:
            yield _check_text(rid, text, fields, max_chars)


def _read_csv(raw: BinaryIO, name: str, text_field: str, max_chars: int) -> Iterator[Record]:
    csv.field_size_limit(max_chars * 4)
    reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline=""))
    number = 0
    while True:
        number += 1
        rid = f"{name}:{number}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            # The decoder's position is lost, so the rest of the file cannot be split into rows.
            raise _Unreadable(f"invalid UTF-8 near row {number}: {exc.reason}") from exc
        except csv.Error as exc:
            yield Record(rid, None, {}, f"malformed CSV row: {exc}")
            continue
        if reader.fieldnames is None or text_field not in reader.fieldnames:
            raise InputError(
                f"{name}: no column {text_field!r} (columns: {reader.fieldnames}); use --text-field"
            )
        own_id = row.get("id")
        if own_id:
            rid = own_id
        fields = {k: v for k, v in row.items() if k is not None and k not in (text_field, "id")}
        text = row.get(text_field)
        if text is None:
            yield Record(rid, None, fields, f"row has no value for {text_field!r}")
        else:
            yield _check_text(rid, text, fields, max_chars)


class _TextExtractor(HTMLParser):
    """Visible text of an HTML fragment: tags dropped, block elements become line breaks."""

    _BLOCKS = frozenset(
        {
            "p",
            "br",
            "div",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "blockquote",
            "section",
            "article",
            "figcaption",
            "pre",
            "table",
        }
    )
    _HIDDEN = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: entities decoded, whitespace collapsed, paragraphs kept."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    paragraphs = ("".join(parser.parts)).split("\n")
    return "\n".join(p for p in (" ".join(line.split()) for line in paragraphs) if p)


def _read_feed(raw: BinaryIO, name: str, max_chars: int) -> Iterator[Record]:
    """RSS 2.0 / Atom entries: text = title, blank line, body (content, else summary/description)."""
    import feedparser  # a core dependency, imported here to keep `import corrector.batch.readers` light

    data = raw.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise _Unreadable(f"feed larger than {MAX_FEED_BYTES:,} bytes; not parsed")
    parsed = feedparser.parse(data)
    if not parsed.entries and parsed.get("bozo"):
        raise _Unreadable(f"not an RSS/Atom feed ({parsed.get('bozo_exception')})")
    for index, entry in enumerate(parsed.entries, start=1):
        rid = entry.get("id") or entry.get("link") or f"{name}:{index}"
        title = html_to_text(entry.get("title", ""))
        body_html = ""
        if entry.get("content"):
            body_html = "\n".join(part.get("value", "") for part in entry["content"])
        if not body_html:
            body_html = entry.get("summary", "") or entry.get("description", "")
        body = html_to_text(body_html)
        text = "\n\n".join(part for part in (title, body) if part)
        fields = {"title": title, "link": entry.get("link"), "published": entry.get("published")}
        yield _check_text(str(rid), text, {k: v for k, v in fields.items() if v is not None}, max_chars)
