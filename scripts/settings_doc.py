"""Write ``docs/settings.md`` from the settings table (:mod:`corrector.settings`), so it cannot drift.

Usage: ``python scripts/settings_doc.py`` (rewrite) or ``--check`` (exit 1 if the file differs;
tests/test_settings.py checks the same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corrector.settings import markdown_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"

PREAMBLE = """\
# Settings

Every setting of a `Corrector`, generated from `corrector/settings.py` by
`python scripts/settings_doc.py` (a test fails when this file and the table differ). Each is a
`corrector correct`/`evaluate` flag and a `Corrector.load(**overrides)` keyword; both refuse a
value outside *valid* with the same message. *signature* is its key in `evaluate`'s signature
("with neural": only when `--neural` is on; the lattice oracle signs only the lattice group).
*reload*: `Corrector.with_settings` cannot change it (use `Corrector.load`).

"""


def render() -> str:
    return PREAMBLE + markdown_table()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/settings.md differs (no write)")
    args = parser.parse_args()
    text = render()
    if args.check:
        same = DOC.exists() and DOC.read_text(encoding="utf-8") == text
        print(f"{DOC}: {'up to date' if same else 'differs from the settings table'}", file=sys.stderr)
        return 0 if same else 1
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
