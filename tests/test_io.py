"""Readers, writers and the diff view of batch IO (no model needed)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from corrector.batch.readers import InputError, Record, html_to_text, read_records
from corrector.batch.writers import error_output, finalize_output, format_output, output_record, render_diff

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://example.org/</link>
<description>feed</description>
<item><title>Prime diplomats &amp; envoys meet</title><link>https://example.org/a</link>
<guid>urn:wire:a</guid><pubDate>Fri, 21 Jan 2022 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Prime US diplomats &lt;b&gt;stated&lt;/b&gt; the talks went on.&lt;/p&gt;
&lt;script&gt;track()&lt;/script&gt;&lt;p&gt;Second&amp;nbsp;paragraph.&lt;/p&gt;</description>
</item>
<item><title>No guid here</title><link>https://example.org/b</link>
<description>Plain body.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:feed</id>
<updated>2022-01-21T10:00:00Z</updated>
<entry><title>Atom story</title><id>urn:atom:1</id><updated>2022-01-21T10:00:00Z</updated>
<link href="https://example.org/atom1"/>
<summary>short summary</summary>
<content type="html">&lt;div&gt;The assembly &lt;i&gt;produced&lt;/i&gt; no movement.&lt;/div&gt;
</content></entry>
<entry><title>Second</title><id>urn:atom:2</id><updated>2022-01-21T11:00:00Z</updated>
<summary type="html">&lt;p&gt;Only a summary.&lt;/p&gt;</summary></entry>
</feed>
"""


def records(path: Path | str, **kwargs: object) -> list[Record]:
    return list(read_records([str(path)], **kwargs))  # type: ignore[arg-type]


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ----------------------------------------------------------------------------- bad input: one error each

BAD_JSONL_LINES = [
    ("malformed_json", b'{"text": "unterminated', "malformed JSON"),
    ("missing_text_field", b'{"body": "x"}', "missing text field 'text'"),
    ("non_string_text", b'{"text": 42}', "is int, not a string"),
    ("null_text", b'{"text": null}', "is NoneType, not a string"),
    ("invalid_utf8", b'{"text": "caf\xe9"}', "invalid UTF-8"),
    ("empty_text", b'{"text": "  "}', "empty text"),
    ("not_an_object", b'["text"]', "not an object"),
    ("nested_100k_deep", b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    ("one_megabyte_line", b'{"text": "' + b"spun " * 210_000 + b'"}', "too long"),
]


@pytest.mark.parametrize(("kind", "line", "message"), BAD_JSONL_LINES, ids=[c[0] for c in BAD_JSONL_LINES])
def test_bad_jsonl_line_becomes_one_error_record_between_good_ones(
    tmp_path: Path, kind: str, line: bytes, message: str
) -> None:
    path = write(tmp_path, "in.jsonl", b'{"text": "before"}\n' + line + b'\n{"text": "after"}\n')
    got = records(path)
    assert [r.text for r in (got[0], got[2])] == ["before", "after"]
    assert len(got) == 3
    assert got[1].error is not None and message in got[1].error
    assert got[1].id == f"{path}:2"
    assert got[0].error is None and got[2].error is None


def test_one_megabyte_line_is_not_held_in_memory_whole(tmp_path: Path) -> None:
    # 8 MB of one line with a tiny limit: the reader must skip it in pieces and keep going.
    path = write(tmp_path, "big.txt", b"x" * 8_000_000 + b"\nnext line\n")
    got = records(path, lines=True, max_chars=1000)
    assert got[0].error is not None and "8,000,000 bytes" in got[0].error
    assert got[1].text == "next line"


def test_long_line_within_limit_is_read(tmp_path: Path) -> None:
    text = "word " * 200_000
    path = write(tmp_path, "in.jsonl", json.dumps({"text": text}) + "\n")
    (record,) = records(path, max_chars=2_000_000)
    assert record.error is None and record.text == text


def test_jsonl_keeps_own_ids_passes_other_fields_and_skips_blank_lines(tmp_path: Path) -> None:
    lines = [
        {"id": "a1", "text": "one", "url": "u"},
        {"text": "two", "meta": {"k": 1}},
        {"id": 7, "text": "x"},
    ]
    path = write(
        tmp_path, "in.jsonl", "\n".join(json.dumps(x) for x in lines[:2]) + "\n\n" + json.dumps(lines[2])
    )
    got = records(path)
    assert [r.id for r in got] == ["a1", f"{path}:2", "7"]
    assert got[0].fields == {"url": "u"} and got[1].fields == {"meta": {"k": 1}}


def test_jsonl_gz_and_custom_text_field(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write('{"body": "gzipped text", "text": "other"}\n')
    (record,) = records(path, text_field="body")
    assert record.text == "gzipped text" and record.fields == {"text": "other"}


def test_txt_is_one_document_or_one_record_per_line(tmp_path: Path) -> None:
    path = write(tmp_path, "doc.txt", "First line.\r\nSecond line.\n\n")
    (doc,) = records(path)
    # the text as read (CRLF kept); the final line ends are framing, kept in ``tail``
    assert doc.id == str(path) and doc.text == "First line.\r\nSecond line."
    assert (doc.head, doc.tail) == ("", "\n\n")
    got = records(path, lines=True)
    assert [(r.id.rsplit(":", 1)[1], r.text, r.error, r.tail) for r in got] == [
        ("1", "First line.", None, "\r\n"),
        ("2", "Second line.", None, "\n"),
        ("3", "", "empty text", "\n"),
    ]


def test_txt_document_with_invalid_utf8_is_an_error_record(tmp_path: Path) -> None:
    (doc,) = records(write(tmp_path, "bad.txt", b"caf\xe9 au lait"))
    assert doc.text is None and "invalid UTF-8 at byte 3" in (doc.error or "")


def test_csv_reads_text_column_and_passes_others(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", 'id,headline,body\nx1,H1,"Body, with comma"\n,H2,\n')
    got = records(path, text_field="body")
    assert [(r.id, r.text, r.fields, r.error) for r in got] == [
        ("x1", "Body, with comma", {"headline": "H1"}, None),
        (f"{path}:2", "", {"headline": "H2"}, "empty text"),
    ]
    with pytest.raises(InputError, match="no column 'text'"):
        records(path)


def test_rss_items_become_title_and_html_stripped_description(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.xml", RSS)
    first, second = records(path)
    assert first.id == "urn:wire:a"
    assert (
        first.text
        == "Prime diplomats & envoys meet\n\nPrime US diplomats stated the talks went on.\nSecond paragraph."
    )
    assert first.fields["link"] == "https://example.org/a" and "2022" in first.fields["published"]
    assert second.id == "https://example.org/b" and second.text == "No guid here\n\nPlain body."


def test_atom_entries_prefer_content_over_summary(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.atom", ATOM)
    first, second = records(path)
    assert (first.id, first.text) == ("urn:atom:1", "Atom story\n\nThe assembly produced no movement.")
    assert (second.id, second.text) == ("urn:atom:2", "Second\n\nOnly a summary.")


def test_html_to_text_drops_scripts_and_decodes_entities() -> None:
    html = "<p>A &amp; B&nbsp;&lt;c&gt;</p><style>p{}</style><ul><li>one</li><li>two</li></ul>"
    assert html_to_text(html) == "A & B <c>\none\ntwo"


def test_directories_and_globs_expand_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    write(tmp_path / "d", "b.jsonl", '{"text": "b"}\n')
    write(tmp_path / "d", "a.txt", "a")
    write(tmp_path / "d" / "sub", "c.jsonl", '{"text": "c"}\n')
    write(tmp_path / "d", "notes.md", "ignored")
    assert [r.text for r in records(tmp_path / "d")] == ["a", "b", "c"]
    assert next(r.id for r in records(tmp_path / "d")) == "a.txt"
    assert [r.text for r in records(str(tmp_path / "d" / "*.jsonl"))] == ["b"]
    with pytest.raises(InputError, match="no files match"):
        records(str(tmp_path / "d" / "*.csv"))


@pytest.mark.parametrize(
    ("data", "texts"),
    [(b'{"text": "json"}\n', ["json"]), (RSS.encode(), None), (b"plain text\n", ["plain text"])],
    ids=["jsonl", "rss", "txt"],
)
def test_stdin_format_is_sniffed(data: bytes, texts: list[str] | None) -> None:
    got = list(read_records(["-"], stdin=io.BufferedReader(io.BytesIO(data))))  # type: ignore[arg-type]
    if texts is None:
        assert len(got) == 2 and got[0].id == "urn:wire:a"
    else:
        assert [r.text for r in got] == texts


def test_missing_file_is_a_fatal_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothere\.jsonl"):
        records(tmp_path / "nothere.jsonl")
    with pytest.raises(InputError, match="unknown input type"):
        records(write(tmp_path, "x.bin", b""))


# ----------------------------------------------------------------------------------------------- output


def test_output_record_has_schema_keys_first_and_passthrough_cannot_override() -> None:
    record = Record("r1", "src", {"url": "u", "restored": "evil"})
    result = {"source": "src", "restored": "out", "edits": [], "scores": {}, "spun_score": 0.1}
    out = output_record(record, result)
    assert list(out)[:7] == ["id", "source", "restored", "edits", "scores", "spun_score", "error"]
    assert out["restored"] == "out" and out["url"] == "u"
    failed = error_output(Record("r2", None, {"url": "u"}, "bad"))
    assert (failed["restored"], failed["error"], failed["url"]) == (None, "bad", "u")


def test_text_output_writes_restored_or_source_on_error() -> None:
    ok = {"restored": "fixed", "source": "spun"}
    assert format_output(ok, "text") == b"fixed\n"
    assert format_output({"restored": None, "source": "spun"}, "text") == b"spun\n"
    assert format_output({"restored": None, "source": None}, "text") == b"\n"


def test_gzip_output_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for name in ("one", "two"):
        partial = write(tmp_path, f"{name}.partial", b'{"a": 1}\n' * 1000)
        out = tmp_path / name / "out.jsonl.gz"
        out.parent.mkdir()
        finalize_output(partial, out)
        assert not partial.exists()
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert gzip.decompress(outputs[0]) == b'{"a": 1}\n' * 1000


def test_render_diff_marks_edits_by_offset() -> None:
    out = {
        "id": "x",
        "source": "Prime diplomats stated it.",
        "error": None,
        "edits": [
            {"start": 16, "end": 22, "spun": "stated", "restored": "said", "gain": 1.0},
            {"start": 0, "end": 5, "spun": "Prime", "restored": "Top", "gain": 1.0},
        ],
    }
    assert render_diff(out) == "── x  (2 edits)\n[Prime→Top] diplomats [stated→said] it.\n"
    coloured = render_diff(out, colour=True)
    assert "\x1b[31;9mPrime\x1b[0m\x1b[32mTop\x1b[0m" in coloured
    assert "error: bad" in render_diff({"id": "y", "source": None, "error": "bad"})
