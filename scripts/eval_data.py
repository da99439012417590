"""Build evaluation data from Reuters-21578 (Debian ``r-cran-tm``) — evaluation only, never training.

Writes into ``build/eval/`` (git-ignored):
- ``reuters_originals.jsonl``: ``{id, text, title, topic}`` clean article texts (hard line wraps
  joined, paragraphs kept, the trailing "Reuter" sign-off dropped), deduplicated by NEWID;
- ``reuters_pairs_<name>.jsonl``: the same texts spun by ``corrector spin`` with one spinner
  setting each (``all`` thesauri, ``mythes`` only, ``user`` = benchmarks/news_spins.tsv only).

Usage: ``python scripts/eval_data.py [--out build/eval] [--seed 1]`` (after
``apt-get install r-cran-tm``).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
from pathlib import Path

TM_TEXTS = Path("/usr/lib/R/site-library/tm/texts")
PROJECT = Path(__file__).resolve().parents[1]
USER_DICT = PROJECT / "benchmarks" / "news_spins.tsv"
SPIN_SETTINGS = {
    "all": ["--source", "moby", "--source", "wordnet", "--source", "mythes"],
    "mythes": ["--source", "mythes"],
    "user": ["--source", "none", "--user-dict", str(USER_DICT)],
}

_ARTICLE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID = re.compile(r'NEWID="(\d+)"')


def _field(block: str, tag: str) -> str:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", block, re.S)
    return html.unescape(match.group(1)) if match else ""


def clean_body(body: str) -> str:
    """Join Reuters' hard-wrapped lines; a line indented by spaces starts a new paragraph."""
    body = re.sub(r"\s*\bReuter\s*$", "", body.strip())
    paragraphs: list[list[str]] = [[]]
    for line in body.splitlines():
        if line.startswith((" ", "\t")) and paragraphs[-1]:
            paragraphs.append([])
        if line.strip():
            paragraphs[-1].append(line.strip())
    return "\n".join(" ".join(p) for p in paragraphs if p)


def read_reuters(texts: Path = TM_TEXTS) -> list[dict[str, str]]:
    """Articles from acq/, crude/ and reuters-21578.xml, one per NEWID, with a non-empty body."""
    files = sorted((texts / "acq").glob("*.xml")) + sorted((texts / "crude").glob("*.xml"))
    files += [texts / "reuters-21578.xml"]
    seen: set[str] = set()
    out = []
    for path in files:
        if not path.exists():
            continue
        for attrs, block in _ARTICLE.findall(path.read_text(encoding="latin-1")):
            newid = _NEWID.search(attrs)
            topic = re.findall(r"<D>(.*?)</D>", _field(block, "TOPICS")) or ["none"]
            body = clean_body(_field(block, "BODY"))
            if not newid or newid.group(1) in seen or not body:
                continue
            seen.add(newid.group(1))
            out.append({"id": f"reut-{int(newid.group(1)):05d}", "text": body,
                        "title": _field(block, "TITLE").strip(), "topic": topic[0]})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "build" / "eval")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--settings", nargs="+", default=list(SPIN_SETTINGS), choices=list(SPIN_SETTINGS))
    args = parser.parse_args()
    if not TM_TEXTS.exists():
        print(f"{TM_TEXTS} missing: run `apt-get install -y r-cran-tm`", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    articles = read_reuters()
    originals = args.out / "reuters_originals.jsonl"
    lines = (json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
    originals.write_text("".join(lines), encoding="utf-8")
    words = sum(len(a["text"].split()) for a in articles)
    print(f"[eval-data] {len(articles)} Reuters articles, {words} words -> {originals}")
    corrector = [sys.executable, "-m", "corrector.cli"]
    for name in args.settings:
        pairs = args.out / f"reuters_pairs_{name}.jsonl"
        subprocess.run([*corrector, "spin", str(originals), "-o", str(pairs), "--seed", str(args.seed),
                        *SPIN_SETTINGS[name]], check=True)
        print(f"[eval-data] spun ({name}) -> {pairs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
