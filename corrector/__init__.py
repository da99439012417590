"""corrector — restore news text mangled by article spinners.

>>> from corrector import Corrector                                 # doctest: +SKIP
>>> c = Corrector.load().with_neural()                              # doctest: +SKIP
>>> c.correct_feed(["Prime US diplomats stated ..."]).restorations[0].text  # doctest: +SKIP

``correct_feed`` is what ``corrector correct`` does by default (the neural teacher's pair
decisions, applied by the n-gram decoder); ``Corrector.load().correct(text)`` is ``--fast``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from corrector.version import __version__

__all__ = ["Corrector", "CorrectorConfig", "Edit", "FeedRestoration", "Restoration", "Scores", "__version__"]

if TYPE_CHECKING:
    from corrector.api import Corrector, FeedRestoration
    from corrector.config import CorrectorConfig
    from corrector.text.results import Edit, Restoration, Scores


def __getattr__(name: str) -> Any:
    # Lazy: `corrector --help` and light commands should not import KenLM/NLTK machinery.
    if name in {"Corrector", "FeedRestoration"}:
        from corrector import api

        return getattr(api, name)
    if name == "CorrectorConfig":
        from corrector.config import CorrectorConfig

        return CorrectorConfig
    if name in {"Edit", "Restoration", "Scores"}:
        from corrector.text import results

        return getattr(results, name)
    raise AttributeError(f"module 'corrector' has no attribute {name!r}")
